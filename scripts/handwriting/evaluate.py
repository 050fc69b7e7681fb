#!/usr/bin/env python3
"""Accuracy of `stepwise predict --json` over a folder with labels.csv (python3 standard library only).

    evaluate.py DIR [--stepwise BIN] [--model FILE] [--preprocess mnist|plain] [--only FILE,...]
                    [--predictions OUT.csv] [--summary OUT.json] [--by font|label|canvas]
Prints the accuracy (and per font or per digit); --predictions writes file,label,predicted,confidence,font.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict


def predict(stepwise, model, preprocess, paths, chunk=400, options=(), exit_codes=(0, 1)):
    """`stepwise predict --json` of `paths` (in chunks), keyed by absolute path; `options` go on every command
    line, `exit_codes` are the ones that still printed results (1: some files unreadable; 2: all of those blank)."""
    results = {}
    for start in range(0, len(paths), chunk):
        command = [stepwise, "predict", "--json", "--preprocess", preprocess] + list(options)
        if model:
            command += ["--model", model]
        done = subprocess.run(command + paths[start:start + chunk], capture_output=True, text=True)
        if done.returncode not in exit_codes:
            sys.exit(f"{' '.join(command[:6])} … failed with exit code {done.returncode}:\n{done.stderr}")
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                results[os.path.abspath(record["file"])] = record
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--stepwise", default=".build/release/stepwise")
    parser.add_argument("--model")
    parser.add_argument("--preprocess", default="mnist", choices=["mnist", "plain"])
    parser.add_argument("--only", help="comma-separated file names: evaluate just these")
    parser.add_argument("--predictions", help="write one row per image to this CSV")
    parser.add_argument("--summary", help="write {correct, total, accuracy} to this JSON file")
    parser.add_argument("--by", choices=["font", "label", "canvas"], help="also print accuracy per font or per digit")
    options = parser.parse_args()

    with open(os.path.join(options.folder, "labels.csv"), newline="") as handle:
        rows = list(csv.DictReader(handle))
    if options.only:
        wanted = set(options.only.split(","))
        rows = [r for r in rows if r["file"] in wanted]
    if not rows:
        sys.exit(f"no images to evaluate in {options.folder}")
    paths = [os.path.abspath(os.path.join(options.folder, r["file"])) for r in rows]
    results = predict(options.stepwise, options.model, options.preprocess, paths)

    correct = 0
    groups = defaultdict(lambda: [0, 0])
    table = []
    for row, path in zip(rows, paths):
        record = results.get(path)
        predicted = record["label"] if record else -1  # unreadable: counted wrong
        ok = predicted == int(row["label"])
        correct += ok
        if options.by:
            group = groups[row[options.by]]
            group[0] += ok
            group[1] += 1
        table.append([row["file"], row["label"], predicted, f"{record['confidence']:.4f}" if record else "", row["font"]])
    total = len(rows)
    print(f"{options.folder} ({options.preprocess}): {correct}/{total} = {100 * correct / total:.1f}%")
    for name in sorted(groups):
        ok, count = groups[name]
        print(f"  {options.by} {name}: {ok}/{count} = {100 * ok / count:.1f}%")
    if options.predictions:
        with open(options.predictions, "w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["file", "label", "predicted", "confidence", "font"])
            writer.writerows(table)
    if options.summary:
        with open(options.summary, "w") as handle:
            json.dump({"correct": correct, "total": total, "accuracy": correct / total}, handle)


if __name__ == "__main__":
    main()
