#!/usr/bin/env bash
# How long `genre similar` takes on a large index: the bundled examples scanned into a fresh
# library, then ROWS synthetic songs added with Python's standard sqlite3 (200-value embeddings,
# as the default model's, each joined from four random 50-value pieces so that a million rows
# are quick to make), then: the first query, which makes the 8-bit embedding matrix beside the
# database, and the best of five whole `genre similar` processes afterwards, against the same
# process on the examples alone.
# Usage: bench/similar.sh [rows, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-10000}"
[ -x .build/release/genre ] || scripts/setup.sh >/dev/null
genre="$PWD/.build/release/genre"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$genre" library scan Examples --db "$work/library.sqlite" --quiet >/dev/null
query=(similar Examples/awol-food.mp3 --db "$work/library.sqlite")

ms() {  # ms <command...>: wall-clock time of one run, in ms
  /usr/bin/time -f "%e" -o "$work/t" "$@" >/dev/null
  awk '{ printf "%.0f\n", 1000 * $1 }' "$work/t"
}
best() { for _ in 1 2 3 4 5; do ms "$@"; done | sort -n | head -1; }
alone="$(best "$genre" "${query[@]}")"

python3 - "$work/library.sqlite" "$rows" <<'PY'
import array, random, sqlite3, sys
db, rows = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
template = db.execute("SELECT tags, scannedAt FROM song LIMIT 1").fetchone()
rng = random.Random(0)
pieces = [array.array("f", (rng.gauss(0, 1) for _ in range(50))).tobytes() for _ in range(4096)]
def song(i):
    embedding = b"".join(pieces[rng.randrange(4096)] for _ in range(4))
    return (f"/synthetic/{i // 1000:04d}/{i:07d}.mp3", 4_000_000, 0.0, f"{i:032x}", 30.0, template[0], "rock", 0.5,
            "[]", "[]", "[]", embedding, 1, template[1])
for start in range(0, rows, 50_000):
    db.executemany("INSERT INTO song (path, size, modified, audioHash, durationSeconds, tags, topGenre, confidence, genres,"
                   " timeline, msdTags, embedding, present, scannedAt) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   [song(i) for i in range(start, min(rows, start + 50_000))])
    db.commit()
PY
first="$(ms "$genre" "${query[@]}")"
with="$(best "$genre" "${query[@]}")"
echo "genre similar, whole process: $alone ms on the 3 examples (best of 5); with $rows more songs: $first ms for the first query" \
     "(it makes the $(du -h "$work/library.sqlite.vectors" | cut -f1) embedding matrix), then $with ms (best of 5), $((with - alone)) ms more than on the examples alone"
