#!/usr/bin/env bash
# Load test of `stepwise serve`: POST /api/predict of a 28x28 PNG with wrk, 16 connections (2 threads), and the
# p99 latency and requests per second it reports. Installs wrk (Debian) if missing. Starts its own server on a free
# port in a scratch project (SQLite log) with the model given, and stops it afterwards.
#
#     scripts/bench-serve.sh [--model PATH] [--duration 30s] [--connections 16] [--binary PATH]
# Default model: Outputs/models/cnn.safetensors (train one with `stepwise run train`).
set -euo pipefail
cd "$(dirname "$0")/.."
model=Outputs/models/cnn.safetensors duration=30s connections=16 binary=.build/release/stepwise
while (($#)); do
    case "$1" in
        --model) model="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        *) echo "usage: $0 [--model PATH] [--duration 30s] [--connections 16] [--binary PATH]" >&2; exit 2 ;;
    esac
done
[ -f "$model" ] || { echo "no model at $model: train one with \`stepwise run train\`, or pass --model" >&2; exit 4; }
[ -x "$binary" ] || { echo "no binary at $binary: swift build -c release" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
    echo "bench-serve: installing wrk" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
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

"$binary" serve --port 0 --project "$work/project" --model "$(realpath "$model")" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -qs "listening on" "$work/serve.log" && break; sleep 0.05; done
port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)"
[ -n "$port" ] || { cat "$work/serve.log" >&2; exit 1; }
url="http://127.0.0.1:$port/api/predict"
curl -sf -H 'Content-Type: image/png' --data-binary @"$work/digit.png" "$url" >/dev/null   # warm up
rss_before="$(ps -o rss= -p "$server" | tr -d ' ')"

echo "wrk -t2 -c$connections -d$duration --latency -s post.lua $url  (model $model, $(lscpu | sed -n 's/^Model name: *//p'))"
wrk -t2 -c"$connections" -d"$duration" --latency -s "$work/post.lua" "$url" | tee "$work/wrk.txt"
rss="$(ps -o rss= -p "$server" | tr -d ' ')"
p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
rps="$(awk '$1 == "Requests/sec:" {print $2}' "$work/wrk.txt")"
errors="$(grep -c 'Non-2xx\|Socket errors' "$work/wrk.txt" || true)"
echo "p99 $p99, $rps requests/s, server RSS $((rss_before / 1024)) MB before, $((rss / 1024)) MB after, error lines: $errors"
