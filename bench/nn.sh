#!/usr/bin/env bash
# Benchmark: GenreNN against PyTorch (from PyPI, on the CPU) on two CNNs for log-mel patches, in one run,
# with the same thread count on both sides:
#   edge: genre's edge-cnn (GenreKit's NetworkArchitecture.edgeCNN): [N, 1, 128, 130] -> 3 x (conv 2x6 ->
#         batch norm -> relu -> maxpool 2x2; 32, 32, 64 filters) -> dense 512 (L1/L2 penalty) relu dropout 0.5 -> dense 10
#   choi: [N, 1, 96, 256] -> 5 x (conv 3x3 same -> batch norm -> relu -> maxpool; 32, 64, 128, 128, 64 filters) -> dense 10
# Prints seconds per training epoch (forward, cross-entropy, backward, penalty, Adam over the random patches) and
# per inference batch, and GenreKit's speed as a multiple of PyTorch's (above 1: GenreKit is faster).
# The machine should be otherwise idle: both sides use every thread they are given.
# Usage: bench/nn.sh [patches per epoch, default 512] [batch, default 32] [threads, default: all cores]
set -euo pipefail
cd "$(dirname "$0")/.."
patches="${1:-512}"; batch="${2:-32}"; threads="${3:-$(nproc)}"
venv="${GENREKIT_TORCHENV:-$PWD/.venv-torch}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv" >&2; fi
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "installing PyTorch (CPU) into $venv" >&2
  "$venv/bin/pip" install -q torch >&2
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
for model in edge choi; do
  torch_line="$("$venv/bin/python" bench/nn_torch.py --model "$model" --patches "$patches" --batch "$batch" --threads "$threads")"
  t_epoch="$(field "$torch_line" epoch_seconds)"; t_batch="$(field "$torch_line" batch_seconds)"
  printf '%s  PyTorch  float32   train %7.2f s/epoch (%6.1f patches/s)   inference %7.1f ms/batch\n' \
    "$model" "$t_epoch" "$(awk -v p="$patches" -v t="$t_epoch" 'BEGIN { print p / t }')" "$(awk -v t="$t_batch" 'BEGIN { print 1000 * t }')"
  for precision in "${precisions[@]}"; do
    line="$("$bench" --model "$model" --precision "$precision" --patches "$patches" --batch "$batch")"
    g_epoch="$(field "$line" epoch_seconds)"; g_batch="$(field "$line" batch_seconds)"
    printf '%s  GenreKit %-8s  train %7.2f s/epoch (%6.1f patches/s)   inference %7.1f ms/batch   GenreKit/PyTorch speed: train %.2fx, inference %.2fx\n' \
      "$model" "$precision" "$g_epoch" "$(awk -v p="$patches" -v t="$g_epoch" 'BEGIN { print p / t }')" \
      "$(awk -v t="$g_batch" 'BEGIN { print 1000 * t }')" \
      "$(awk -v a="$t_epoch" -v b="$g_epoch" 'BEGIN { print a / b }')" "$(awk -v a="$t_batch" -v b="$g_batch" 'BEGIN { print a / b }')"
  done
done
echo "goals: float32 training at least 1x PyTorch float32; bfloat16 training at least 2x PyTorch float32"
