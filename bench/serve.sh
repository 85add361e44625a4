#!/usr/bin/env bash
# Load on `genre serve` (loopback only): wrk POSTs a 30 s MP3 to /v1/classify with 1, 2 and 8
# clients at once for a while each (requests/s, p50/p99 latency; any non-2xx answer fails: 8
# clients fit in the default slots and queue, so none may get 503); then the server's resident
# memory before and after 1000 more classifications (it must stay flat).
# Usage: bench/serve.sh [seconds per concurrency, default 20] [requests for the memory check, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
requests="${2:-1000}"
[ -x .build/release/genre ] || scripts/setup.sh >/dev/null
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt install wrk)" >&2; exit 1; }
export GENRE_BENCH_AUDIO="$PWD/Examples/awol-food.mp3"
port=$(scripts/free-port.sh)
url="http://127.0.0.1:$port"
.build/release/genre serve --port "$port" 2>/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$server/status"; }

echo "cores: $(nproc); song: $(basename "$GENRE_BENCH_AUDIO") (30 s); ${seconds} s per row"
echo "| clients | requests | requests/s | p50 ms | p99 ms | non-2xx |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
status=0
for clients in 1 2 8; do
  line=$(wrk -t1 -c"$clients" -d"${seconds}s" --timeout 120s -s bench/serve.lua "$url/v1/classify" | grep '^RESULT')
  eval "${line#RESULT }"
  echo "| $clients | $count | $rps | $p50_ms | $p99_ms | $non2xx |"
  ((non2xx == 0 && socket_errors == 0)) || status=1
done

# Memory: after a warm-up (above), RSS before and after `requests` classifications, two at a time.
before=$(rss)
seq "$requests" | xargs -P2 -I{} curl -sf -o /dev/null --data-binary @"$GENRE_BENCH_AUDIO" "$url/v1/classify" || status=1
after=$(rss)
echo "RSS before $((before / 1024)) MiB, after $requests classifications $((after / 1024)) MiB"
exit "$status"
