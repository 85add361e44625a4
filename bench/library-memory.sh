#!/usr/bin/env bash
# Whether a scan's memory stays flat as the library grows: FILES short distinct WAVs (0.5 s of
# 8 kHz 8-bit noise, 1,000 a folder) are made and scanned into a fresh library, and the scan's
# resident memory is sampled every 10 s beside the number of songs stored so far.
# Usage: bench/library-memory.sh [files, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-10000}"
[ -x .build/release/genre ] || scripts/setup.sh >/dev/null
genre="$PWD/.build/release/genre"
work="$(mktemp -d)"; trap 'kill "$scan" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work/songs" "$files" <<'PY'
import os, struct, sys
root, count, frames = sys.argv[1], int(sys.argv[2]), 4000
for i in range(count):
    folder = os.path.join(root, f"{i // 1000:04d}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{i:07d}.wav"), "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + frames) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
                + b"data" + struct.pack("<I", frames) + os.urandom(frames))
PY

started=$(date +%s)
"$genre" library scan "$work/songs" --db "$work/library.sqlite" --quiet > "$work/summary" 2>&1 &
scan=$!
songs() { python3 -c "import sqlite3, sys; print(sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True).execute('SELECT count(*) FROM song').fetchone()[0])" "$work/library.sqlite" 2>/dev/null || echo 0; }
echo "| seconds | songs stored | resident MiB |"
echo "| ---: | ---: | ---: |"
peak=0
while kill -0 "$scan" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$scan/status" 2>/dev/null || echo 0)
  ((rss > peak)) && peak=$rss
  echo "| $(($(date +%s) - started)) | $(songs) | $((rss / 1024)) |"
  sleep 10
done
wait "$scan" || true
echo "$(tail -1 "$work/summary" | sed 's/.*: //'); peak resident $((peak / 1024)) MiB over $files files in $(($(date +%s) - started)) s"
