#!/usr/bin/env bash
# Peak resident memory and time of each verb on one (long) audio file, as docs/cli.md reports them.
# Usage: scripts/measure-memory.sh FILE   (a one-hour WAV: ffmpeg -stream_loop 119 -i Examples/x.mp3 -t 3600 long.wav)
set -euo pipefail
cd "$(dirname "$0")/.."
file="$1"
genre=.build/release/genre
[[ -x "$genre" ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
report=$(mktemp)
trap 'rm -f "$report"' EXIT
for verb in "classify" "tags" "features --set msd-musicnn-penultimate" "features --segment-seconds 3" "features"; do
  # shellcheck disable=SC2086 # the verb's words are split on purpose
  /usr/bin/time -f "%M %e" -o "$report" "$genre" $verb -q "$file" > /dev/null
  read -r kilobytes seconds < <(tail -1 "$report")
  awk -v verb="genre $verb" -v kb="$kilobytes" -v s="$seconds" 'BEGIN { printf "%-45s %6.2f GB %8s s\n", verb, kb / 1e6, s }'
done
