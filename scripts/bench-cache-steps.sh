#!/usr/bin/env bash
# What the cache costs each step of a real run: N one-epoch training runs on full MNIST, each in a fresh folder
# (cold cache), printing every step's time and the time its cache entry took to store in the background; then,
# in the last folder, `--only train` (inputs read from the cache, nothing else being stored) for comparison with
# the train step's time while the entries of load and preprocess were being written.
# Usage: STEPWISE_DATA=/path/to/mnist scripts/bench-cache-steps.sh [RUNS]   (numbers: docs/PERFORMANCE.md)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-6}
: "${STEPWISE_DATA:?set STEPWISE_DATA to the MNIST folder}"
swift build -c release --product stepwise >/dev/null
binary=$PWD/.build/release/stepwise
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq "$runs"); do
    rm -rf "$work/project" && mkdir -p "$work/project" && cp -r Workflows "$work/project/"
    echo "run $i (load average $(cut -d' ' -f1 /proc/loadavg)):"
    (cd "$work/project" && "$binary" run train --set train.epochs=1 2>&1) \
        | sed -nE 's/^\[[^]]*\] ([a-z]+): (done in .*|stored its results in the cache: .*)$/  \1: \2/p'
done
echo "--only train, nothing stored meanwhile:"
(cd "$work/project" && "$binary" run train --set train.epochs=1 --only train 2>&1) \
    | sed -nE 's/^\[[^]]*\] (train): (done in .*)$/  \1: \2/p'
