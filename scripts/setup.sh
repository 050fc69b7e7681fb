#!/usr/bin/env bash
# Installs the Debian packages Stepwise needs, and only those that are missing. Safe to run again.
# Extra package names as arguments are installed too (scripts/browser-test.sh: chromium, chromium-driver;
# scripts/test-slurm.sh: slurm-wlm, munge).
set -euo pipefail
packages=(pkg-config libopenblas-dev libpng-dev zlib1g-dev libturbojpeg0-dev gnuplot-nox libgnuplot-iostream-dev "$@")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "stepwise setup: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "stepwise setup: swift not found; install Swift 6.3 (https://swift.org/install)" >&2; exit 1; }
