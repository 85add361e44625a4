#!/usr/bin/env bash
# Benchmark: GenreNN against PyTorch (from PyPI, on the CPU, float32) in one run, with the same network,
# batch and thread count on both sides. The models:
#   GenreKit's model kinds, which genre-nn-bench builds with GenreKit's own builder
#   (Sources/GenreKit/NetworkArchitecture.swift) and bench/nn_torch.py writes layer for layer in PyTorch,
#   on random 3 s patches of their input set (logmel96: 96 bands x 141 frames; logmel128: 128 x 130):
#     edge (edge-cnn, logmel128), fcn5, crnn, temporal-cnn, cnn-lstm (logmel96), mobilenet-v2 (width 0.35, logmel128)
#   choi: [N, 1, 96, 256] -> 5 x (conv 3x3 same -> batch norm -> relu -> maxpool; 32, 64, 128, 128, 64 filters) -> dense 10
# Prints each network's parameter count on both sides (and fails if they differ), seconds per training
# epoch (forward, cross-entropy, backward, penalty, Adam over the random patches) and per inference batch
# (eval mode), and GenreKit's speed as a multiple of PyTorch's (above 1: GenreKit is faster).
# The machine should be otherwise idle: both sides use every thread they are given. On a busy one, run it
# with OMP_WAIT_POLICY=passive, or both sides' OpenMP threads spin against the load (at load 7, PyTorch's
# cnn-lstm inference batch took 686 ms instead of 14).
# Usage: bench/nn.sh [patches per epoch, default 512 [batch, default 32 [threads, default: all cores]]] [model ...]
#   (models: edge choi fcn5 crnn temporal-cnn cnn-lstm mobilenet-v2, default all), e.g. bench/nn.sh 256 32 fcn5 crnn
set -euo pipefail
cd "$(dirname "$0")/.."
all_models=(edge choi fcn5 crnn temporal-cnn cnn-lstm mobilenet-v2)
numbers=()
while [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; do numbers+=("$1"); shift; done
patches="${numbers[0]:-512}"; batch="${numbers[1]:-32}"; threads="${numbers[2]:-$(nproc)}"
models=("$@")
if [ ${#models[@]} -eq 0 ]; then models=("${all_models[@]}"); fi
for model in "${models[@]}"; do
  if [[ " ${all_models[*]} " != *" $model "* ]]; then
    echo "bench/nn.sh: unknown model '$model'; the models are: ${all_models[*]}" >&2
    exit 2
  fi
done
venv="${GENREKIT_TORCHENV:-$PWD/.venv-torch}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv" >&2; fi
if ! "$venv/bin/python" -c "import torch, numpy" 2>/dev/null; then
  echo "installing PyTorch (CPU) into $venv" >&2
  "$venv/bin/pip" install -q torch numpy >&2  # without NumPy, torch warns on every import
fi
source scripts/swift-flags.sh
swift build -c release --package-path bench --product genre-nn-bench "${swift_flags[@]}" >&2
bench="$(swift build -c release --package-path bench "${swift_flags[@]}" --show-bin-path)/genre-nn-bench"
export OMP_NUM_THREADS="$threads"

# The value of `key=` in a line of key=value pairs.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

precision="$("$bench" --describe-precision)"
isa="$(field "$precision" isa)"
precisions=(float32)
if [ "$(field "$precision" bfloat16_native)" = true ]; then
  precisions+=(bfloat16)
  echo "oneDNN runs this CPU as $isa: bfloat16 is native and timed too"
else
  echo "oneDNN runs this CPU as $isa, without native bfloat16: GenreKit's bfloat16 (goal: 2x PyTorch float32) cannot be measured on this CPU"
fi
echo "$patches random patches per epoch, batch $batch, $threads threads"
for model in "${models[@]}"; do
  torch_line="$("$venv/bin/python" bench/nn_torch.py --model "$model" --patches "$patches" --batch "$batch" --threads "$threads")"
  t_epoch="$(field "$torch_line" epoch_seconds)"; t_batch="$(field "$torch_line" batch_seconds)"
  printf '%s  PyTorch  float32   train %7.2f s/epoch (%6.1f patches/s)   inference %7.1f ms/batch\n' \
    "$model" "$t_epoch" "$(awk -v p="$patches" -v t="$t_epoch" 'BEGIN { print p / t }')" "$(awk -v t="$t_batch" 'BEGIN { print 1000 * t }')"
  for precision in "${precisions[@]}"; do
    line="$("$bench" --model "$model" --precision "$precision" --patches "$patches" --batch "$batch")"
    # Timings of two different networks would mean nothing.
    if [ "$(field "$line" parameters)" != "$(field "$torch_line" parameters)" ]; then
      echo "$model: GenreKit's network has $(field "$line" parameters) parameters, PyTorch's $(field "$torch_line" parameters): bench/nn_torch.py no longer builds GenreKit's $model" >&2
      exit 1
    fi
    g_epoch="$(field "$line" epoch_seconds)"; g_batch="$(field "$line" batch_seconds)"
    printf '%s  GenreKit %-8s  train %7.2f s/epoch (%6.1f patches/s)   inference %7.1f ms/batch   GenreKit/PyTorch speed: train %.2fx, inference %.2fx\n' \
      "$model" "$precision" "$g_epoch" "$(awk -v p="$patches" -v t="$g_epoch" 'BEGIN { print p / t }')" \
      "$(awk -v t="$g_batch" 'BEGIN { print 1000 * t }')" \
      "$(awk -v a="$t_epoch" -v b="$g_epoch" 'BEGIN { print a / b }')" "$(awk -v a="$t_batch" -v b="$g_batch" 'BEGIN { print a / b }')"
  done
  echo "$model  parameters: GenreKit $(field "$line" parameters), PyTorch $(field "$torch_line" parameters)"
done
echo "goals: float32 at least 1.5x PyTorch float32 in training and 2x in inference"
