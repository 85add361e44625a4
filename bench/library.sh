#!/usr/bin/env bash
# What the index adds to classifying: the same songs classified (`genre classify`, JSON to a file)
# and scanned into a fresh library (`genre library scan`: tags, genres, MSD tags, embedding, audio
# hash, one SQLite transaction a file), alternately, best of three each; the ratio is the index's
# overhead. Songs: the first FILES full-length clips of the GTZAN pack's manifest (../shared), else
# the three bundled examples.
# Usage: bench/library.sh [files, default 40]
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-40}"
[ -x .build/release/genre ] || scripts/setup.sh >/dev/null
genre="$PWD/.build/release/genre"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir "$work/songs"
pack=../shared/datasets/gtzan
if [ -f "$pack/manifest.csv" ]; then
  awk -F, -v n="$files" 'NR > 1 && $4 == "full" && ++k <= n { print $6 }' "$pack/manifest.csv" |
    while read -r path; do cp "$pack/$path" "$work/songs/"; done
else
  cp Examples/*.mp3 "$work/songs/"
fi
count=$(ls "$work/songs" | wc -l)

seconds() {  # seconds <command...>: wall-clock time of one run
  /usr/bin/time -f "%e" -o "$work/t" "$@" >/dev/null 2>&1
  cat "$work/t"
}
classify=(); scan=()
for _ in 1 2 3; do
  classify+=("$(seconds "$genre" classify "$work/songs" --format json)")
  rm -f "$work"/library.sqlite*
  scan+=("$(seconds "$genre" library scan "$work/songs" --db "$work/library.sqlite" --quiet)")
done
best() { printf '%s\n' "$@" | sort -n | head -1; }
c=$(best "${classify[@]}"); s=$(best "${scan[@]}")
echo "$count songs, $(nproc) cores, best of 3: genre classify $c s, genre library scan $s s:" \
     "the index adds $(awk -v c="$c" -v s="$s" 'BEGIN { printf "%+.1f%%", 100 * (s - c) / c }')" \
     "(runs: classify ${classify[*]} s; scan ${scan[*]} s)"
