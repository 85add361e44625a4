#!/usr/bin/env bash
# Creates (once) the Python virtual environment with the reference implementations that the fixture
# scripts and benchmarks run: librosa 0.11, scikit-learn, xgboost (the version of Debian's libxgboost) and safetensors. Prints the path of its python.
# The product and its tests never need it: committed fixtures carry the reference values.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${GENREKIT_REFENV:-$root/.venv-ref}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import librosa, soundfile, sklearn, xgboost, safetensors" 2>/dev/null; then
  "$venv/bin/pip" install -q "librosa==0.11.0" soundfile "scikit-learn==1.6.1" "xgboost==1.7.4" "safetensors==0.8.0" >&2
fi
echo "$venv/bin/python"
