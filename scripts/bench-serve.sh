#!/usr/bin/env bash
# Load test of `stepwise serve` against its Flask + PyTorch peer (scripts/peers/flask_serve.py), back to back on
# the same model file: POST /api/predict of a 28x28 PNG with wrk, 16 connections (2 threads), in paired rounds
# (Stepwise, peer, Stepwise, peer, ...). Each run starts its own server on a free port (Stepwise in a scratch
# project with its SQLite prediction log), warms it up, runs wrk, samples the server's RSS every 10 s, and stops it.
# One RESULT line per run: load average at its start, requests, requests/s, latency percentiles, errors, the
# server's CPU time per request (user + system over the run / requests: what the load on the machine changes
# least), RSS.
#
#     scripts/bench-serve.sh [--model PATH] [--duration 30s] [--connections 16] [--rounds 2]
#                            [--binary PATH] [--only stepwise|peer] [--peer-threads N]
# --peer-threads: the peer's torch.set_num_threads (default: PyTorch's choice, one per core). Default model:
# Outputs/models/cnn.safetensors (train one with `stepwise run train`). Installs wrk (Debian) if
# missing; creates the peer's venv .build-venv/serve-peer (the PyTorch wheel in /opt/wheels, or torch from PyPI;
# Flask, Pillow, safetensors, numpy from PyPI) if missing. Numbers: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
model=Outputs/models/cnn.safetensors duration=30s connections=16 binary=.build/release/stepwise rounds=2 only="" peer_threads=""
usage="usage: $0 [--model PATH] [--duration 30s] [--connections 16] [--rounds 2] [--binary PATH] [--only stepwise|peer] [--peer-threads N]"
while (($#)); do
    case "$1" in
        --model) model="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --peer-threads) peer_threads="$2"; shift 2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
done
case "$only" in ""|stepwise|peer) ;; *) echo "$usage" >&2; exit 2 ;; esac
[ -f "$model" ] || { echo "no model at $model: train one with \`stepwise run train\`, or pass --model" >&2; exit 4; }
[ "$only" = peer ] || [ -x "$binary" ] || { echo "no binary at $binary: swift build -c release" >&2; exit 1; }
model="$(realpath "$model")"
if ! command -v wrk >/dev/null; then
    echo "bench-serve: installing wrk" >&2
    scripts/setup.sh wrk
fi
venv=.build-venv/serve-peer
if [ "$only" != stepwise ] && ! "$venv/bin/python" -c 'import flask, PIL, torch, safetensors, numpy' 2>/dev/null; then
    echo "bench-serve: creating $venv (PyTorch, Flask, Pillow, safetensors)" >&2
    python3 -m venv "$venv"
    wheel="$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | head -1 || true)"
    "$venv/bin/pip" install -q --disable-pip-version-check "${wheel:-torch}" flask pillow safetensors numpy
fi

work="$(mktemp -d /tmp/stepwise-bench.XXXXXX)"
server=""
cleanup() { [ -z "$server" ] || kill -TERM "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/project/Workflows"
cp -r Workflows/. "$work/project/Workflows/"
# A 28x28 white-on-black digit (a vertical stroke), as the page sends after drawing.
python3 - "$work/digit.png" <<'PY'
import struct, sys, zlib
rows = b"".join(b"\x00" + bytes(255 if 5 <= y < 23 and 12 <= x < 16 else 0 for x in range(28)) for y in range(28))
def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
cat >"$work/post.lua" <<LUA
local f = io.open("$work/digit.png", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "image/png"
LUA

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts one server in the background ($server: its pid, $port); waits until it answers.
start() {
    local kind="$1"
    rm -f "$work/server.log"
    if [ "$kind" = stepwise ]; then
        rm -rf "$work/project/Outputs"
        "$binary" serve --port 0 --project "$work/project" --model "$model" 2>"$work/server.log" &
        server=$!
        for _ in $(seq 200); do grep -qs "listening on" "$work/server.log" && break; sleep 0.05; done
        port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)"
    else
        port="$(free_port)"
        "$venv/bin/python" scripts/peers/flask_serve.py --model "$model" --port "$port" --quiet \
            ${peer_threads:+--threads "$peer_threads"} 2>"$work/server.log" &
        server=$!
        for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }
}

stop() { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; }

rss_mb() { echo $(( $(ps -o rss= -p "$server" | tr -d ' ') / 1024 )); }
# The server's CPU time so far (user + system, all threads), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

run() {
    local kind="$1" round="$2"
    start "$kind"
    local url="http://127.0.0.1:$port/api/predict"
    local answer; answer="$(curl -sf -H 'Content-Type: image/png' --data-binary @"$work/digit.png" "$url")"
    local label; label="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["label"])' "$answer")"
    for _ in $(seq 200); do curl -sf -o /dev/null -H 'Content-Type: image/png' --data-binary @"$work/digit.png" "$url"; done
    local load; load="$(cut -d' ' -f1-3 /proc/loadavg)"
    local rss_before; rss_before="$(rss_mb)"
    local cpu_before; cpu_before="$(cpu_ticks)"
    ( while sleep 10; do ps -o rss= -p "$server" 2>/dev/null | awk '{printf "%d ", $1 / 1024}' || break; done ) >"$work/rss.txt" &
    local sampler=$!
    echo "== $kind, round $round: wrk -t2 -c$connections -d$duration --latency -s post.lua $url (load average $load)"
    wrk -t2 -c"$connections" -d"$duration" --latency -s "$work/post.lua" "$url" | tee "$work/wrk.txt"
    kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
    local rss_after; rss_after="$(rss_mb)"
    local cpu_after; cpu_after="$(cpu_ticks)"
    stop
    local get='$1 == key {print $2}'
    local requests; requests="$(awk '/requests in/ {print $1}' "$work/wrk.txt")"
    local rps; rps="$(awk '$1 == "Requests/sec:" {print $2}' "$work/wrk.txt")"
    local errors; errors="$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$work/wrk.txt")"
    echo "RESULT $kind round=$round load=\"$load\" label=$label requests=$requests rps=$rps" \
        "p50=$(awk -v key=50% "$get" "$work/wrk.txt") p90=$(awk -v key=90% "$get" "$work/wrk.txt")" \
        "p99=$(awk -v key=99% "$get" "$work/wrk.txt") max=$(awk '$1 == "Latency" {print $4}' "$work/wrk.txt")" \
        "errors=$errors cpu_ms_per_request=$(awk -v t=$((cpu_after - cpu_before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.3f", t * 1000 / hz / n}')" \
        "rss_mb_before=$rss_before rss_mb_after=$rss_after rss_mb_every_10s=\"$(cat "$work/rss.txt")\"" | tee -a "$work/results.txt"
}

echo "bench-serve: model $model (sha256 $(sha256sum "$model" | cut -c1-12)), CPU $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
for round in $(seq "$rounds"); do
    [ "$only" = peer ] || run stepwise "$round"
    [ "$only" = stepwise ] || run peer "$round"
done
echo
cat "$work/results.txt"
