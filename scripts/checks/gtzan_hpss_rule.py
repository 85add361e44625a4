"""Checks that librosa 0.11 itself passes GTZANTableTests' rule for the HPSS columns of the published
GTZAN table (harmony/perceptr variances within 5% or 2e-6, means within 5e-5) on every original clip
of the development pack, so that the rule tests GenreKit against the table, not the table's own noise.

    .venv-ref/bin/python scripts/checks/gtzan_hpss_rule.py ../shared/datasets/gtzan
(scripts/reference-env.sh makes the environment.) Prints each clip outside the rule and a summary.
"""
import csv
import os
import sys

import librosa
import numpy as np

root = sys.argv[1]
table = {r["filename"]: r for r in csv.DictReader(open(os.path.join(root, "features_30_sec.csv")))}
originals = [r for r in csv.DictReader(open(os.path.join(root, "manifest.csv"))) if r["original"] == "yes"]


def within(column, actual, expected):
    if column.endswith("_var"):
        return abs(actual - expected) <= 0.05 * abs(expected) or abs(actual - expected) <= 2e-6
    return abs(actual - expected) <= 5e-5


outside = 0
for clip in originals:
    y, _ = librosa.load(os.path.join(root, clip["path"]), sr=22050)
    harmonic, percussive = librosa.effects.hpss(y, pad_mode="reflect")
    values = {"harmony_mean": np.mean(harmonic), "harmony_var": np.var(harmonic),
              "perceptr_mean": np.mean(percussive), "perceptr_var": np.var(percussive)}
    row = table[clip["id"] + ".wav"]
    for column, value in values.items():
        if not within(column, float(value), float(row[column])):
            outside += 1
            print(f"{clip['id']} {column}: librosa {value:.6g}, table {float(row[column]):.6g}")
print(f"{len(originals)} original clips, {outside} HPSS values outside the rule")
sys.exit(1 if outside else 0)
