#!/usr/bin/env python3
"""Renders MNIST test digits the way people upload digits (Pillow and numpy).

    render.py MNIST_DIR OUT [--count N] [--seed S] [--variants a,b,...]

For each of the first N test digits (default 1000) and each variant, writes OUT/<variant>/<index>.<png|jpg>, plus
OUT/original/<index>.png (the 28x28 digit as MNIST has it) and OUT/labels.csv (index,label). The same arguments
give the same files. The variants (see VARIANTS) are MNIST digits only, so anyone can rerun the benchmark.
"""
import argparse
import csv
import gzip
import io
import math
import os
import random
import struct
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def load_mnist_test(folder):
    def read(name):
        path = os.path.join(folder, name)
        if os.path.exists(path + ".gz"):
            return gzip.open(path + ".gz").read()
        return open(path, "rb").read()

    images = read("t10k-images-idx3-ubyte")
    labels = read("t10k-labels-idx1-ubyte")
    magic, count, rows, cols = struct.unpack(">IIII", images[:16])
    if magic != 2051 or (rows, cols) != (28, 28):
        sys.exit(f"{folder}: t10k-images-idx3-ubyte is not an MNIST image file")
    if struct.unpack(">II", labels[:8])[0] != 2049:
        sys.exit(f"{folder}: t10k-labels-idx1-ubyte is not an MNIST label file")
    pixels = np.frombuffer(images, dtype=np.uint8, offset=16).reshape(count, 28, 28)
    return pixels, np.frombuffer(labels, dtype=np.uint8, offset=8)


def ink_box(a, threshold=0):
    ys, xs = np.nonzero(a > threshold)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def image(a):
    return Image.fromarray(np.asarray(a, dtype=np.uint8), mode="L")


def upscale(digit, factor):
    return image(digit).resize((28 * factor, 28 * factor), Image.BICUBIC)


def invert(img):
    return img.point(lambda v: 255 - v)


# Each variant: digit (28x28 uint8, white on black), rng -> (PIL image, "png" or ("jpg", quality)).

def tight_stretched(d, rng):
    x0, y0, x1, y1 = ink_box(d)
    return image(d).crop((x0, y0, x1, y1)).resize((56, 56), Image.BICUBIC), "png"


def tight(d, rng):
    x0, y0, x1, y1 = ink_box(d)
    crop = image(d).crop((x0, y0, x1, y1))
    scale = rng.uniform(2, 6)
    return crop.resize((max(1, round(crop.width * scale)), max(1, round(crop.height * scale))), Image.BICUBIC), "png"


def margin(d, rng):
    x0, y0, x1, y1 = ink_box(d)
    box = (max(0, x0 - 4), max(0, y0 - 4), min(28, x1 + 4), min(28, y1 + 4))
    return image(d).crop(box).resize((64, 64), Image.BICUBIC), "png"


def upscaled(d, rng):
    return upscale(d, rng.randint(2, 8)), "png"


def inverted(d, rng):
    return invert(upscale(d, rng.randint(1, 6))), "png"


def paper(d, rng):
    """Dark ink on lit paper, photographed: lighting gradient, grain, camera blur, sensor noise, JPEG 30-90."""
    w, h = rng.randint(160, 480), rng.randint(160, 480)
    size = int(min(w, h) * rng.uniform(0.5, 0.9))
    ink = np.asarray(image(d).resize((size, size), Image.BICUBIC), dtype=np.float64) / 255
    canvas = np.zeros((h, w))
    x, y = rng.randint(0, w - size), rng.randint(0, h - size)
    canvas[y:y + size, x:x + size] = ink
    bright = rng.uniform(190, 245)
    dark_side = rng.uniform(0.55, 0.95)
    angle = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w]
    t = ((xx - w / 2) * math.cos(angle) + (yy - h / 2) * math.sin(angle)) / (0.5 * math.hypot(w, h)) * 0.5 + 0.5
    light = bright * (dark_side + (1 - dark_side) * np.clip(t, 0, 1))
    ink_level = rng.uniform(0.08, 0.35)  # fraction of the light the ink reflects
    nprng = np.random.default_rng(rng.randrange(2 ** 32))
    grain = nprng.normal(0, rng.uniform(1, 4), (h, w))
    photo = light * (1 - canvas * (1 - ink_level)) + grain
    img = image(np.clip(photo, 0, 255)).filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.5)))
    noisy = np.asarray(img, dtype=np.float64) + nprng.normal(0, rng.uniform(1, 6), (h, w))
    return image(np.clip(noisy, 0, 255)), ("jpg", rng.randint(30, 90))


def pen(d, factor, filter_size, grow):
    big = upscale(d, factor)
    return invert(big.filter(ImageFilter.MaxFilter(filter_size) if grow else ImageFilter.MinFilter(filter_size)))


def thin_pen(d, rng):
    """Thinner strokes than MNIST's: the 4x digit eroded, dark on white."""
    return pen(d, 4, 3, grow=False), "png"


def thick_pen(d, rng):
    """Thicker strokes: the 4x digit dilated by 5 or 7 pixels, dark on white."""
    return pen(d, 4, rng.choice([5, 7]), grow=True), "png"


