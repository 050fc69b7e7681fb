#!/usr/bin/env bash
# Benchmark: a 4-point local sweep of single-threaded points (train.lr 0.001,0.003 x train.batch 64,128 on 3,000
# MNIST training images, one epoch), run with --jobs 1 (one point after the other) and with --jobs 2, in pairs,
# each in a fresh project (an empty cache). Prints per run the wall time, the load average before it, and how many
# points computed load and preprocess (1: the others read them from the cache). Numbers go in docs/PERFORMANCE.md.
# Usage: STEPWISE_DATA=/path/to/mnist scripts/bench-sweep.sh [path/to/stepwise] [pairs]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/.build/release/stepwise}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")  # each run changes folder
pairs=${2:-2}
: "${STEPWISE_DATA:?set STEPWISE_DATA to the MNIST folder}"
grid=(--set load.limit=3000 --set load.test_limit=1000 --set preprocess.validation=500 --set train.epochs=1
      --set train.lr=0.001,0.003 --set train.batch=64,128 --threads 1)
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
run() {
    local jobs=$1 scratch
    scratch=$(mktemp -d)
    cp -r "$root/Workflows" "$scratch/"
    local load start end
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    start=$(date +%s.%N)
    (cd "$scratch" && "$bin" sweep train "${grid[@]}" --jobs "$jobs" >/dev/null 2>&1)
    end=$(date +%s.%N)
    python3 - "$scratch" "$jobs" "$start" "$end" "$load" <<'PY'
import glob, json, sys
scratch, jobs, start, end, load = sys.argv[1:]
points = [json.load(open(p)) for p in glob.glob(f"{scratch}/Outputs/train/sweeps/*/points/*/point.json")]
ok = sum(p["status"] == "succeeded" for p in points)
loads = sum("load" in p["computed"] for p in points)
pre = sum("preprocess" in p["computed"] for p in points)
print(f"--jobs {jobs}: {float(end) - float(start):6.1f} s  ({ok}/4 succeeded; load computed by {loads}, "
      f"preprocess by {pre} point(s); load average before: {load})")
PY
    rm -rf "$scratch"
}
for _ in $(seq 1 "$pairs"); do
    run 1
    run 2
done
