#!/usr/bin/env bash
# Songs per second on the same files: `genre classify` alone (every core), and the Spark job in
# local[1] and local[2]; Spark's overhead per song from the difference (docs/performance.md#spark).
# Usage: scripts/spark-bench.sh [COUNT]   (COUNT clips of the development pack, default 200)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
count="${1:-200}"
genre="$root/.build/release/genre"
pack="$root/../shared/datasets/gtzan"
[ -x "$genre" ] || { echo "build GenreKit first: scripts/setup.sh" >&2; exit 1; }
[ -f "$pack/manifest.csv" ] || { echo "needs the development pack at $pack" >&2; exit 1; }
"$root/scripts/spark-env.sh" > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tail -n +2 "$pack/manifest.csv" | awk -F, -v pack="$pack" '{ print pack "/" $6 }' | head -"$count" > "$work/list.txt"
seconds_of() { local start=$SECONDS; "$@" > /dev/null 2>&1; echo $((SECONDS - start)); }
songs=$(wc -l < "$work/list.txt")
alone=$(seconds_of "$genre" classify --files-from "$work/list.txt" --format jsonl --timeline --quiet)
one=$(seconds_of "$root/scripts/spark-classify.sh" "$work/list.txt" "$work/one" --master 'local[1]')
two=$(seconds_of "$root/scripts/spark-classify.sh" "$work/list.txt" "$work/two" --master 'local[2]')
awk -v n="$songs" -v a="$alone" -v o="$one" -v t="$two" -v cores="$(nproc)" 'BEGIN {
  printf "| run | seconds | songs/s |\n| --- | ---: | ---: |\n"
  printf "| genre classify alone (--jobs %d) | %d | %.2f |\n", cores, a, n / a
  printf "| Spark local[1] | %d | %.2f |\n", o, n / o
  printf "| Spark local[2] | %d | %.2f |\n", t, n / t
  printf "\n%d songs; Spark local[2] overhead: %.2f s per song over genre alone\n", n, (t - a) / n
}'
