#!/usr/bin/env bash
# Installs the system libraries GenreKit needs (when missing) and makes a release build.
# Works on a fresh Debian 12 machine that has only the Swift toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

# ffmpeg, the command, cuts the fuzzers' audio seeds (scripts/fuzz-seeds.sh); chromium and its
# WebDriver drive the page `genre serve` shows (GenreServerTests' browser test, which speaks to the
# driver through curl); wrk loads the service (bench/serve.sh); GNU time measures peak memory in
# scripts/results-networks.sh.
packages=(pkg-config libavformat-dev libavcodec-dev libavutil-dev libsoxr-dev libsvm-dev libxgboost-dev libdnnl-dev liblapack-dev
          libtagc0-dev libsqlite3-dev
          ffmpeg chromium chromium-driver curl wrk time)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" != "--no-build" ]; then
  source scripts/swift-flags.sh
  swift build -c release --product genre "${swift_flags[@]}" >&2
fi
