#!/usr/bin/env bash
# Accuracy of `stepwise predict` on a generated handwriting folder, with MNIST-style preprocessing and with a
# plain resize.
#   scripts/handwriting/evaluate.sh DIR [--model FILE] [--by font|label]   (STEPWISE_BIN: default .build/release/stepwise)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
folder=$1; shift
bin=${STEPWISE_BIN:-.build/release/stepwise}
for mode in mnist plain; do
    python3 "$here/evaluate.py" "$folder" --stepwise "$bin" --preprocess "$mode" "$@"
done
