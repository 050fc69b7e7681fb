#!/usr/bin/env bash
# The tests: install what is missing, build, run every test (Swift Testing).
# Tests that read MNIST use STEPWISE_DATA (the folder with the four IDX files); without it they are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product stepwise
swift test -c release -Xswiftc -enable-testing "$@"
