#!/usr/bin/env bash
# The networks part of docs/results.md: every network kind on the development pack, train -> valid,
# with the columns seed 003 asks for to pick the smallest model that is still good: song-level and
# window-level accuracy, macro F1, training time and peak memory, parameters, bundle size and the
# time to classify a 30 s song. Run alone it rewrites only its own section of docs/results.md.
# Usage: scripts/results-networks.sh [plain|augmented|all, default all] [kind...]
#   plain: default settings; augmented: the same with --augment hop,gain,noise,masks.
#   kinds: re-run only these rows (e.g. fcn5 crnn); the others keep what the table had.
# Takes about two hours for everything on 2 cores (mobilenet-v2 and efficientnet-b0 most of it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/results-lib.sh
which="${1:-all}"; shift || true
only=" $* "
gtzan=../shared/datasets/gtzan
[ -d "$gtzan" ] || { echo "results: $gtzan is absent: nothing to measure" >&2; exit 1; }
[ -n "${GENRE:-}" ] || [ -x .build/release/genre ] || scripts/setup.sh >/dev/null
# GENRE: another build of genre to measure (a copy, so that rebuilding meanwhile cannot change it).
genre="${GENRE:-$PWD/.build/release/genre}"
song=Examples/awol-food.mp3
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
lists=(--train-list "$gtzan/splits/train_filtered.txt" --test-list "$gtzan/splits/valid_filtered.txt")
# oneDNN's OpenMP threads must not spin on a core another process needs (docs/models.md).
export OMP_WAIT_POLICY=passive

# The rows: title, model, input set, options.
rows=(
  "mlp|mlp|gtzan57|"
  "edge-cnn|edge-cnn|logmel128|"
  "fcn5|fcn5|logmel96|"
  "crnn|crnn|logmel96|"
  "temporal-cnn|temporal-cnn|logmel96|"
  "cnn-lstm|cnn-lstm|logmel96|"
  "mobilenet-v2 (width 0.35, from scratch)|mobilenet-v2|logmel128|"
  "mobilenet-v2 (ImageNet, 12 of 19 blocks frozen)|mobilenet-v2|logmel128|--pretrained imagenet --frozen-blocks 12"
  "efficientnet-b0 (width 0.35, from scratch)|efficientnet-b0|logmel96|"
)
augmentations=(--augment hop --augment gain --augment noise --augment masks)

# A small library of two original clips per genre: enough to make each kind's bundle (its size
# and its speed do not depend on how long it trained).
mkdir -p "$work/small"
awk -F, 'NR > 1 && $4 == "full" && $5 == "yes" && seen[$2]++ < 2 { print $2, $6 }' "$gtzan/manifest.csv" |
  while read -r label path; do mkdir -p "$work/small/$label"; ln -s "$PWD/$gtzan/$path" "$work/small/$label/"; done

features() {  # features <set>: the pack's 3 s windows of that set, computed once
  [ -f "$work/$1.csv" ] || { echo "results: extracting $1" >&2; "$genre" features --quiet --set "$1" --segment-seconds 3 "$gtzan/audio" -o "$work/$1.csv"; }
  echo "$work/$1.csv"
}

# Weight values of a bundle's network (with batch-norm statistics): the safetensors header of the
# weights it holds as base64.
weights() {
  python3 - "$1" <<'PY'
import base64, json, struct, sys
text = open(sys.argv[1], "rb").read().split(b"\n", 2)[2]
def find(node):
    if isinstance(node, dict):
        if isinstance(node.get("weights"), str): return node["weights"]
        for value in node.values():
            if (found := find(value)): return found
    return None
data = base64.b64decode(find(json.loads(text)))
header = json.loads(data[8:8 + struct.unpack("<Q", data[:8])[0]])
count = 0
for name, tensor in header.items():
    if name != "__metadata__":
        size = 1
        for n in tensor["shape"]: size *= n
        count += size
print(count)
PY
}

