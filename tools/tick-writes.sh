#!/usr/bin/env bash
# Runs `starlane bench tick` and prints, beside its rows, how many bytes the process
# wrote in all (/proc/PID/io wchar: the ledger's WAL and checkpoints, nearly all of
# it from the durable run). docs/PERFORMANCE.md, "Session 6".
#   tools/tick-writes.sh [BINARY] [SCALE]     (defaults: .build/release/starlane, 1)
set -euo pipefail
binary=${1:-.build/release/starlane}
scale=${2:-1}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$binary" bench tick --scale "$scale" > "$out" 2>&1 &
pid=$!
written=0
while kill -0 "$pid" 2>/dev/null; do
    now=$(awk '/^wchar/ {print $2}' "/proc/$pid/io" 2>/dev/null || true)
    [ -n "$now" ] && written=$now
    sleep 0.5
done
wait "$pid"
cat "$out"
echo "bytes written by the process: $((written / 1000000)) MB"
