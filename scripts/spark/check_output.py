"""Checks a Parquet output of classify_job.py against `genre classify --format jsonl --timeline` run
alone on the same list: every path exactly once, with the same genres, probabilities and timeline.
Usage: check_output.py OUTDIR REFERENCE.jsonl; exits 1 with the differences."""
import json
import sys

from pyspark.sql import SparkSession

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from classify_job import row  # noqa: E402  the job's own conversion, so both sides are rows alike

out, reference = sys.argv[1], sys.argv[2]
spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
rows = [tuple(r) for r in spark.read.parquet(out).collect()]
spark.stop()

with open(reference) as lines:
    expected = {answer["path"]: answer for answer in map(json.loads, lines)}
paths = [r[0] for r in rows]
problems = [f"{p}: {paths.count(p)} rows" for p in sorted(set(paths)) if paths.count(p) != 1]
problems += [f"{p}: missing" for p in sorted(set(expected) - set(paths))]
problems += [f"{p}: not in the list" for p in sorted(set(paths) - set(expected))]
for r in rows:
    if r[0] in expected:
        # Parquet gives maps and structs back as dicts and Rows: compare as plain values.
        got = (r[0], r[1], dict(r[2]) if r[2] is not None else None, [tuple(w) for w in r[3]] if r[3] is not None else None,
               r[4], r[5], r[6])
        want = row(expected[r[0]], r[5], r[6])
        if got != want:
            problems.append(f"{r[0]}: {got[:5]} != {want[:5]}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{len(rows)} paths, each once, as genre classify answers them alone")
