#!/usr/bin/env bash
# Benchmark: the full gtzan57 extraction (decode included) of GTZAN clips, librosa 0.11 against
# GenreKit on the same clips in one run, both pinned to one core; then GenreKit's folder throughput
# on one core and on all cores.
# Usage: bench/features.sh [number of clips, default 20] [passes of each side, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-20}" repeats="${2:-5}"
gtzan="../shared/datasets/gtzan"
[ -d "$gtzan" ] || { echo "bench: $gtzan is absent: nothing to measure" >&2; exit 1; }

python="$(scripts/reference-env.sh)"
scripts/setup.sh >/dev/null
genre=.build/release/genre

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# awk reads the whole manifest: `head` would close the pipe early and pipefail would end the script.
awk -F, -v n="$count" '$5 == "yes" && taken++ < n { print $6 }' "$gtzan/manifest.csv" | while read -r clip; do
  ln -s "$(cd "$gtzan" && pwd)/$clip" "$work/$(basename "$clip")"
done
clips=("$work"/*.flac)
n=${#clips[@]}
# Wall-clock seconds of a command, its output discarded.
seconds() { local t0; t0=$(date +%s.%N); "$@" >/dev/null; awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }
# The smaller of two numbers.
least() { awk -v a="$1" -v b="$2" 'BEGIN { print (b < a ? b : a) }'; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1

# One timed pass of librosa over the clips, in a fresh interpreter; its import and numba's first
# compilations (a warm-up clip) are not timed.
librosa_pass() {
  taskset -c 0 "$python" - "${clips[@]}" <<'PY'
import sys, time
sys.path.insert(0, "bench")
import librosa
from gtzan57_librosa import gtzan57
paths = sys.argv[1:]
y, sr = librosa.load(paths[0], sr=22050); gtzan57(y, sr)
start = time.perf_counter()
for p in paths:
    y, sr = librosa.load(p, sr=22050)
    gtzan57(y, sr)
print(time.perf_counter() - start)
PY
}

# This virtual machine's speed drifts by 10-20% over minutes: the two sides alternate, and each
# keeps its best pass.
echo "gtzan57 extraction of $n GTZAN clips (30 s, 22050 Hz), decode included, one core, best of $repeats alternating passes:"
"$genre" features --quiet "${clips[0]}" >/dev/null   # warm-up, as librosa's: binary and libraries in memory
librosa_s=1e9 genrekit_s=1e9 startup_s=1e9
for _ in $(seq "$repeats"); do
  librosa_s=$(least "$librosa_s" "$(librosa_pass)")
  genrekit_s=$(least "$genrekit_s" "$(seconds taskset -c 0 "$genre" features --jobs 1 --quiet "${clips[@]}")")
  # GenreKit's process start alone: loading FFmpeg's and the toolchain's shared libraries.
  startup_s=$(least "$startup_s" "$(seconds taskset -c 0 "$genre" features --help)")
done
awk -v l="$librosa_s" -v g="$genrekit_s" -v s="$startup_s" -v n="$n" 'BEGIN {
  printf "  librosa 0.11: %7.1f ms per clip (after import and warm-up)\n", 1000 * l / n
  printf "  GenreKit:     %7.1f ms per clip (whole process, its %.0f ms start included)\n", 1000 * g / n, 1000 * s
  printf "                %7.1f ms per clip (start excluded, as for librosa)\n", 1000 * (g - s) / n
  printf "  ratio:        %7.1fx faster (whole process), %.1fx (start excluded)\n", l / g, l / (g - s) }'

echo "genre features on the folder of $n clips:"
one=$(seconds taskset -c 0 "$genre" features --jobs 1 --quiet "$work")
all=$(seconds "$genre" features --quiet "$work")
awk -v a="$one" -v b="$all" -v n="$n" -v c="$(getconf _NPROCESSORS_ONLN)" 'BEGIN {
  printf "  one core:   %6.2f s (%.1f clips/s)\n", a, n / a
  printf "  %d cores:    %6.2f s (%.1f clips/s), speed-up %.2fx\n", c, b, n / b, a / b }'
