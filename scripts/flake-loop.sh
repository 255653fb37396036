#!/usr/bin/env bash
# Runs test files again and again under CPU hogs, stopping at the first failure: how the killing and
# racing tests were shown to pass 10 runs in a row on a loaded machine (issue 17).
#
#   scripts/flake-loop.sh [-n RUNS] [-j HOGS] test/integration/store-sigkill.test.ts ...
#
# Each run is `vitest run FILE...` on the already built tree; the hogs are busy loops (`yes`), started
# and stopped here. Prints one line per run with its duration and the machine's load.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
hogs=2
while getopts 'n:j:' opt; do
  case "$opt" in
    n) runs="$OPTARG" ;;
    j) hogs="$OPTARG" ;;
    *) exit 64 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || {
  echo 'usage: scripts/flake-loop.sh [-n RUNS] [-j HOGS] TEST_FILE...' >&2
  exit 64
}

pids=()
stop_hogs() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap stop_hogs EXIT
for ((h = 0; h < hogs; h++)); do
  yes >/dev/null &
  pids+=($!)
done

log="$(mktemp "${TMPDIR:-/tmp}/flake-loop.XXXXXX")"
echo "flake-loop: $runs runs of $* under $hogs CPU hogs on $(nproc) CPUs (vitest output of the last run: $log)"
for ((i = 1; i <= runs; i++)); do
  start=$SECONDS
  if NO_COLOR=1 node node_modules/vitest/vitest.mjs run "$@" >"$log" 2>&1; then
    echo "run $i/$runs passed in $((SECONDS - start)) s (load $(cut -d' ' -f1-3 /proc/loadavg))"
    # each file's own time, so a batch's runs give every file its range
    grep -E '^ (✓|❯) \S+\.test\.ts' "$log" | sed 's/^/   /' || true
  else
    echo "run $i/$runs FAILED after $((SECONDS - start)) s (load $(cut -d' ' -f1-3 /proc/loadavg)):"
    grep -E 'FAIL|Error|expected' "$log" | head -20
    exit 1
  fi
done
echo "flake-loop: $runs of $runs passed"
