#!/usr/bin/env bash
# The page in a real headless browser (scripts/browser-test/test_page.py): installs Debian's chromium and
# chromium-driver if missing, and Selenium from PyPI into a venv under .build-venv/browser-test/ if missing,
# then runs the test against a built binary. Builds nothing itself.
#
#   scripts/browser-test.sh [path/to/stepwise]      (default: .build/release/stepwise)
#
# Exits non-zero when the test fails. Skips (exit 0, saying why) only when chromium cannot start here.
# STEPWISE_SCREENSHOTS=DIR saves the page after a prediction (desktop and phone) in DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/release/stepwise}"
if [ ! -x "$binary" ]; then
    echo "browser test: no stepwise binary at $binary (build it first: swift build -c release)" >&2
    exit 1
fi

extra=(chromium chromium-driver)
python3 -c 'import ensurepip' 2>/dev/null || extra+=(python3-venv)
scripts/setup.sh "${extra[@]}"

venv=.build-venv/browser-test
if ! "$venv/bin/python" -c 'import selenium' 2>/dev/null; then
    echo "browser test: installing selenium into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check selenium
fi

# Can chromium start at all here (a container without the kernel features it needs, no shared memory)?
if ! timeout 60 chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --dump-dom about:blank \
        >/dev/null 2>/tmp/stepwise-chromium-check.$$; then
    echo "browser test: SKIPPED: chromium cannot start on this machine:" >&2
    tail -5 /tmp/stepwise-chromium-check.$$ >&2 || true
    rm -f /tmp/stepwise-chromium-check.$$
    exit 0
fi
rm -f /tmp/stepwise-chromium-check.$$

exec "$venv/bin/python" scripts/browser-test/test_page.py "$binary"
