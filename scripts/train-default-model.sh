#!/usr/bin/env bash
# Trains the model shipped inside GenreKit (Sources/GenreKit/Resources/default.genremodel) on the
# development pack: the 200-value penultimate embedding of musicnn's MSD network (pre-trained on the
# Million Song Dataset) for the 3 s windows of every clip of the pack (390 when the shipped model was made), then an RBF SVM (chosen among logistic
# regression, RBF SVM and the MLP on the penultimate and max-pool embeddings by train -> valid; see
# docs/results.md), scored by grouped 10-fold cross-validation and by training on the fault-filtered
# train list and scoring on the valid list; then fitted on every clip.
set -euo pipefail
cd "$(dirname "$0")/.."
gtzan=../shared/datasets/gtzan
[ -d "$gtzan" ] || { echo "train-default-model: $gtzan is absent" >&2; exit 1; }
scripts/setup.sh >/dev/null
.build/release/genre train "$gtzan/manifest.csv" --set msd-musicnn-penultimate --segment-seconds 3 --model rbf-svm \
  --train-list "$gtzan/splits/train_filtered.txt" --test-list "$gtzan/splits/valid_filtered.txt" \
  --fit-on all --quiet --output Sources/GenreKit/Resources/default.genremodel