def outline(d, rng):
    """Hollow strokes: only the outline of each stroke (as outline fonts and bubble writing draw them), 2-4 px at
    4x, dark on white; traced at 8x and reduced, so the lines are antialiased."""
    strokes = upscale(d, 8).point(lambda v: 255 if v > 128 else 0)
    inside = strokes.filter(ImageFilter.MinFilter(rng.choice([5, 7, 9])))
    ring = np.asarray(strokes, dtype=np.int16) - np.asarray(inside, dtype=np.int16)
    return invert(image(ring).resize((112, 112), Image.LANCZOS)), "png"


def rotated(d, rng):
    big = upscale(d, 4)
    turned = big.rotate(rng.uniform(-15, 15), resample=Image.BICUBIC, expand=True, fillcolor=0)
    return invert(turned), "png"


def off_centre(d, rng):
    """A small dark digit somewhere on a large white canvas."""
    w, h = rng.randint(300, 640), rng.randint(240, 480)
    size = rng.randint(40, 120)
    digit = invert(image(d).resize((size, size), Image.BICUBIC))
    canvas = Image.new("L", (w, h), 255)
    canvas.paste(digit, (rng.randint(0, w - size), rng.randint(0, h - size)))
    return canvas, "png"


def skeleton(binary):
    """Zhang-Suen thinning of a boolean array (numpy, vectorised)."""
    img = np.pad(binary.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p2, p3, p4 = img[:-2, 1:-1], img[:-2, 2:], img[1:-1, 2:]
            p5, p6, p7 = img[2:, 2:], img[2:, 1:-1], img[2:, :-2]
            p8, p9 = img[1:-1, :-2], img[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            neighbours = sum(ring[:8])
            transitions = sum(((ring[i] == 0) & (ring[i + 1] == 1)).astype(np.uint8) for i in range(8))
            if step == 0:
                a, b = p2 * p4 * p6, p4 * p6 * p8
            else:
                a, b = p2 * p4 * p8, p2 * p6 * p8
            centre = img[1:-1, 1:-1]
            remove = (centre == 1) & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1) & (a == 0) & (b == 0)
            if remove.any():
                centre[remove] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def canvas_strokes(d, rng):
    """The digit's skeleton redrawn with an antialiased round pen on a large white canvas, as a drawing page's
    canvas makes it (drawn at 4x and reduced, which antialiases the pen's edge)."""
    bones = skeleton(np.asarray(upscale(d, 4)) > 128)
    side = rng.choice([200, 280, 400])
    digit = side * rng.uniform(0.5, 0.85)
    supersample = 4
    scale = digit / 112 * supersample
    ox = rng.uniform(0, side - digit) * supersample
    oy = rng.uniform(0, side - digit) * supersample
    radius = side * rng.uniform(0.025, 0.045) * supersample
    big = Image.new("L", (side * supersample, side * supersample), 255)
    draw = ImageDraw.Draw(big)
    ys, xs = np.nonzero(bones)
    for y, x in zip(ys, xs):
        cx, cy = ox + (x + 0.5) * scale, oy + (y + 0.5) * scale
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=0)
        # Join to right and lower neighbours so the stroke stays whole when the scale spreads the points apart.
        for dx, dy in ((1, 0), (0, 1), (1, 1), (-1, 1)):
            ny, nx = y + dy, x + dx
            if 0 <= ny < bones.shape[0] and 0 <= nx < bones.shape[1] and bones[ny, nx]:
                draw.line((cx, cy, cx + dx * scale, cy + dy * scale), fill=0, width=int(2 * radius))
    return big.resize((side, side), Image.LANCZOS), "png"


VARIANTS = {
    "tight-stretched": tight_stretched,
    "tight": tight,
    "margin": margin,
    "upscaled": upscaled,
    "inverted": inverted,
    "paper-jpeg": paper,
    "thin-pen": thin_pen,
    "thick-pen": thick_pen,
    "outline": outline,
    "rotated": rotated,
    "off-centre": off_centre,
    "canvas-strokes": canvas_strokes,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mnist")
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    options = parser.parse_args()
    names = options.variants.split(",")
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    digits, labels = load_mnist_test(options.mnist)
    os.makedirs(os.path.join(options.out, "original"), exist_ok=True)
    with open(os.path.join(options.out, "labels.csv"), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["index", "label"])
        for i in range(options.count):
            writer.writerow([i, int(labels[i])])
            image(digits[i]).save(os.path.join(options.out, "original", f"{i:05d}.png"))
    for name in names:
        folder = os.path.join(options.out, name)
        os.makedirs(folder, exist_ok=True)
        for i in range(options.count):
            # One generator per digit and variant: a variant's images do not depend on which others were rendered.
            rng = random.Random(f"{options.seed}/{name}/{i}")
            img, kind = VARIANTS[name](digits[i], rng)
            if kind == "png":
                img.save(os.path.join(folder, f"{i:05d}.png"))
            else:
                img.save(os.path.join(folder, f"{i:05d}.jpg"), quality=kind[1])


if __name__ == "__main__":
    main()
