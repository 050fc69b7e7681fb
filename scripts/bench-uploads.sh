#!/usr/bin/env bash
# The upload benchmark: MNIST test digits rendered the way people deliver them (tight crops, scans, inverted,
# photographed paper through JPEG, thin and thick pens, hollow outlines, rotated, off-centre, canvas strokes),
# classified by `stepwise predict --json`, accuracy per variant against the 28x28 originals. MNIST test digits
# only, so anyone can rerun it.
#
#   STEPWISE_DATA=/path/to/mnist scripts/bench-uploads.sh [--count N] [--model FILE] [--out DIR] [--variants a,b]
#
# Renders with Pillow from a venv in .build-venv (created, with --system-site-packages for numpy, if missing).
# STEPWISE_BIN: default .build/release/stepwise.
set -euo pipefail
cd "$(dirname "$0")/.."
count=1000 model=Outputs/models/cnn.safetensors out=/tmp/stepwise-uploads variants=""
while (($#)); do
    case $1 in
        --count) count=$2; shift 2 ;;
        --model) model=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --variants) variants=$2; shift 2 ;;
        *) echo "usage: $0 [--count N] [--model FILE] [--out DIR] [--variants a,b]" >&2; exit 2 ;;
    esac
done
: "${STEPWISE_DATA:?set STEPWISE_DATA to the folder with the MNIST IDX files}"
bin=${STEPWISE_BIN:-.build/release/stepwise}
[ -x "$bin" ] || { echo "no $bin: build with swift build -c release" >&2; exit 1; }
[ -f "$model" ] || { echo "no model at $model: train one with stepwise run train, or pass --model" >&2; exit 1; }
if ! .build-venv/bin/python -c 'import PIL, numpy' 2>/dev/null; then
    python3 -m venv --system-site-packages .build-venv
    .build-venv/bin/pip install -q pillow
fi
python=.build-venv/bin/python
# Only a folder this script made (it has labels.csv and original/) is cleared before rendering again.
if [ -e "$out" ]; then
    [ -f "$out/labels.csv" ] && [ -d "$out/original" ] || { echo "$out exists and is not a benchmark folder: choose another --out" >&2; exit 1; }
    rm -rf "$out"
fi
$python scripts/uploads/render.py "$STEPWISE_DATA" "$out" --count "$count" ${variants:+--variants "$variants"}
$python scripts/uploads/score.py "$out" --stepwise "$bin" --model "$model" ${variants:+--variants "$variants"} \
    --json "$out/scores.json"