row() {  # row <title> <model> <set> <options> [augmentation...]: one markdown row
  local title="$1" model="$2" set="$3"; read -ra options <<<"$4"; shift 4
  local data; data="$(features "$set")"
  echo "results: $title $*" >&2
  /usr/bin/time -f "%e %M" -o "$work/time" "$genre" evaluate "$data" --model "$model" "${options[@]}" "$@" \
    "${lists[@]}" --format markdown --quiet > "$work/scores"
  local cells seconds kilobytes
  cells="$(tail -1 "$work/scores")"; read -r seconds kilobytes < "$work/time"
  cell() { cut -d'|' -f"$1" <<<"$cells" | xargs; }
  "$genre" train "$work/small" --model "$model" --set "$set" --segment-seconds 3 "${options[@]}" --epochs 1 --skip-evaluation --quiet -o "$work/model.genremodel" 2>/dev/null
  local bundle_mb ms
  bundle_mb="$(awk -v b="$(stat -c %s "$work/model.genremodel")" 'BEGIN { printf "%.1f", b / 1e6 }')"
  # The median of three whole `genre classify` processes on a 30 s song.
  ms="$(for _ in 1 2 3; do /usr/bin/time -f "%e" -o "$work/t" "$genre" classify --bundle "$work/model.genremodel" "$song" >/dev/null
                          cat "$work/t"; done | sort -n | sed -n 2p | awk '{ printf "%.0f", 1000 * $1 }')"
  echo "| $title | $(cell 3) | $(cell 5) | $(cell 4) | $(awk -v s="$seconds" 'BEGIN { printf "%.0f", s }') | $(awk -v k="$kilobytes" 'BEGIN { printf "%.2f", k / 1048576 }') | $(weights "$work/model.genremodel") | $bundle_mb | $ms |"
}

existing_row() {  # existing_row <section> <title>: the row the section has for that title, if any
  awk -v section="$1" -v title="| $2 |" '
    $0 == "<!-- results: " section " -->" { inside = 1 } $0 == "<!-- end: " section " -->" { inside = 0 }
    inside && index($0, title) == 1' docs/results.md
}

# section <name> <intro file> <augmentation...>: measures the rows asked for (every kind, or those
# named) and rewrites the section after each, the other rows kept as they were: a run stopped
# midway keeps what it finished, and a failed row leaves docs/results.md as it was.
section() {
  local name="$1" intro="$2"; shift 2
  local done="$work/done-$name"; : > "$done"
  for spec in "${rows[@]}"; do
    IFS='|' read -r title model set options <<<"$spec"
    [[ "$only" == "  " || "$only" == *" $model "* ]] || continue
    row "$title" "$model" "$set" "$options" "$@" >> "$done"
    {
      cat "$intro"
      echo "| model | song accuracy | window accuracy | macro F1 | training s | peak GB | weights | bundle MB | ms per 30 s song |"
      echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
      for other in "${rows[@]}"; do
        IFS='|' read -r other_title _ <<<"$other"
        grep -F "| $other_title |" "$done" || existing_row "$name" "$other_title"
      done
      echo
      echo "Last measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')); load average then: $(cut -d' ' -f1 /proc/loadavg)."
    } > "$work/section"
    splice "$name" docs/results.md < "$work/section"
  done
}

if [[ "$which" == plain || "$which" == all ]]; then
  cat > "$work/intro-plain" <<'MD'
## Every network kind, train → valid

`scripts/results-networks.sh plain`: each kind with its default input (`mlp` on the pack's gtzan57
windows, the others on log-mel patches) and settings (10 epochs but `mlp` 100 and `edge-cnn` 20,
batch 32, Adam 1e-3 on a cosine, a tenth of the training songs held out for early stopping), 3 s
windows combined per song by the mean of their probabilities, seed 0. Trained on the `train` list,
scored on the `valid` list (artists kept apart); nothing tuned on `valid`. Training time and peak
resident memory are those of the whole `genre evaluate` process (which also reads the windows'
features from a table made once); weights count every stored value (batch-norm statistics too);
the bundle is the file `genre train -o` writes; a song's time is the whole `genre classify`
process on a 30 s MP3 (decoding and features included), the median of three.

MD
  section networks "$work/intro-plain"
fi
if [[ "$which" == augmented || "$which" == all ]]; then
  cat > "$work/intro-augmented" <<'MD'
## The same with augmentation

`scripts/results-networks.sh augmented`: as above with `--augment hop --augment gain --augment noise
--augment masks` (overlapping training windows, random gain and noise, SpecAugment masks; the
scored songs are never augmented).

MD
  section networks-augmented "$work/intro-augmented" "${augmentations[@]}"
fi
echo "results: updated docs/results.md" >&2
