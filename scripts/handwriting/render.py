#!/usr/bin/env python3
"""Renders handwriting-font digits on photo-like canvases with ImageMagick (python3 standard library only).

Each image is one digit in one font with seeded random variation: canvas size and aspect, glyph size, rotation,
position off centre, pen thickness, ink colour, paper (gradient lighting, texture, noise, blur, JPEG artefacts),
sometimes light ink on a dark board, sometimes a transparent background. The same arguments give the same files.

    render.py --out DIR --fonts name,name --per-digit N --seed S
writes DIR/<font>_<digit>_<n>.png and DIR/labels.csv (file,label,font,canvas); canvas is paper, board (light
ink on a dark board) or transparent, with +jpeg when the image went through JPEG compression.
"""
import argparse
import concurrent.futures
import csv
import os
import random
import subprocess
import sys

# Debian package -> font file. Names are the <font> part of the image names.
FONTS = {
    "dkg": "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf",                 # fonts-dkg-handwriting
    "breip": "/usr/share/fonts/truetype/breip/Breip.ttf",                      # fonts-breip
    "bwbuild": "/usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf",    # fonts-bwht
    "bwlearn": "/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf",    # fonts-bwht
    "bwmentor": "/usr/share/fonts/opentype/bwht/BecauseWeMentor-Regular.otf",  # fonts-bwht
    "femke": "/usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf",          # fonts-femkeklaver
    "humor": "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf",            # fonts-humor-sans
    "klee": "/usr/share/fonts/truetype/klee/KleeOne-Regular.ttf",              # fonts-klee
    "rufscript": "/usr/share/fonts/truetype/rufscript/Rufscript010.ttf",       # fonts-rufscript
    "delphine": "/usr/share/fonts/truetype/sjfonts/Delphine.ttf",              # fonts-sjfonts
    "stevehand": "/usr/share/fonts/truetype/sjfonts/SteveHand.ttf",            # fonts-sjfonts
    "comicneue": "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf", # fonts-comic-neue
    "dancing": "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf",  # fonts-dancingscript
    "kaushan": "/usr/share/fonts/opentype/kaushanscript/KaushanScript-Regular.otf",  # fonts-kaushanscript
    "kristi": "/usr/share/fonts/truetype/kristi/Kristi.ttf",                   # fonts-kristi
}

CONVERT = "/usr/bin/convert"
# Without the date chunks ImageMagick adds, the same arguments give byte-identical files.
STABLE = ["-define", "png:exclude-chunks=date,time"]
# One thread per convert: the renderer already runs jobs in parallel, and OpenMP threads on busy cores only wait.
os.environ.setdefault("MAGICK_THREAD_LIMIT", "1")


def rgb(r, g, b):
    return f"rgb({int(r)},{int(g)},{int(b)})"


