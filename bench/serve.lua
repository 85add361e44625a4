-- wrk: POST the file $GENRE_BENCH_AUDIO to the URL wrk was given (e.g. /v1/classify), and print
-- the figures bench/serve.sh tabulates: requests/s, p50 and p99 latency (ms), non-2xx answers.
local file = assert(io.open(os.getenv("GENRE_BENCH_AUDIO"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
wrk.headers["Content-Type"] = "application/octet-stream"
file:close()

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT count=%d rps=%.2f p50_ms=%.0f p99_ms=%.0f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
