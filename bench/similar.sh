#!/usr/bin/env bash
# How long `genre similar` takes on a large index: the bundled examples scanned into a fresh
# library, then ROWS synthetic songs (random 200-value embeddings, as the default model's) added
# with Python's standard sqlite3, then the best of three whole `genre similar` processes for an
# indexed example, and the time of the same process on the examples alone (what the rows add).
# Usage: bench/similar.sh [rows, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-10000}"
[ -x .build/release/genre ] || scripts/setup.sh >/dev/null
genre="$PWD/.build/release/genre"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$genre" library scan Examples --db "$work/library.sqlite" --quiet >/dev/null

best() {  # best <command...>: the shortest of three wall-clock times, in ms
  for _ in 1 2 3; do
    /usr/bin/time -f "%e" -o "$work/t" "$@" >/dev/null
    cat "$work/t"
  done | sort -n | head -1 | awk '{ printf "%.0f", 1000 * $1 }'
}
alone="$(best "$genre" similar Examples/awol-food.mp3 --db "$work/library.sqlite")"

python3 - "$work/library.sqlite" "$rows" <<'PY'
import array, json, random, sqlite3, sys
db, rows = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
template = db.execute("SELECT tags, genres, timeline, msdTags, scannedAt FROM song LIMIT 1").fetchone()
rng = random.Random(0)
def song(i):
    embedding = array.array("f", (rng.gauss(0, 1) for _ in range(200))).tobytes()
    return (f"/synthetic/{i // 1000:04d}/{i:07d}.mp3", 4_000_000, 0.0, f"{i:032x}", 30.0, template[0], "rock", 0.5,
            template[1], template[2], template[3], embedding, 1, template[4])
for start in range(0, rows, 10_000):
    db.executemany("INSERT INTO song (path, size, modified, audioHash, durationSeconds, tags, topGenre, confidence, genres,"
                   " timeline, msdTags, embedding, present, scannedAt) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   [song(i) for i in range(start, min(rows, start + 10_000))])
db.commit()
PY
with="$(best "$genre" similar Examples/awol-food.mp3 --db "$work/library.sqlite")"
echo "genre similar, whole process, best of 3: $alone ms on the 3 examples, $with ms with $rows more songs ($((with - alone)) ms for the search)"