def plan(font, digit, rng):
    """The ImageMagick arguments for one image, and whether to pass it through JPEG."""
    short = rng.randint(60, 600)
    aspect = rng.uniform(0.75, 1.35)
    if rng.random() < 0.5:
        width, height = short, int(short * aspect)
    else:
        width, height = int(short * aspect), short
    side = min(width, height)
    pointsize = side * rng.uniform(0.45, 0.95)
    angle = rng.uniform(-15, 15)
    dx = rng.uniform(-0.14, 0.14) * width
    dy = rng.uniform(-0.12, 0.12) * height
    # Pen thickness: the font's own stroke, or thickened as with a marker.
    stroke = 0.0 if rng.random() < 0.5 else side * rng.uniform(0.004, 0.025)

    kind = rng.choices(["paper", "board", "transparent"], weights=[0.7, 0.15, 0.15])[0]
    args = [CONVERT]
    if kind == "transparent":
        args += ["-size", f"{width}x{height}", "xc:none"]
        ink = rgb(*[rng.randint(0, 60)] * 3) if rng.random() < 0.7 else rgb(*[rng.randint(200, 255)] * 3)
    else:
        if kind == "paper":
            base = [rng.randint(200, 250), rng.randint(195, 245), rng.randint(180, 240)]
            shade = rng.uniform(0.55, 0.95)  # how much darker the far side of the lighting gradient is
            ink = rng.choice([
                rgb(*[rng.randint(0, 50)] * 3),                                            # black pen
                rgb(rng.randint(10, 40), rng.randint(20, 60), rng.randint(90, 160)),       # blue pen
                rgb(*[rng.randint(60, 110)] * 3),                                          # pencil
            ])
        else:
            base = [rng.randint(25, 70), rng.randint(40, 80), rng.randint(30, 65)]
            shade = rng.uniform(0.6, 1.0)
            ink = rgb(*[rng.randint(190, 250)] * 3)                                        # chalk
        far = [c * shade for c in base]
        x0, y0 = rng.uniform(0, width), rng.uniform(0, height)
        x1, y1 = rng.uniform(0, width), rng.uniform(0, height)
        args += ["-size", f"{width}x{height}", "xc:white", "-sparse-color", "Shepards",
                 f"{x0:.0f},{y0:.0f} {rgb(*base)} {x1:.0f},{y1:.0f} {rgb(*far)}"]
        # Paper texture: grainy noise, softened so it looks like fibres rather than sensor noise.
        args += ["-seed", str(rng.randint(1, 2**31 - 1)), "-attenuate", f"{rng.uniform(0.2, 0.8):.2f}",
                 "+noise", "Gaussian", "-blur", f"0x{rng.uniform(0.4, 1.5):.2f}"]
    args += ["-font", FONTS[font], "-pointsize", f"{pointsize:.1f}", "-fill", ink, "-gravity", "center"]
    if stroke > 0:
        args += ["-stroke", ink, "-strokewidth", f"{stroke:.2f}"]
    args += ["-annotate", f"{angle:.1f}x{angle:.1f}{dx:+.0f}{dy:+.0f}", str(digit)]
    if kind != "transparent":
        # The camera: a little blur and sensor noise.
        args += ["-blur", f"0x{rng.uniform(0.0, 0.012) * side:.2f}",
                 "-seed", str(rng.randint(1, 2**31 - 1)), "-attenuate", f"{rng.uniform(0.1, 0.6):.2f}",
                 "+noise", "Gaussian"]
    jpeg = kind != "transparent" and rng.random() < 0.5
    quality = rng.randint(25, 85)
    return args, kind, jpeg, quality


def render(job):
    out, font, digit, n, seed, labels_only = job
    rng = random.Random(f"{seed}/{font}/{digit}/{n}")
    args, kind, jpeg, quality = plan(font, digit, rng)
    name = f"{font}_{digit}_{n}.png"
    path = os.path.join(out, name)
    canvas = kind + ("+jpeg" if jpeg else "")
    if labels_only:
        return name, digit, font, canvas
    if jpeg:
        first = subprocess.run(args + ["-quality", str(quality), "jpg:-"], check=True, capture_output=True)
        subprocess.run([CONVERT, "jpg:-"] + STABLE + [f"PNG24:{path}"], input=first.stdout, check=True, capture_output=True)
    elif kind == "transparent":
        subprocess.run(args + STABLE + [f"PNG32:{path}"], check=True, capture_output=True)
    else:
        subprocess.run(args + STABLE + [f"PNG24:{path}"], check=True, capture_output=True)
    return name, digit, font, canvas


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--fonts", default=",".join(FONTS), help="comma-separated names: " + ", ".join(FONTS))
    parser.add_argument("--per-digit", type=int, required=True, help="images of each digit in each font")
    parser.add_argument("--seed", required=True, help="different seeds give different random draws")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--labels-only", action="store_true", help="write labels.csv without rendering")
    options = parser.parse_args()
    fonts = [f for f in options.fonts.split(",") if f]
    unknown = [f for f in fonts if f not in FONTS]
    if unknown:
        sys.exit(f"unknown font(s) {', '.join(unknown)}; known: {', '.join(FONTS)}")
    missing = [FONTS[f] for f in fonts if not os.path.exists(FONTS[f])]
    if missing:
        sys.exit(f"font file(s) missing: {', '.join(missing)}: run scripts/handwriting/generate.sh, which installs them")
    os.makedirs(options.out, exist_ok=True)
    jobs = [(options.out, f, d, n, options.seed, options.labels_only) for f in fonts for d in range(10) for n in range(options.per_digit)]
    with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
        rows = list(pool.map(render, jobs))
    with open(os.path.join(options.out, "labels.csv"), "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "label", "font", "canvas"])
        writer.writerows(rows)
    print(f"{len(rows)} images in {options.out}")


if __name__ == "__main__":
    main()
