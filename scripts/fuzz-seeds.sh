#!/usr/bin/env bash
# Makes the fuzzers' seed corpus under fuzz/seeds/<target>/ (git-ignored), small real inputs that
# the mutations start from:
#   audio        1 s cuts of the example MP3s as WAV, FLAC, MP3, Ogg Vorbis, Opus, AAC and
#                WavPack at several rates and channel counts (ffmpeg)
#   bundle       the JSON bodies of bundles of every classic model kind and the MLP, trained by
#                `genre train` on a tiny synthetic table (the fuzzer adds the magic and checksum)
#   tables       small feature tables, manifests and an FMA tracks.csv
#   safetensors  the small safetensors fixtures of the tests, and a few more of other dtypes
# Usage: scripts/fuzz-seeds.sh [folder of MP3s]  (default: Examples/, the same three clips as
# shared/examples)
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-Examples}
[ -d "$examples" ] || { echo "fuzz-seeds: no examples folder $examples" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "fuzz-seeds: ffmpeg is missing; run scripts/setup.sh" >&2; exit 2; }

seeds=fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{audio,bundle,tables,safetensors}

# --- audio: one second from each example, in each format; small rates keep each run fast.
clip() {  # clip <source> <offset s> <name> <ffmpeg output options...>
  local source=$1 offset=$2 name=$3
  shift 3
  ffmpeg -nostdin -loglevel error -ss "$offset" -t 1 -i "$source" -map_metadata -1 "$@" "$seeds/audio/$name"
}
mp3s=("$examples"/*.mp3)
for i in "${!mp3s[@]}"; do
  s=${mp3s[$i]} n=$i offset=$((5 + 7 * i))
  clip "$s" "$offset" "$n-8k-mono.wav" -ar 8000 -ac 1 -c:a pcm_s16le
  clip "$s" "$offset" "$n-22k-stereo-float.wav" -ar 22050 -ac 2 -c:a pcm_f32le -t 0.25
  clip "$s" "$offset" "$n-16k-stereo.flac" -ar 16000 -ac 2 -c:a flac
  clip "$s" "$offset" "$n-22k-mono.mp3" -ar 22050 -ac 1 -c:a libmp3lame -b:a 32k
  clip "$s" "$offset" "$n-44k-stereo.mp3" -ar 44100 -ac 2 -c:a libmp3lame -b:a 64k
  clip "$s" "$offset" "$n-11k-mono.ogg" -ar 11025 -ac 1 -c:a libvorbis -q:a 0
  clip "$s" "$offset" "$n-48k-stereo.opus" -ar 48000 -ac 2 -c:a libopus -b:a 16k
  clip "$s" "$offset" "$n-24k-mono.m4a" -ar 24000 -ac 1 -c:a aac -b:a 24k
  clip "$s" "$offset" "$n-8k-6ch.wv" -ar 8000 -ac 6 -c:a wavpack -t 0.25
done

# --- tables: one of each reader's shapes, with the quoting and layout cases they accept.
columns=rms_mean,tempo,spectral_centroid_mean
cat > "$seeds/tables/features.csv" <<'EOF'
filename,length,rms_mean,tempo,spectral_centroid_mean,label
blues.00000.wav,661794,0.13,123.0,1784.1,blues
rock.00001.wav,661794,0.09,107.6,1530.2,rock
"jazz.00002.wav",661794,1e-2,-0.5,"1.2e3",jazz
classical.00003.wav,661794,0.01,99,900,
EOF
cat > "$seeds/tables/segments.csv" <<'EOF'
filename,rms_mean,tempo,label
blues.00000.0.wav,0.1,120,blues
blues.00000.1.wav,0.2,121,blues
rock.00012.0.wav,0.3,90,rock
rock.00012.1.wav,0.4,91,rock
EOF
printf '\xef\xbb\xbfpath,genre,artist,split,id\r\nblues/a.wav,blues,"Muddy, Waters",train,a\r\n/abs/b.mp3,rock,x,test,b\r\n\r\n' \
  > "$seeds/tables/manifest.csv"
cat > "$seeds/tables/fma-tracks.csv" <<'EOF'
,album,artist,set,track,track
,id,id,split,genre_top,title
track_id,,,,,
2,1,1,training,Hip-Hop,"Food, ""live"""
3,1,1,validation,,Electric Ave
5,1,1,test,Pop,This World
EOF

# --- bundles: each kind trained on a tiny synthetic table of three well separated classes.
source scripts/swift-flags.sh
nice -n 10 swift build -c release --product genre "${swift_flags[@]}" >&2
genre="$(swift build -c release "${swift_flags[@]}" --show-bin-path)/genre"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo "filename,$columns,label"
  for i in 0 1 2 3 4 5; do
    echo "blues.0000$i.wav,0.$i,$((60 + i)),$((1000 + 10 * i)),blues"
    echo "rock.0000$i.wav,1.$i,$((120 + i)),$((2000 + 10 * i)),rock"
    echo "jazz.0000$i.wav,2.$i,$((180 - i)),$((3000 - 10 * i)),jazz"
  done
} > "$work/table.csv"
# A bundle file is a magic line, a checksum line and the JSON body: the seed is the body.
body() { tail -n +3 "$1" > "$seeds/bundle/$2.json"; }
for kind in naive-bayes knn logistic linear-svm rbf-svm tree forest xgboost mlp; do
  "$genre" train "$work/table.csv" --model "$kind" --skip-evaluation --quiet -o "$work/$kind.genremodel"
  body "$work/$kind.genremodel" "$kind"
done
"$genre" train "$work/table.csv" --model logistic --pca 2 --skip-evaluation --quiet -o "$work/pca.genremodel"
body "$work/pca.genremodel" logistic-pca
# A bundle of a segmenting model carries its windows: the tree's body with windows put in.
sed 's/^{/{"segmentSeconds":3,"hopSeconds":1.5,/' "$seeds/bundle/tree.json" > "$seeds/bundle/tree-segmented.json"

# --- safetensors: the tests' small fixtures (F32, F16, metadata), and other dtypes and shapes.
find Tests -path '*/Fixtures/*.safetensors' -size -40k -exec cp {} "$seeds/safetensors/" \;
safetensors() {  # safetensors <name> <JSON header> <data bytes as printf escapes>
  local header=$2
  printf "$(printf '\\x%02x' $((${#header} & 255)) $((${#header} >> 8 & 255)) 0 0 0 0 0 0)%s$3" "$header" \
    > "$seeds/safetensors/$1.safetensors"
}
safetensors empty '{}' ''
safetensors scalar '{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}' '\x00\x00\x80\x3f'
safetensors int64 '{"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"__metadata__":{"format":"pt"}}' '\x01\x00\x00\x00\x00\x00\x00\x00'
safetensors zero-size '{"z":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}' ''

for target in audio bundle tables safetensors; do
  echo "fuzz-seeds: $target: $(ls "$seeds/$target" | wc -l) files, $(du -sh "$seeds/$target" | cut -f1)"
done
