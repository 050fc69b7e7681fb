#!/usr/bin/env bash
# The feedback loop measured end to end, in a scratch copy of the project (the real one is not touched):
#   1. predict the feedback pool and the unseen set with MODEL;
#   2. pick FEEDBACK_COUNT (20) images of the pool the model got wrong (seeded), `stepwise feedback` each;
#   3. `stepwise run retrain` (extra arguments go to it, e.g. --set finetune.epochs=5);
#   4. predict the picked images and the unseen set again with the resulting model; MNIST test accuracy
#      before and after from Outputs/retrain/metrics.json.
# If the promotion gate keeps the old model, the fine-tuned candidate is also saved (gate off, from the cache)
# and measured, so the table shows both what a user gets and what the fine-tuning did.
#
#   STEPWISE_DATA=/path/to/mnist scripts/handwriting/feedback-loop.sh HW_DIR MODEL [retrain arguments…]
# HW_DIR is what scripts/handwriting/generate.sh made. STEPWISE_BIN: default .build/release/stepwise.
# SCRATCH: the scratch project folder (default: a new one under /tmp); it is kept for inspection.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
hw=$(cd "$1" && pwd)
model=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
shift 2
: "${STEPWISE_DATA:?set STEPWISE_DATA to the MNIST folder}"
bin=$(cd "$root" && realpath "${STEPWISE_BIN:-.build/release/stepwise}")
count=${FEEDBACK_COUNT:-20}
pick_seed=${PICK_SEED:-1}
scratch=${SCRATCH:-$(mktemp -d /tmp/stepwise-feedback.XXXXXX)}
mkdir -p "$scratch/Outputs/models" "$scratch/incorrect_predictions"
rm -rf "$scratch/Workflows"
cp -r "$root/Workflows" "$scratch/"
cp "$model" "$scratch/Outputs/models/cnn.safetensors"
echo "scratch project: $scratch; model: $model; retrain arguments: ${*:-(none)}"

ev() { python3 "$here/evaluate.py" --stepwise "$bin" "$@"; }
ev "$hw/feedback-pool" --model "$scratch/Outputs/models/cnn.safetensors" --predictions "$scratch/pool-before.csv" \
   --summary "$scratch/pool-before.json"
ev "$hw/unseen" --model "$scratch/Outputs/models/cnn.safetensors" --summary "$scratch/unseen-before.json"

python3 - "$scratch/pool-before.csv" "$count" "$pick_seed" > "$scratch/picked.csv" <<'PY'
import csv, random, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["label"] != r["predicted"]]
picked = sorted(random.Random(int(sys.argv[3])).sample(rows, min(int(sys.argv[2]), len(rows))), key=lambda r: r["file"])
writer = csv.writer(sys.stdout, lineterminator="\n")
writer.writerow(["file", "label", "predicted"])
writer.writerows([r["file"], r["label"], r["predicted"]] for r in picked)
PY
picked=$(($(wc -l < "$scratch/picked.csv") - 1))
echo "picked $picked wrongly predicted images of the pool for feedback"
tail -n +2 "$scratch/picked.csv" | while IFS=, read -r file label predicted; do
    "$bin" feedback "$hw/feedback-pool/$file" --label "$label" --predicted "$predicted" --project "$scratch" > /dev/null
done

start=$(date +%s)
"$bin" run retrain --project "$scratch" "$@" > "$scratch/retrain.log" 2>&1 || { tail -20 "$scratch/retrain.log"; exit 1; }
echo "retrain took $(($(date +%s) - start)) s"
cp "$scratch/Outputs/retrain/metrics.json" "$scratch/retrain-metrics.json"
promoted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["promoted"])' "$scratch/retrain-metrics.json")
candidate=$scratch/Outputs/models/cnn.safetensors
if [[ $promoted != True ]]; then
    candidate=$scratch/Outputs/models/candidate.safetensors
    "$bin" run retrain --project "$scratch" "$@" --only save --set save.gate=false \
        --set save.path=Outputs/models/candidate.safetensors > "$scratch/candidate.log" 2>&1
fi
only=$(tail -n +2 "$scratch/picked.csv" | cut -d, -f1 | paste -sd,)
ev "$hw/feedback-pool" --model "$candidate" --only "$only" --summary "$scratch/picked-after.json"
ev "$hw/unseen" --model "$candidate" --summary "$scratch/unseen-after.json"

python3 - "$scratch" "$picked" <<'PY'
import json, os, sys
s, picked = sys.argv[1], int(sys.argv[2])
load = lambda name: json.load(open(os.path.join(s, name)))
m = load("retrain-metrics.json")
ub, ua, pa = load("unseen-before.json"), load("unseen-after.json"), load("picked-after.json")
print()
print(f"promoted: {m['promoted']} ({m['gate_reason']})")
if not m["promoted"]:
    print("'after' is the fine-tuned candidate (Outputs/models/candidate.safetensors); users keep the old model")
print("| measure | before | after | change |")
print("| --- | --- | --- | --- |")
print(f"| the {picked} feedback images right | 0/{picked} | {pa['correct']}/{picked} | +{pa['correct']} |")
print(f"| unseen digits of that kind | {100*ub['accuracy']:.1f}% ({ub['correct']}/{ub['total']}) | "
      f"{100*ua['accuracy']:.1f}% ({ua['correct']}/{ua['total']}) | {100*(ua['accuracy']-ub['accuracy']):+.1f} points |")
print(f"| MNIST test accuracy | {100*m['test_accuracy_before']:.2f}% | {100*m['test_accuracy']:.2f}% | "
      f"{100*(m['test_accuracy']-m['test_accuracy_before']):+.2f} points |")
PY
