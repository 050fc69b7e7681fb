#!/usr/bin/env bash
# The tests: install what is missing, build (release, so the numeric tests and the end-to-end runs are quick),
# run every test (Swift Testing). The checks of the real MNIST files use STEPWISE_DATA (the folder with the four
# IDX files) and are skipped without it; every other test runs on small synthetic IDX files. The server's tests
# get a throwaway PostgreSQL (scripts/test-postgres.sh, unless STEPWISE_TEST_POSTGRES is already set) and check
# answers against docs/openapi.yaml with Python (PyYAML and jsonschema, installed into .venv-test if the system
# Python lacks them). Then the page in a headless browser (scripts/browser-test.sh) against the binary the tests
# built, and a sweep on a real single-node Slurm (scripts/test-slurm.sh: installs Debian's slurm-wlm and munge,
# starts and stops its own daemons; as root only).
set -euo pipefail
cd "$(dirname "$0")/.."
# Fashion-MNIST (Debian's dataset-fashion-mnist, 30 MB) for the tests that read it through the MNIST reader.
scripts/setup.sh dataset-fashion-mnist

if ! python3 -c 'import yaml, jsonschema' 2>/dev/null; then
    [ -x .venv-test/bin/python ] || python3 -m venv .venv-test
    .venv-test/bin/python -c 'import yaml, jsonschema' 2>/dev/null || .venv-test/bin/pip install -q pyyaml jsonschema
    export STEPWISE_PYTHON="$PWD/.venv-test/bin/python"
fi

if [ -z "${STEPWISE_TEST_POSTGRES:-}" ]; then
    STEPWISE_TEST_POSTGRES="$(scripts/test-postgres.sh start)"
    export STEPWISE_TEST_POSTGRES
    trap 'scripts/test-postgres.sh stop "$STEPWISE_TEST_POSTGRES"' EXIT
fi

# The tests build with -enable-testing into their own folder: sharing .build/ with the plain release build of
# scripts/train.sh would make each rebuild everything the other built.
build=(-c release -Xswiftc -enable-testing --scratch-path .build-testing)
swift test "${build[@]}" "$@"
bin="$(swift build "${build[@]}" --show-bin-path)/stepwise"
scripts/browser-test.sh "$bin"
timeout 600 scripts/test-slurm.sh "$bin"
