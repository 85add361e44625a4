"""Classifies a list of audio files on Apache Spark with GenreKit's own binary, writing Parquet.

Each partition of the list is piped through one `genre classify --files-from - --format jsonl`
process, which answers every path with one JSON line (or an error line). A partition whose process
dies, or does not answer every path, fails its task, and Spark runs the task again; Spark's output
committer keeps only the files of each task's successful attempt, so every path appears exactly
once in the output, however many attempts it took. Run through scripts/spark-classify.sh.
"""
import argparse
import hashlib
import json
import math
import subprocess
import threading

from pyspark.sql import SparkSession
from pyspark.sql import types as T

SCHEMA = T.StructType([
    T.StructField("path", T.StringType(), False),
    T.StructField("top_genre", T.StringType(), True),
    T.StructField("probabilities", T.MapType(T.StringType(), T.DoubleType()), True),
    T.StructField("timeline", T.ArrayType(T.StructType([
        T.StructField("start_seconds", T.DoubleType()),
        T.StructField("end_seconds", T.DoubleType()),
        T.StructField("genre", T.StringType()),
        T.StructField("probability", T.DoubleType()),
    ])), True),
    T.StructField("error", T.StringType(), True),
    T.StructField("genrekit_version", T.StringType(), False),
    T.StructField("model_id", T.StringType(), False),
])


def row(answer, version, model_id):
    """A Parquet row from one JSON line of `genre classify --timeline`."""
    if "error" in answer:
        return (answer["path"], None, None, None, answer["error"], version, model_id)
    genres = answer["genres"]
    # JSON writes whole numbers without a fraction; Parquet's columns are doubles.
    timeline = [(float(w["start_seconds"]), float(w["end_seconds"]), w["genres"][0]["genre"],
                 float(w["genres"][0]["probability"])) for w in answer.get("windows", [])]
    return (answer["path"], genres[0]["genre"], {g["genre"]: float(g["probability"]) for g in genres}, timeline, None,
            version, model_id)


def classify_partition(paths, command, version, model_id):
    """Pipes the partition's paths through one `genre` process; fails unless each gets one line."""
    paths = list(paths)
    if not paths:
        return
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def feed():
        for path in paths:
            process.stdin.write(path + "\n")
        process.stdin.close()

    # Written from a thread, so that a full stdout pipe cannot block the writer.
    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    answers = [json.loads(line) for line in process.stdout]
    writer.join()
    status = process.wait()
    # Status 1 means some files failed, each with its error line; anything else is a failed task.
    answered = [a["path"] for a in answers]
    if status not in (0, 1) or sorted(answered) != sorted(paths):
        raise RuntimeError(f"genre exited with status {status} after answering {len(answered)} of {len(paths)} paths")
    for answer in answers:
        yield row(answer, version, model_id)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("list", help="a text file of audio paths, one per line, where every executor can read them")
    parser.add_argument("output", help="the Parquet folder to write (replaced)")
    parser.add_argument("--genre", required=True, help="the genre binary's path on every executor")
    parser.add_argument("--bundle", help="a model bundle's path on every executor (default: the embedded model)")
    parser.add_argument("--songs-per-partition", type=int, default=100,
                        help="a failed task re-runs this many songs; each partition starts one genre process")
    args = parser.parse_args()

    spark = SparkSession.builder.appName("genrekit-classify").getOrCreate()
    context = spark.sparkContext
    version = subprocess.run([args.genre, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if args.bundle:
        with open(args.bundle, "rb") as bundle:
            model_id = "sha256:" + hashlib.sha256(bundle.read()).hexdigest()
    else:
        model_id = f"embedded:{version}"
    # One genre per task, with as many jobs as the cores a task holds (spark.task.cpus).
    jobs = int(context.getConf().get("spark.task.cpus", "1"))
    command = [args.genre, "classify", "--files-from", "-", "--format", "jsonl", "--timeline", "--top", "1000",
               "--quiet", "--jobs", str(jobs)] + (["--bundle", args.bundle] if args.bundle else [])

    paths = context.textFile(args.list).map(str.strip).filter(bool).distinct()
    count = paths.count()
    partitions = max(context.defaultParallelism, math.ceil(count / args.songs_per_partition))
    rows = paths.repartition(partitions).mapPartitions(lambda part: classify_partition(part, command, version, model_id))
    spark.createDataFrame(rows, SCHEMA).write.mode("overwrite").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
