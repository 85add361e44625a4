#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite (release build: the GTZAN checks decode
# and analyse real clips).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-build
source scripts/swift-flags.sh
swift test -c release "${swift_flags[@]}" "$@"
