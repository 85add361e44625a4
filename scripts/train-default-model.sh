#!/usr/bin/env bash
# Trains the model shipped inside GenreKit (Sources/GenreKit/Resources/default.genremodel) on the
# development pack: gtzan57 features of the 3 s windows of all 390 clips, an RBF SVM (the best of the
# classic models in docs/results.md), scored by grouped 10-fold cross-validation and by training on
# the fault-filtered train list and scoring on the valid list; then fitted on every clip.
set -euo pipefail
cd "$(dirname "$0")/.."
gtzan=../shared/datasets/gtzan
[ -d "$gtzan" ] || { echo "train-default-model: $gtzan is absent" >&2; exit 1; }
scripts/setup.sh >/dev/null
.build/release/genre train "$gtzan/manifest.csv" --segment-seconds 3 --model rbf-svm \
  --train-list "$gtzan/splits/train_filtered.txt" --test-list "$gtzan/splits/valid_filtered.txt" \
  --fit-on all --quiet --output Sources/GenreKit/Resources/default.genremodel
