#!/usr/bin/env bash
# Benchmark: musicnn embeddings of 30 s clips (the bundled example MP3s), GenreKit (release build,
# bench/MusicnnBench) against the original musicnn 0.1.0 on TensorFlow (bench/musicnn_python.py, in
# the environment of scripts/musicnn-env.sh), in one run, both on all cores. Prints milliseconds per
# clip, best of the repeats: GenreKit's decode, log-mel patches and network (all outputs of the 10
# patches at once, embeddings taken from them); musicnn's whole extractor() call, its batch_data and
# one session.run of the 10 patches; then the ratio of the networks and of the whole jobs.
# Usage: bench/musicnn.sh [repeats, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
python="$(scripts/musicnn-env.sh)"
source scripts/swift-flags.sh
swift build -c release --package-path bench --product musicnn-bench "${swift_flags[@]}" >&2
clips=(Examples/*.mp3)

for model in MSD_musicnn MSD_vgg; do
  layer=penultimate; [ "$model" = MSD_vgg ] && layer=pool5
  echo "$model (embeddings: $layer), ms per 30 s clip, best of $repeats:"
  ours=$(bench/.build/release/musicnn-bench "$model" "$layer" "$repeats" "${clips[@]}")
  theirs=$(TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=3 "$python" bench/musicnn_python.py "$model" "$repeats" "${clips[@]}" 2>/dev/null)
  echo "$ours" | sed 's/^/  GenreKit  /'
  echo "$theirs" | sed 's/^/  musicnn   /'
  # The mean lines: GenreKit "decode D ms, patches P ms, network N ms"; musicnn "extractor E ms, decode + patches B ms, network M ms".
  echo "$ours" | tail -1 | tr -d ',' | awk '{ print $3, $6, $9 }' > /tmp/musicnn-bench.$$
  echo "$theirs" | tail -1 | tr -d ',' | awk -v f=/tmp/musicnn-bench.$$ '{
    getline line < f; split(line, g, " ")
    printf "  network: GenreKit %.0f ms, TensorFlow %.0f ms: TensorFlow / GenreKit = %.2f\n", g[3], $11, $11 / g[3]
    printf "  whole job: GenreKit %.0f ms (decode + patches + network), musicnn extractor() %.0f ms: ratio %.2f\n",
      g[1] + g[2] + g[3], $3, $3 / (g[1] + g[2] + g[3]) }'
  rm -f /tmp/musicnn-bench.$$
done
