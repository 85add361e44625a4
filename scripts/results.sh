#!/usr/bin/env bash
# Reproduces docs/results.md: every classic model on the 57 gtzan57 features of the development
# pack (../shared/datasets/gtzan), under honest protocols, plus one leaky protocol for contrast.
# Usage: scripts/results.sh [output, default docs/results.md]. Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/results.md}"
gtzan=../shared/datasets/gtzan
[ -d "$gtzan" ] || { echo "results: $gtzan is absent: nothing to measure" >&2; exit 1; }
scripts/setup.sh >/dev/null
genre=.build/release/genre
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

echo "results: extracting gtzan57 of the pack's 390 clips, whole and in 3 s windows" >&2
$genre features --quiet "$gtzan/audio" -o "$work/whole.csv"
$genre features --quiet --segment-seconds 3 "$gtzan/audio" -o "$work/segments.csv"

lists=(--train-list "$gtzan/splits/train_filtered.txt" --test-list "$gtzan/splits/valid_filtered.txt")
table() {  # table <data> <protocol options...>: one markdown row per model
  echo "results: $*" >&2
  $genre evaluate "$@" --model all --format markdown --quiet
}

{
cat <<'MD'
# Results: classic models on the 57 features

Produced by `scripts/results.sh` (one command; a few minutes on 2 cores). Every number is
track-level accuracy (mean ± standard deviation over folds for cross-validation) and macro F1;
"single segment" is the accuracy of 3 s windows on their own, before a track's windows are
combined (mean of probabilities). Models use their scikit-learn/xgboost defaults after
standardisation (fitted on the training part only); nothing was tuned, so no protocol below has
seen its scored tracks. The `length` column of the tables is not used (it tells clip lengths,
not music). Seed 0 throughout.

Protocols:
- **train → valid**: fit on the tracks of the fault-filtered, artist-disjoint `train` list, score
  on those of the `valid` list (Kereliuk, Sturm & Larsen 2015). The only protocol here that keeps
  artists apart, so the one that predicts accuracy on music by unheard artists.
- **grouped 10-fold**: 10 folds over tracks (classes spread evenly), every window of a track in one
  fold. The pack has no artist annotations, so groups are tracks: artists repeat across folds,
  which flatters every model (compare with train → valid).

## Whole 30 s clips, the published table (`features_30_sec.csv`, 640 tracks)

### train → valid (443 → 197 tracks)
MD
table_lists="$(table "$gtzan/features_30_sec.csv" "${lists[@]}")"
echo "$table_lists"
echo
echo "### grouped 10-fold"
table_cv="$(table "$gtzan/features_30_sec.csv" --folds 10)"
echo "$table_cv"
cat <<'MD'

## The pack's audio (390 clips: 119 full 30 s clips, 51 15 s parts, 220 2-3 s excerpts)

Features computed by `genre features` from the FLAC clips; fewer and shorter tracks than the
table above, so lower numbers are expected.

### Whole clips, train → valid (277 → 113 clips)
MD
table "$work/whole.csv" "${lists[@]}"
echo
echo "### Whole clips, grouped 10-fold"
table "$work/whole.csv" --folds 10
echo
echo "### 3 s segments combined per track, train → valid"
table "$work/segments.csv" "${lists[@]}"
echo
echo "### 3 s segments combined per track, grouped 10-fold"
table "$work/segments.csv" --folds 10
cat <<'MD'

## The leaky protocol, for contrast

A random 20% of 3 s segments scored, whatever their track: windows of one song sit on both
sides, so a model recognises the recording rather than the genre. This is how many published
GTZAN figures were made; GenreKit runs it only behind `--leaky-random-segments`.

MD
table "$work/segments.csv" --leaky-random-segments 0.2
cat <<'MD'

## Against the course project's figures

One course project reports these accuracies on GTZAN's 30 s table with a plain random split of
tracks (so artists on both sides, and probably tuned on the scored part). Beside them, the same
models on the same 57 features here: grouped 10-fold over the 640 tracks (closest to their
protocol) and train → valid (artists kept apart).

| model | course project (random split) | grouped 10-fold | beaten? | train → valid |
| --- | ---: | ---: | :---: | ---: |
MD
# Joins the course figures with the two tables above by model title.
awk -F'|' -v cv="$table_cv" -v lists="$table_lists" '
  function accuracy(table, title,   n, i, lines, cells) {
    n = split(table, lines, "\n")
    for (i = 1; i <= n; i++) { split(lines[i], cells, "|"); if (cells[2] ~ title) { sub(/^ +/, "", cells[3]); sub(/ +$/, "", cells[3]); return cells[3] } }
    return "?"
  }
  BEGIN {
    n = split("Gaussian naive Bayes:53|k-nearest neighbours:66.5|logistic regression:65.5|linear SVM:66|RBF SVM:70.5|decision tree:50|random forest:68|XGBoost:72", rows, "|")
    for (i = 1; i <= n; i++) {
      split(rows[i], kv, ":"); ours = accuracy(cv, kv[1]); mean = ours + 0
      verdict = mean > kv[2] + 0.5 ? "yes" : (mean >= kv[2] - 0.5 ? "tie" : "no")
      printf "| %s | %.1f%% | %s | %s | %s |\n", kv[1], kv[2], ours, verdict, accuracy(lists, kv[1])
    }
  }' /dev/null
cat <<'MD'

"tie" means within half a point, well inside one fold-to-fold standard deviation. No model comes
near these figures when artists are kept apart (train → valid): that gap, not the choice of
classifier, is what the literature's random splits hide. Transfer learning from networks
pre-trained on large collections is the way past it (a later issue).
MD
} > "$work/results.md"
mv "$work/results.md" "$out"
echo "results: wrote $out" >&2
