#!/usr/bin/env bash
# Emulates, with ImageMagick, a preprocessing change measured in docs/PERFORMANCE.md ("Feedback loop"): divide
# out uneven lighting before MNIST-style preprocessing. For each opaque image: estimate the paper's large-scale
# brightness (median over a 32x32 downscale with an 11x11 window, so strokes do not count), take the absolute
# difference from it (ink becomes light on black whatever its polarity), then a 3x3 median to remove the
# single-pixel sensor noise that otherwise stretches the ink's bounding box to the whole image. Images with
# transparency are copied as they are.
#   scripts/handwriting/flatten-background.sh SRC_DIR DST_DIR     (then evaluate.sh DST_DIR)
set -euo pipefail
src=$1 dst=$2
export MAGICK_THREAD_LIMIT=1
mkdir -p "$dst"
cp "$src/labels.csv" "$dst/"
tail -n +2 "$src/labels.csv" | cut -d, -f1 | while read -r f; do
    if [[ $(/usr/bin/identify -format '%[channels]' "$src/$f") == *a* ]]; then
        cp "$src/$f" "$dst/$f"
        continue
    fi
    size=$(/usr/bin/identify -format '%wx%h' "$src/$f")
    /usr/bin/convert "$src/$f" -colorspace gray \
        \( +clone -resize '32x32!' -statistic median 11x11 -blur 0x2 -resize "$size!" \) \
        -compose difference -composite -statistic median 3x3 "$dst/$f"
done
