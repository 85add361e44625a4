#!/usr/bin/env bash
# Classifies the audio files listed in LIST (one path per line) on Apache Spark and writes Parquet
# to OUTDIR: path, top_genre, probabilities, timeline, error, genrekit_version, model_id.
# Usage: scripts/spark-classify.sh LIST OUTDIR [spark-submit options] [-- job options]
#   Without --master it runs in local mode on every core (local[*,4]: a failed task is retried up to
#   4 times, as on a cluster). Job options: --genre PATH (the binary on every executor; default
#   this checkout's), --bundle FILE, --songs-per-partition N. See docs/performance.md#spark.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 2 ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
list="$1" out="$2"
shift 2
submit=() job=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; job=("$@"); break; fi
  submit+=("$1"); shift
done
genre="$root/.build/release/genre"
[[ " ${job[*]-} " == *" --genre "* ]] || {
  [ -x "$genre" ] || { echo "build GenreKit first: scripts/setup.sh" >&2; exit 1; }
  job+=(--genre "$genre")
}
bin="$("$root/scripts/spark-env.sh")"
# Spark's launchers and workers run `python3`: the venv's, which has PySpark.
export PATH="$bin:$PATH" PYSPARK_PYTHON="$bin/python"
exec "$bin/spark-submit" --master 'local[*,4]' --conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false \
  "${submit[@]}" "$root/scripts/spark/classify_job.py" "$list" "$out" "${job[@]}"
