#!/usr/bin/env bash
# Reproduces docs/results.md, in parts that can be re-run alone (each rewrites only its sections):
# - classic: every classic model on the 57 gtzan57 features of the development pack
#   (../shared/datasets/gtzan), under honest protocols, plus one leaky protocol for contrast; the
#   mlp and edge CNN; transfer from musicnn's pre-trained embeddings and fine-tuning (about an hour);
# - networks: every network kind, with and without augmentation (scripts/results-networks.sh).
# Usage: scripts/results.sh [classic|networks|all, default all] [output for classic, default docs/results.md]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/results-lib.sh
part="${1:-all}"
out="${2:-docs/results.md}"
case "$part" in classic|networks|all) ;; *) echo "results: the parts are classic, networks and all, not $part" >&2; exit 2 ;; esac
if [ "$part" = networks ]; then exec scripts/results-networks.sh all; fi
gtzan=../shared/datasets/gtzan
[ -d "$gtzan" ] || { echo "results: $gtzan is absent: nothing to measure" >&2; exit 1; }
[ -x .build/release/genre ] || scripts/setup.sh >/dev/null
genre=.build/release/genre
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

echo "results: extracting gtzan57 of the pack's clips, whole and in 3 s windows" >&2
$genre features --quiet "$gtzan/audio" -o "$work/whole.csv"
$genre features --quiet --segment-seconds 3 "$gtzan/audio" -o "$work/segments.csv"

