#!/usr/bin/env bash
# Converts Google's 8-bit ImageNet MobileNetV2 (../shared/pretrained/imagenet-mobilenet-v2) into
# Sources/GenrePretrained/Resources/imagenet-mobilenet-v2/mobilenet_v2_1.0.safetensors (float32,
# dequantised) and writes the parity fixture Tests/GenreKitTests/Fixtures/mobilenet_v2_imagenet.safetensors.
# Its own venv (.venv-mobilenet: ai-edge-litert for the TFLite interpreter, numpy, safetensors),
# made once; the product and its tests never need it: the converted weights and fixture are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${GENREKIT_MOBILENET_ENV:-$PWD/.venv-mobilenet}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import ai_edge_litert, numpy, safetensors" 2>/dev/null; then
  "$venv/bin/pip" install -q "ai-edge-litert==2.3.0" "numpy==2.2.6" "safetensors==0.8.0" >&2
fi
"$venv/bin/python" scripts/convert_mobilenet_v2.py
