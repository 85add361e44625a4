#!/usr/bin/env bash
# Creates (once) the Python virtual environment with PySpark for scripts/spark-classify.sh, and
# installs Java 17 from Debian when it is missing. Prints the path of the venv's bin folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${GENREKIT_SPARKENV:-$root/.venv-spark}"
if ! command -v java > /dev/null; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq openjdk-17-jre-headless >&2
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import pyspark" 2>/dev/null; then
  "$venv/bin/pip" install -q "pyspark==4.0.1" >&2
fi
echo "$venv/bin"
