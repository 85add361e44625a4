#!/usr/bin/env bash
# Measures what augmentation does on the development pack (../shared/datasets/gtzan): `genre evaluate`
# train list -> valid list with and without --augment, for a classic model on gtzan57 windows
# (audio-level kinds) and the edge CNN (batch-level kinds). Prints a markdown table of accuracy,
# macro F1, single-segment accuracy and wall time. Usage: scripts/augmentation-effect.sh [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/.."
gtzan=../shared/datasets/gtzan
[ -d "$gtzan" ] || { echo "augmentation-effect: $gtzan is absent: nothing to measure" >&2; exit 1; }
genre=.build/release/genre
lists=(--train-list "$gtzan/splits/train_filtered.txt" --test-list "$gtzan/splits/valid_filtered.txt")

run() {  # run <label> <options...>: one table row
  local label="$1"; shift
  local start=$SECONDS
  local row
  row="$(nice $genre evaluate "$gtzan/audio" "${lists[@]}" --quiet --format markdown "$@" "${extra[@]}" | tail -1)"
  echo "$row" | awk -v label="$label" -v seconds=$((SECONDS - start)) -F'|' '{ printf "| %s |%s|%s|%s| %d s |\n", label, $3, $4, $5, seconds }'
}

extra=("$@")
echo "| run | accuracy | macro F1 | single segment | time |"
echo "| --- | ---: | ---: | ---: | ---: |"
run "rbf-svm, gtzan57 3 s windows" --model rbf-svm --segment-seconds 3
run "rbf-svm + hop 1.5 s, gain ±6 dB, noise 20-40 dB" --model rbf-svm --segment-seconds 3 \
  --augment hop --augment gain --augment noise
run "edge-cnn" --model edge-cnn
run "edge-cnn + masks, mixup" --model edge-cnn --augment masks --augment mixup
