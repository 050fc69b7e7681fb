#!/usr/bin/env bash
# Benchmark: `stepwise runs` and `stepwise diff` with 1,000 runs recorded. Builds a scratch project whose
# Outputs/train/runs/index.jsonl holds 1,000 lines made from the lines of three real runs (a full run, an
# all-cached run whose whole record is in its line, a run with a new learning rate), each with its own id and
# learning rate, then times each command (and `plan`, which reads the records of the newest runs): wall time and CPU time (user+sys), medians of 15 runs, in ms.
# Numbers go in docs/PERFORMANCE.md.
# Usage: STEPWISE_DATA=/path/to/mnist scripts/bench-runs.sh [path/to/stepwise]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/.build/release/stepwise}
scratch=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] && echo "scratch: $scratch" || rm -rf "$scratch"' EXIT
cp -r "$root/Workflows" "$scratch/"
quick=(--set load.limit=200 --set load.test_limit=100 --set preprocess.validation=50 --set train.epochs=1)
(cd "$scratch" && "$bin" run train "${quick[@]}" && "$bin" run train "${quick[@]}" \
    && "$bin" run train "${quick[@]}" --set train.lr=0.01) >/dev/null 2>&1
index=$scratch/Outputs/train/runs/index.jsonl
python3 - "$index" <<'PY'
import json, sys
path = sys.argv[1]
lines = [json.loads(l) for l in open(path)]
out = []
for i in range(1000):
    e = json.loads(json.dumps(lines[i % 3]))
    e["id"] = e["started"] = "2026-%02d-%02dT%02d:%02d:%02dZ" % (1 + i // 600, 1 + (i // 24) % 25, i % 24, i % 60, (i * 7) % 60)
    e["parameters"] = sorted([p for p in e["parameters"] if not p.startswith("train.lr=")]
                             + ["train.lr=%.4f" % (0.001 * (1 + i % 7))])
    if e.get("record"):
        e["record"]["id"] = e["id"]
    out.append(json.dumps(e, sort_keys=True, separators=(",", ":")))  # as Stepwise writes them
open(path, "w").write("\n".join(out) + "\n")
PY
echo "index: $(wc -l < "$index") runs, $(du -k "$index" | cut -f1) KB"
time_ms() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time, statistics
times, cpu = [], []
for _ in range(15):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t) * 1000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
print("%-14s wall median %6.1f ms, min %6.1f ms; CPU (user+sys) median %6.1f ms"
      % (" ".join(sys.argv[2:]), statistics.median(times), min(times), statistics.median(cpu)))
PY
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$scratch"
time_ms "$bin" runs
time_ms "$bin" runs --json
time_ms "$bin" diff
time_ms "$bin" diff --md
time_ms "$bin" plan train "${quick[@]}"
time_ms "$bin" --version
