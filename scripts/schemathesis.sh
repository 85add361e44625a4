#!/usr/bin/env bash
# Property-based checks of `genre serve` against its own openapi.yaml: schemathesis (in a venv of
# its own) sends generated requests to every operation and fails on a 5xx, a status, content type,
# header or body the spec does not describe, or bad input accepted; the service serves a library of the
# bundled examples (--db). Loopback only; about 2 minutes.
# Not among the checks: positive_data_acceptance (a body that fits the schema, any bytes, is
# rarely audio: 422 is the documented answer) and the authentication checks (the API has none).
# Usage: scripts/schemathesis.sh [seconds of fuzzing, default 90]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${1:-90}"
venv="${GENREKIT_SCHEMATHESIS_ENV:-$root/.venv-schemathesis}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
"$venv/bin/python" -c "import schemathesis" 2>/dev/null || "$venv/bin/pip" install -q "schemathesis==4.32.5" >&2
[ -x .build/release/genre ] || scripts/setup.sh >/dev/null

# A library of the bundled examples, so that the /v1/library routes are there too.
work="$(mktemp -d)"
.build/release/genre library scan Examples --db "$work/library.sqlite" --quiet >/dev/null

port=$(scripts/free-port.sh)
url="http://127.0.0.1:$port"
# Small limits keep generated uploads quick: 1 MB, 60 s of audio, 20 s per analysis.
.build/release/genre serve --port "$port" --max-upload-mb 1 --max-duration 60 --timeout 20 --db "$work/library.sqlite" 2>/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 300); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done

"$venv/bin/st" run "$url/openapi.yaml" --url "$url" --checks all \
  --exclude-checks positive_data_acceptance,ignored_auth,missing_required_header \
  --max-time "$seconds" --workers 2 --suppress-health-check too_slow,data_too_large --no-color
