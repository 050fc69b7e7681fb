#!/usr/bin/env bash
# A real single-node Slurm runs a sweep: installs Debian's slurm-wlm and munge if missing, configures one node
# named after `hostname -s` in a throwaway folder (its own ports, munge socket, state and logs), starts munged,
# slurmctld and slurmd, submits a 2x2 sweep of tiny runs with `stepwise sweep --on slurm` (a job array and a
# dependent gather job), waits for the gather job, checks the report and the points, and stops the daemons.
#
#   scripts/test-slurm.sh [path/to/stepwise]
#
# Needs root (the daemons run as root: SlurmUser=root). Where Slurm truly cannot start (not root, no apt, the
# daemons do not come up), it says why and exits 0 (skipped), unless STEPWISE_REQUIRE_SLURM=1, then 1.
# Every wait has a deadline: the whole test takes well under a few minutes or fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
bin="${1:-$(swift build -c release --show-bin-path)/stepwise}"

skip() {
    echo "test-slurm: SKIPPED: $*" >&2
    [ "${STEPWISE_REQUIRE_SLURM:-0}" = 1 ] && exit 1
    exit 0
}
fail() {
    echo "test-slurm: FAILED: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || skip "the Slurm daemons need root (SlurmUser=root); run as root"
[ -x "$bin" ] || fail "no stepwise binary at $bin (build it: swift build -c release)"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    scripts/setup.sh slurm-wlm munge || skip "cannot install slurm-wlm and munge from Debian"
fi

work="$(mktemp -d /tmp/stepwise-slurm.XXXXXX)"
node="$(hostname -s)"
port=$((20000 + RANDOM % 20000))
export SLURM_CONF="$work/slurm.conf"

stop() {
    for name in slurmd slurmctld munged; do
        if [ -f "$work/$name.pid" ]; then kill "$(cat "$work/$name.pid")" 2>/dev/null || true; fi
    done
    sleep 1
    for name in slurmd slurmctld munged; do
        if [ -f "$work/$name.pid" ]; then kill -9 "$(cat "$work/$name.pid")" 2>/dev/null || true; fi
    done
    if [ "${STEPWISE_KEEP_SLURM:-0}" = 1 ]; then echo "test-slurm: kept $work" >&2; else rm -rf "$work"; fi
}
trap stop EXIT

mkdir -p "$work/state" "$work/spool" "$work/munge" "$work/project"
cp /etc/munge/munge.key "$work/munge/munge.key" 2>/dev/null || dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 700 "$work/munge"
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
    --pid-file="$work/munged.pid" --log-file="$work/munged.log" --seed-file="$work/munge/seed" \
    || skip "munged did not start: $(tail -3 "$work/munged.log" 2>/dev/null)"

cat >"$SLURM_CONF" <<EOF
ClusterName=stepwisetest
SlurmctldHost=$node
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=30 State=UP
EOF

slurmctld -i || skip "slurmctld did not start: $(tail -3 "$work/slurmctld.log" 2>/dev/null)"
slurmd || skip "slurmd did not start: $(tail -3 "$work/slurmd.log" 2>/dev/null)"
up=0
for _ in $(seq 1 60); do
    if timeout 5 sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then up=1; break; fi
    sleep 0.5
done
[ "$up" = 1 ] || skip "the node did not come up within 30 s: $(timeout 5 sinfo -h -N -o '%N %T %E' 2>&1 | head -2); \
slurmctld: $(tail -2 "$work/slurmctld.log" 2>/dev/null); slurmd: $(tail -2 "$work/slurmd.log" 2>/dev/null)"
echo "test-slurm: slurmctld and slurmd up on $node (port $port)" >&2

# Tiny MNIST-format files (200 training and 100 test images) and a project with the shipped workflows.
python3 - "$work/data" <<'EOF'
import os, random, struct, sys
folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)
rng = random.Random(1)
for prefix, count in (("train", 200), ("t10k", 100)):
    labels = bytes(i % 10 for i in range(count))
    pixels = bytearray()
    for label in labels:
        top, left = 4 + (label // 5) * 12, 2 + (label % 5) * 5
        for p in range(28 * 28):
            r, c = divmod(p, 28)
            pixels.append(255 if top <= r < top + 6 and left <= c < left + 6 else rng.randrange(32))
    with open(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 2051, count, 28, 28) + bytes(pixels))
    with open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 2049, count) + labels)
EOF
cp -R "$root/Workflows" "$work/project/Workflows"

cd "$work/project"
submitted="$(timeout 60 "$bin" sweep train --on slurm --jobs 2 --threads 1 --data "$work/data" \
    --set load.limit=200 --set load.test_limit=100 --set preprocess.validation=50 \
    --set train.lr=0.001,0.003 --set train.epochs=1,2)" || fail "stepwise sweep --on slurm failed"
echo "$submitted" >&2
gather="$(echo "$submitted" | sed -n 's/.*report job \([0-9]*\).*/\1/p' | head -1)"
[ -n "$gather" ] || fail "no report job id in: $submitted"

deadline=$((SECONDS + 300))
while timeout 5 squeue -h -j "$gather" 2>/dev/null | grep -q .; do
    [ $SECONDS -lt $deadline ] || fail "the sweep did not finish within 300 s: $(timeout 5 squeue -h 2>&1 | head -5)"
    sleep 1
done

sweep_dir="$(ls -d Outputs/train/sweeps/*/ | head -1)"
report="$sweep_dir/report.md"
[ -f "$report" ] || fail "the gather job wrote no report ($(cat "$sweep_dir"/slurm/report.out 2>/dev/null | tail -5))"
python3 - "$sweep_dir" <<'EOF'
import json, os, sys
folder = sys.argv[1]
report = open(os.path.join(folder, "report.md")).read()
records = [json.load(open(os.path.join(folder, "points", str(n), "point.json"))) for n in range(4)]
problems = []
for r in records:
    if r["status"] != "succeeded":
        problems.append(f"point {r['point']}: {r['status']} {r.get('error', '')}")
loads = sum("load" in r.get("computed", []) for r in records)
if loads != 1:
    problems.append(f"load was computed by {loads} points, expected 1 (the others read it from the cache)")
for needed in ("## Best point", "| point | train.lr | train.epochs |", "points/3/report.md", "charts/accuracy-vs-train-lr.png"):
    if needed not in report:
        problems.append(f"the report lacks {needed!r}")
if not os.path.exists(os.path.join(folder, "charts", "accuracy-vs-train-lr.png")):
    problems.append("no chart against train.lr")
if problems:
    print("test-slurm: FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"test-slurm: passed: 4 points ran as a Slurm job array, load computed once, report at {folder}report.md", file=sys.stderr)
EOF
