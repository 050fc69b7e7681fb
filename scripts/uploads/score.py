#!/usr/bin/env python3
"""Scores `stepwise predict` on a folder made by render.py: accuracy per variant, against the 28x28 originals.

    score.py DIR [--stepwise BIN] [--model FILE] [--variants a,b,...] [--json OUT]

For each variant folder, runs `stepwise predict --json --explain` on every image and prints one Markdown table
row: images, right, accuracy, the accuracy of the same digits as 28x28 originals, the mean correlation of the
28x28 the model saw with the original digit, and what preprocessing did (flat paper kept as it is, or a photo's
lighting flattened, a stretched stroke narrowed, hollow strokes filled).
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "handwriting"))
from evaluate import predict  # noqa: E402  (the same chunked `stepwise predict --json` runner)


def correlation(a, b):
    a = a.astype(np.float64).ravel() - a.mean()
    b = b.astype(np.float64).ravel() - b.mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--stepwise", default=".build/release/stepwise")
    parser.add_argument("--model")
    parser.add_argument("--variants")
    parser.add_argument("--json", help="also write the numbers to this file")
    parser.add_argument("--no-explain", action="store_true",
                        help="for a stepwise without predict --explain: accuracy only, no correlation")
    options = parser.parse_args()

    with open(os.path.join(options.folder, "labels.csv"), newline="") as handle:
        labels = {int(r["index"]): int(r["label"]) for r in csv.DictReader(handle)}
    variants = options.variants.split(",") if options.variants else sorted(
        d for d in os.listdir(options.folder)
        if os.path.isdir(os.path.join(options.folder, d)) and d != "original" and not d.startswith("explained"))
    originals = {i: np.asarray(Image.open(os.path.join(options.folder, "original", f"{i:05d}.png")))
                 for i in labels}

    def score(variant):
        folder = os.path.join(options.folder, variant)
        files = {int(os.path.splitext(f)[0]): os.path.abspath(os.path.join(folder, f)) for f in os.listdir(folder)}
        explain = None if options.no_explain else os.path.join(options.folder, "explained", variant)
        results = predict(options.stepwise, options.model, "mnist", [files[i] for i in sorted(files)],
                          options=["--explain", explain] if explain else [], exit_codes=(0, 1, 2))
        right, correlations, flat, flattened, narrowed, filled = 0, [], 0, 0, 0, 0
        wrong = []
        for i, path in sorted(files.items()):
            record = results.get(path)
            if record and record["label"] == labels[i]:
                right += 1
            elif len(wrong) < 12:
                wrong.append(f"{i}:{labels[i]}->{record['label'] if record else '?'}")
            if record and explain:
                seen = np.asarray(Image.open(record["explained"]))
                correlations.append(correlation(seen, originals[i]))
                flat += "flat paper" in record["preprocessing"]
                flattened += "lighting flattened" in record["preprocessing"]
                narrowed += "stretched stroke narrowed" in record["preprocessing"]
                filled += "hollow strokes filled" in record["preprocessing"]
        return {"variant": variant, "images": len(files), "right": right, "accuracy": right / len(files),
                "correlation": float(np.mean(correlations)) if correlations else float("nan"),
                "flat": flat, "flattened": flattened, "narrowed": narrowed, "filled": filled, "wrong": wrong}

    baseline = score("original")
    rows = [baseline] + [score(v) for v in variants]
    print("| variant | images | right | accuracy | the 28x28 originals | correlation with the original | preprocessing |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        did = ("used as is" if r["variant"] == "original" else
               f"flat paper {r['flat']}, lighting flattened {r['flattened']}"
               + (f", stretched stroke narrowed {r['narrowed']}" if r["narrowed"] else "")
               + (f", hollow strokes filled {r['filled']}" if r["filled"] else ""))
        print(f"| {r['variant']} | {r['images']} | {r['right']} | {100 * r['accuracy']:.1f}% | "
              f"{100 * baseline['accuracy']:.1f}% | {r['correlation']:.3f} | {did} |")
    for r in rows:
        if r["wrong"]:
            print(f"{r['variant']}: first wrong (index:label->predicted) {' '.join(r['wrong'])}", file=sys.stderr)
    if options.json:
        with open(options.json, "w") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
