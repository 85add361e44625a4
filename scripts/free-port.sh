#!/usr/bin/env bash
# Prints a TCP port that nothing on this machine listens on, for a `genre serve` of a script's own.
set -euo pipefail
comm -23 <(seq 20000 60000 | sort) <(ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u) | shuf -n1
