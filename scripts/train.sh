#!/usr/bin/env bash
# The main job: install what is missing, build the release binary, run the training workflow.
# Data: --data DIR or STEPWISE_DATA, else ./data/mnist (fetched from a public mirror if absent).
# Extra arguments are passed to `stepwise run train` (e.g. --set train.epochs=3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product stepwise
bin=$(swift build -c release --show-bin-path)/stepwise
if ! "$bin" data check "$@" >/dev/null 2>&1 && [ -z "${STEPWISE_DATA:-}" ]; then
    "$bin" data fetch --to data/mnist
fi
exec "$bin" run train "$@"
