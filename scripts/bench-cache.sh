#!/usr/bin/env bash
# Times writing and reading+verifying a cache entry the size of MNIST's training images, in release mode.
# The numbers are recorded in docs/PERFORMANCE.md ("Runner").
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! STEPWISE_BENCH=1 swift test -c release --filter CacheBenchmarkTests >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
grep 'cache bench:' "$log"
