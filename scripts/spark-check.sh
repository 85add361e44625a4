#!/usr/bin/env bash
# The Spark job's checks (CI runs them): local mode on the examples and 40 development-pack clips
# gives every input exactly once with the answer `genre classify` gives alone; and so does a run in
# which one task's `genre` process is killed mid-run (Spark retries the task, its output committer
# keeps one attempt). Skips, saying why, where Java cannot be installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
genre="$root/.build/release/genre"
[ -x "$genre" ] || { echo "build GenreKit first: scripts/setup.sh" >&2; exit 1; }
bin="$("$root/scripts/spark-env.sh")" || { echo "skipped: Java 17 or PySpark cannot be installed here" >&2; exit 0; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

list="$work/list.txt"
ls "$root"/Examples/*.mp3 > "$list"
pack="$root/../shared/datasets/gtzan"
if [ -f "$pack/manifest.csv" ]; then
  # 40 clips of every kind (originals, copies, parts, excerpts), spread over the manifest.
  tail -n +2 "$pack/manifest.csv" | awk -F, -v pack="$pack" 'NR % 11 == 1 { print pack "/" $6 }' | head -40 >> "$list"
else
  echo "note: $pack is absent; checking with the examples alone" >&2
fi
echo "$(wc -l < "$list") songs"
"$genre" classify --files-from "$list" --format jsonl --timeline --top 1000 --quiet > "$work/reference.jsonl" || true

check() {
  PATH="$bin:$PATH" "$bin/python" "$root/scripts/spark/check_output.py" "$1" "$work/reference.jsonl" 2> "$work/check.log" \
    || { tail -20 "$work/check.log"; exit 1; }
}

echo "== local mode"
"$root/scripts/spark-classify.sh" "$list" "$work/out" --master 'local[2,4]' > "$work/run.log" 2>&1 \
  || { tail -30 "$work/run.log"; exit 1; }
check "$work/out"

echo "== one task's genre killed mid-run"
"$root/scripts/spark-classify.sh" "$list" "$work/killed" --master 'local[2,4]' -- --songs-per-partition 15 \
  > "$work/killed.log" 2>&1 &
job=$!
# A partition's genre, killed once it has run half a second (one that ends first is let go and
# the next one is tried), while the job still runs.
killed=""
while [ -z "$killed" ] && kill -0 "$job" 2> /dev/null; do
  victim="$(pgrep -f -- "classify --files-from - --format jsonl" | head -1 || true)"
  if [ -z "$victim" ]; then sleep 0.1; continue; fi
  sleep 0.5
  if kill -9 "$victim" 2> /dev/null; then killed="$victim"; fi
done
[ -n "$killed" ] || { echo "the job ended before a genre process could be killed"; tail -30 "$work/killed.log"; exit 1; }
echo "killed genre process $killed"
wait "$job" || { tail -30 "$work/killed.log"; exit 1; }
grep -q "genre exited with status -9" "$work/killed.log" || { echo "the kill did not fail a task"; exit 1; }
check "$work/killed"
