#!/usr/bin/env bash
# Cold `stepwise predict` of one image: a new process each run (start, load the model, read and preprocess the
# PNG, classify, print), timed by hyperfine (installed from Debian if missing). The files stay in the page cache.
#   scripts/handwriting/bench-predict.sh MODEL IMAGE [IMAGE…]     (STEPWISE_BIN: default .build/release/stepwise)
set -euo pipefail
cd "$(dirname "$0")/../.."
model=$1; shift
bin=${STEPWISE_BIN:-.build/release/stepwise}
if ! command -v hyperfine > /dev/null; then
    sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends hyperfine
fi
commands=()
for image in "$@"; do commands+=("$bin predict --model $model $image"); done
hyperfine -N --warmup 3 --runs "${RUNS:-40}" --export-markdown /dev/stdout "${commands[@]}"
