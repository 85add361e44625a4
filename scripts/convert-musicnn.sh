#!/usr/bin/env bash
# Converts musicnn's four pre-trained networks (MSD_musicnn, MSD_vgg, MTT_musicnn, MTT_vgg) from the
# TensorFlow checkpoints in PyPI's musicnn 0.1.0 into Sources/GenrePretrained/Resources/musicnn/
# (<model>.safetensors, <model>.json, LICENSE). Idempotent: the environment is made once
# (scripts/musicnn-env.sh) and the outputs are rewritten identically.
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(scripts/musicnn-env.sh)"
TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=3 "$python" scripts/convert_musicnn.py
