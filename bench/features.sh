#!/usr/bin/env bash
# Benchmark: the full gtzan57 extraction (decode included) of GTZAN clips, librosa 0.11 against
# GenreKit on the same clips in one run, both pinned to one core; then GenreKit's folder throughput
# on one core and on all cores. Usage: bench/features.sh [number of clips, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-20}"
gtzan="../shared/datasets/gtzan"
[ -d "$gtzan" ] || { echo "bench: $gtzan is absent: nothing to measure" >&2; exit 1; }

python="$(scripts/reference-env.sh)"
scripts/setup.sh >/dev/null
genre=.build/release/genre

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
grep ',yes,' "$gtzan/manifest.csv" | cut -d, -f6 | head -n "$count" | while read -r clip; do
  ln -s "$(cd "$gtzan" && pwd)/$clip" "$work/$(basename "$clip")"
done
clips=("$work"/*.flac)
n=${#clips[@]}
# Wall-clock seconds of a command, its output discarded.
seconds() { local t0; t0=$(date +%s.%N); "$@" >/dev/null; awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1

echo "gtzan57 extraction of $n GTZAN clips (30 s, 22050 Hz), decode included, one core:"
librosa_s=$(taskset -c 0 "$python" - "${clips[@]}" <<'PY'
import sys, time
sys.path.insert(0, "bench")
import librosa
from gtzan57_librosa import gtzan57
paths = sys.argv[1:]
y, sr = librosa.load(paths[0], sr=22050); gtzan57(y, sr)   # warm-up: numba compiles on first use
start = time.perf_counter()
for p in paths:
    y, sr = librosa.load(p, sr=22050)
    gtzan57(y, sr)
print(time.perf_counter() - start)
PY
)
"$genre" features --quiet "${clips[0]}" >/dev/null   # warm-up, as librosa's: binary and libraries in memory
genrekit_s=$(seconds taskset -c 0 "$genre" features --jobs 1 --quiet "${clips[@]}")
awk -v l="$librosa_s" -v g="$genrekit_s" -v n="$n" 'BEGIN {
  printf "  librosa 0.11: %7.1f ms per clip\n", 1000 * l / n
  printf "  GenreKit:     %7.1f ms per clip (whole process)\n", 1000 * g / n
  printf "  ratio:        %7.1fx faster\n", l / g }'

echo "genre features on the folder of $n clips:"
one=$(seconds taskset -c 0 "$genre" features --jobs 1 --quiet "$work")
all=$(seconds "$genre" features --quiet "$work")
awk -v a="$one" -v b="$all" -v n="$n" -v c="$(getconf _NPROCESSORS_ONLN)" 'BEGIN {
  printf "  one core:   %6.2f s (%.1f clips/s)\n", a, n / a
  printf "  %d cores:    %6.2f s (%.1f clips/s), speed-up %.2fx\n", c, b, n / b, a / b }'
