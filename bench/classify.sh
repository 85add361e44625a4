#!/usr/bin/env bash
# Benchmark: `genre classify` on 30 s MP3s (the bundled examples), whole process included, against
# the same job in Python (librosa 0.11 features of 3 s windows + scikit-learn's StandardScaler and
# RBF SVC with probabilities, trained on the same feature table), in one run, on one core. GenreKit
# runs a gtzan57 RBF-SVM bundle trained here on the same windows (the embedded default model uses
# musicnn embeddings instead; bench/musicnn.sh times those against the original).
# Usage: bench/classify.sh [repeats, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
gtzan="../shared/datasets/gtzan"
[ -d "$gtzan" ] || { echo "bench: $gtzan is absent: no data to train the Python model" >&2; exit 1; }
python="$(scripts/reference-env.sh)"
scripts/setup.sh >/dev/null
genre=.build/release/genre
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
songs=(Examples/*.mp3)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1

echo "training the Python model and the GenreKit bundle on the pack's 3 s windows (not timed)" >&2
"$genre" features --quiet --segment-seconds 3 "$gtzan/audio" -o "$work/segments.csv"
"$python" bench/classify_python.py train "$work/segments.csv" "$work/model.pkl"
"$genre" train "$gtzan/manifest.csv" --segment-seconds 3 --model rbf-svm --skip-evaluation --quiet -o "$work/gtzan57.genremodel"
classify=("$genre" classify --bundle "$work/gtzan57.genremodel")

# Best wall-clock seconds over the repeats of a command, its output discarded.
best() {
  local best="" t0 t
  for _ in $(seq "$repeats"); do
    t0=$(date +%s.%N); "$@" >/dev/null; t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  echo "$best"
}
"$python" bench/classify_python.py classify "$work/model.pkl" "${songs[0]}" >/dev/null   # warm the file cache
"${classify[@]}" "${songs[0]}" >/dev/null

echo "classify one 30 s MP3, whole process (start, model load, decode, features of 3 s windows, model), one core, best of $repeats:"
total_py=0; total_gk=0
for song in "${songs[@]}"; do
  py=$(best taskset -c 0 "$python" bench/classify_python.py classify "$work/model.pkl" "$song")
  gk=$(best taskset -c 0 "${classify[@]}" "$song")
  awk -v s="$(basename "$song")" -v p="$py" -v g="$gk" 'BEGIN { printf "  %-28s Python %6.0f ms   GenreKit %5.0f ms   %5.1fx\n", s, 1000 * p, 1000 * g, p / g }'
  total_py=$(awk -v a="$total_py" -v b="$py" 'BEGIN { print a + b }'); total_gk=$(awk -v a="$total_gk" -v b="$gk" 'BEGIN { print a + b }')
done
awk -v p="$total_py" -v g="$total_gk" -v n="${#songs[@]}" 'BEGIN {
  printf "  mean                         Python %6.0f ms   GenreKit %5.0f ms   %5.1fx faster\n", 1000 * p / n, 1000 * g / n, p / g }'

echo "the ${#songs[@]} songs in one process (imports and model load paid once), one core:"
py=$(best taskset -c 0 "$python" bench/classify_python.py classify "$work/model.pkl" "${songs[@]}")
gk=$(best taskset -c 0 "${classify[@]}" --jobs 1 "${songs[@]}")
awk -v p="$py" -v g="$gk" -v n="${#songs[@]}" 'BEGIN {
  printf "  Python %6.0f ms per song   GenreKit %5.0f ms per song   %5.1fx faster\n", 1000 * p / n, 1000 * g / n, p / g }'
