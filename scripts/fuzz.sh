#!/usr/bin/env bash
# Builds the fuzz package (fuzz/) with libFuzzer and AddressSanitizer and runs one target or all,
# one after another, for SECONDS each (default 60). Each target grows its corpus in
# fuzz/corpus/<target>/ from the seeds of scripts/fuzz-seeds.sh (made when missing); a crashing,
# leaking, slow (> 10 s) or greedy (> 2 GB) input is written to fuzz/findings/ and fails the run.
# Usage: scripts/fuzz.sh [audio|bundle|tables|safetensors|all] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(audio bundle tables safetensors)
choice=${1:-all}
seconds=${2:-60}
if [ "$choice" != all ]; then
  [[ " ${targets[*]} " == *" $choice "* ]] || { echo "usage: scripts/fuzz.sh [${targets[*]// /|}|all] [seconds]" >&2; exit 2; }
  targets=("$choice")
fi

source scripts/swift-flags.sh
nice -n 10 swift build -c release --package-path fuzz --scratch-path fuzz/.build "${swift_flags[@]}" \
  -Xswiftc -sanitize=fuzzer,address >&2
bin=$(swift build -c release --package-path fuzz --scratch-path fuzz/.build --show-bin-path)
[ -d fuzz/seeds ] || scripts/fuzz-seeds.sh >&2

# Leaks are reported (LeakSanitizer runs after each input that grew the heap); fuzz/lsan.supp
# names the toolchain's own leaks.
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp
failed=0
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" fuzz/findings
  log=fuzz/findings/$target.log
  status=0
  nice -n 10 "$bin/fuzz-$target" -rss_limit_mb=2048 -timeout=10 -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="fuzz/findings/$target-" "fuzz/corpus/$target" "fuzz/seeds/$target" > "$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $target: $runs executions in ${seconds} s, no crash"
  else
    failed=1
    finding=$(grep -o "fuzz/findings/$target-[a-z-]*[0-9a-f]*" "$log" | tail -1)
    echo "fuzz: $target: FAILED after $runs executions: $(grep -m1 -E 'ERROR|==[0-9]+==|Fatal error|timeout' "$log" || echo "exit $status"); input ${finding:-?}; log $log"
    tail -n 60 "$log" >&2
  fi
done
exit "$failed"
