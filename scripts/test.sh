#!/usr/bin/env bash
# The tests: install what is missing, build (release, so the numeric tests and the end-to-end runs are quick),
# run every test (Swift Testing). Tests that read MNIST use STEPWISE_DATA (the folder with the four IDX files);
# without it they are skipped. Then the page in a headless browser (scripts/browser-test.sh) against the binary the
# tests built.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift test -c release -Xswiftc -enable-testing "$@"
scripts/browser-test.sh "$(swift build -c release --show-bin-path)/stepwise"
