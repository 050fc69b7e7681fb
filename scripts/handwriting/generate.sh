#!/usr/bin/env bash
# Makes the handwriting sets the feedback-loop measurements use (not MNIST: digits drawn with handwriting fonts
# on photo-like canvases). Installs ImageMagick and the fonts from Debian if they are missing.
#
#   scripts/handwriting/generate.sh [OUT]          # default OUT: Outputs/handwriting
#
# OUT/benchmark/      every font, PER_DIGIT_BENCH draws of each digit: preprocessing on its own (before feedback)
# OUT/feedback-pool/  the "user's handwriting" (FEEDBACK_FONTS): the 20 feedback images are picked from here
# OUT/unseen/         the same fonts, other random draws: "other unseen digits of that kind"
# Each folder has <font>_<digit>_<n>.png and labels.csv. The same settings give the same images.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-Outputs/handwriting}
FEEDBACK_FONTS=${FEEDBACK_FONTS:-kristi,dancing,stevehand,femke}
PER_DIGIT_BENCH=${PER_DIGIT_BENCH:-5}
PER_DIGIT_FEEDBACK=${PER_DIGIT_FEEDBACK:-6}

packages=(imagemagick fonts-dkg-handwriting fonts-breip fonts-bwht fonts-femkeklaver fonts-humor-sans fonts-klee
          fonts-rufscript fonts-sjfonts fonts-comic-neue fonts-dancingscript fonts-kaushanscript fonts-kristi)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

render=scripts/handwriting/render.py
rm -rf "$OUT/benchmark" "$OUT/feedback-pool" "$OUT/unseen"
python3 "$render" --out "$OUT/benchmark" --per-digit "$PER_DIGIT_BENCH" --seed benchmark
python3 "$render" --out "$OUT/feedback-pool" --fonts "$FEEDBACK_FONTS" --per-digit "$PER_DIGIT_FEEDBACK" --seed feedback
python3 "$render" --out "$OUT/unseen" --fonts "$FEEDBACK_FONTS" --per-digit "$PER_DIGIT_FEEDBACK" --seed unseen