lists=(--train-list "$gtzan/splits/train_filtered.txt" --test-list "$gtzan/splits/valid_filtered.txt")
table() {  # table <data> <protocol options...> [--model M]: one markdown row per model (all classic ones by default)
  echo "results: $*" >&2
  if [[ " $* " == *" --model "* ]]; then $genre evaluate "$@" --format markdown --quiet
  else $genre evaluate "$@" --model all --format markdown --quiet; fi
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
# The pack's make-up, from its manifest (it grows between versions).
read -r clips full originals parts excerpts train valid < <(awk -F, 'NR > 1 {
    n++; kind[$4]++; if ($4 == "full" && $5 == "yes") o++; split_[$3]++ }
  END { print n, kind["full"], o, kind["part"], kind["excerpt"], split_["train"], split_["valid"] }' "$gtzan/manifest.csv")
cat <<MD

## The pack's audio ($clips clips: $full full 30 s clips, $originals of them original files and the others copies, $parts 15 s parts, $excerpts 2-3 s excerpts)

Features computed by \`genre features\` from the FLAC clips; fewer and shorter tracks than the
table above, so lower numbers are expected.

### Whole clips, train → valid ($train → $valid clips)
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
pre-trained on large collections is the way past it (below).
MD
cat <<'MD'

## Networks trained here (GenreNN)

The multilayer perceptron (57 → 256 → 128 → 10, ReLU, dropout 0.3, Adam 1e-3 with a cosine
schedule, 100 epochs, batch 32) on the 640-track table, and the edge CNN of issue 4 (three
convolutions of 32, 32, 64 filters of 2 x 6 with batch norm, ReLU and 2 x 2 max pooling; 512
dense units with L1 1e-5 / L2 1e-4 penalties, dropout 0.5; 20 epochs) on 128 x 130 log-mel
patches of the pack's 3 s windows (`--set logmel128`), windows combined per track by the mean
of their probabilities. Fixed hyper-parameters, nothing tuned on the scored tracks.

MD
echo "### MLP, 57 features of the 640-track table, train → valid"
table "$gtzan/features_30_sec.csv" "${lists[@]}" --model mlp
echo
echo "### MLP, 57 features of the 640-track table, grouped 10-fold"
table "$gtzan/features_30_sec.csv" --folds 10 --model mlp
echo
echo "### Edge CNN, log-mel patches of the pack's 3 s windows, train → valid"
$genre features --quiet --set logmel128 --segment-seconds 3 "$gtzan/audio" -o "$work/logmel.csv"
table "$work/logmel.csv" "${lists[@]}" --model edge-cnn
cat <<'MD'

## Transfer learning: embeddings of musicnn's networks pre-trained on the Million Song Dataset

Each 3 s window of the pack's clips goes through a network GenreKit ships (converted from the
`musicnn` package, ISC licence), and one of its layers becomes the window's features; logistic
regression (standardised, scikit-learn's defaults) learns the genres from them; a track's windows
are combined by the mean of their probabilities. The networks stay frozen (fine-tuning follows).
Fusion joins the 57 features and an embedding, window by window.

| features | columns | train → valid | grouped 10-fold |
| --- | ---: | ---: | ---: |
MD
for set in gtzan57 msd-musicnn-taggram msd-musicnn-penultimate msd-musicnn-max-pool msd-musicnn-mean-pool msd-vgg-pool5 \
           gtzan57+msd-musicnn-penultimate gtzan57+msd-musicnn-max-pool; do
  echo "results: extracting $set" >&2
  $genre features --quiet --set "$set" --segment-seconds 3 "$gtzan/audio" -o "$work/$set.csv"
  columns=$(head -1 "$work/$set.csv" | tr ',' '\n' | grep -cvxE 'filename|length|label')
  cell() { $genre evaluate "$work/$set.csv" "$@" --model logistic --format markdown --quiet | tail -1 | cut -d'|' -f3 | xargs; }
  echo "| $set | $columns | $(cell "${lists[@]}") | $(cell --folds 10) |"
done
cat <<'MD'

### Single windows against a song's windows combined (msd-musicnn-max-pool, logistic regression, train → valid)

| aggregation | accuracy | macro F1 |
| --- | ---: | ---: |
MD
for aggregation in mean geometric vote; do
  line="$($genre evaluate "$work/msd-musicnn-max-pool.csv" "${lists[@]}" --model logistic --aggregation "$aggregation" --format text --quiet)"
  echo "| $aggregation of window probabilities | $(grep -o 'accuracy  *[0-9.]*  *[0-9]*$' <<<"$line" | head -1 | awk '{ printf "%.1f%%", 100 * $2 }') | $(awk '/macro avg/ { print $4 }' <<<"$line") |"
done
echo "| single window (no aggregation) | $($genre evaluate "$work/msd-musicnn-max-pool.csv" "${lists[@]}" --model logistic --format text --quiet | grep -o 'single-segment accuracy [0-9.]*%' | awk '{ print $3 }') | |"
cat <<'MD'

### Frozen against fine-tuned (MSD_musicnn with a new output layer, GenreNN's trainer)

`--model musicnn-fine-tune` on musicnn's own input for the same 3 s windows (`--set musicnn-input`,
96 x 187 log-mel patches, not standardised): musicnn's tag layer is replaced by a dense layer for
the genres (behind musicnn's dropout 0.5); the first N of its three blocks (front end, mid end,
back end) stay as pre-trained, the other pre-trained layers train at a tenth of the new layer's
learning rate (Adam 1e-3, cosine schedule, 8 epochs, batch 32), and every batch norm keeps its
pre-trained statistics. These settings were fixed before the first run; nothing was tuned on the
scored tracks. A track's windows are combined by the mean of their probabilities.

| what trains | frozen blocks | train → valid | single window | grouped 10-fold |
| --- | ---: | ---: | ---: | ---: |
MD
trains=("everything" "back end, mid end and the new layer" "back end and the new layer" "the new layer only (frozen network)")
for frozen in 3 2 1; do
  echo "results: musicnn-fine-tune --frozen-blocks $frozen" >&2
  tune() { $genre evaluate "$gtzan/audio" --set musicnn-input --segment-seconds 3 --model musicnn-fine-tune \
             --frozen-blocks "$frozen" "$@" --format markdown --quiet | tail -1; }
  on_lists="$(tune "${lists[@]}")"; on_folds="$(tune --folds 10)"
  cell() { cut -d'|' -f"$1" <<<"$2" | xargs; }
  echo "| ${trains[$frozen]} | $frozen | $(cell 3 "$on_lists") | $(cell 5 "$on_lists") | $(cell 3 "$on_folds") |"
done
} | splice classic "$out"
echo "results: wrote the classic part of $out" >&2
if [ "$part" = all ]; then scripts/results-networks.sh all; fi
