#!/usr/bin/env bash
# Creates (once) the Python virtual environment that runs the original musicnn (Pons & Serra, 2019)
# for scripts/convert_musicnn.py and scripts/fixtures/make_musicnn_fixtures.py; prints its python.
# PyPI's musicnn 0.1.0 is installed without its dependencies (it pins tensorflow 1.x era numpy<1.17,
# which has no wheels for this Python); its TF1 graph code runs on tensorflow-cpu through tf.compat.v1
# with tf_keras and TF_USE_LEGACY_KERAS=1. NumPy stays on the 1.x line because musicnn's input
# pipeline depends on NumPy 1's promotion: `10000 * x` of a float16 array is float32 there, float16
# (overflowing to inf, so NaN taggrams) under NumPy 2. ml_dtypes < 0.6 is the last to accept NumPy 1.
# The product and its tests never need this environment: the converted weights and fixtures are committed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${GENREKIT_MUSICNN_ENV:-$root/.venv-musicnn}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import numpy, tensorflow, tf_keras, librosa, soundfile, safetensors, musicnn
assert numpy.__version__ == '1.26.4'" 2>/dev/null; then
  "$venv/bin/pip" install -q "tensorflow-cpu==2.21.0" "tf_keras==2.21.0" "numpy==1.26.4" "ml_dtypes>=0.5.1,<0.6" \
    "librosa==0.11.0" soundfile "safetensors==0.8.0" >&2
  "$venv/bin/pip" install -q --no-deps "musicnn==0.1.0" >&2
fi
echo "$venv/bin/python"
