#!/usr/bin/env bash
# Every `starlane bench` suite at the scales docs/PERFORMANCE.md reports, one suite
# per process (a suite's threads and memory do not linger into the next), each
# table printed and all rows gathered in bench.json. Run from the repository root
# on a quiet machine: the figures are side by side with baselines from the same run,
# but absolute values move with other load.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product starlane
bin=.build/release/starlane
out=${1:-bench.json}
tmp=$(mktemp -d)
run() {  # suite scale
  "$bin" bench "$1" --scale "$2" --json "$tmp/$1.json"
}
run pcall 1
run dispatch 0.5
run send 0.5
run pingpong 0.5
run fanout 0.5
run spawn 1
run bank 1
run replay 1
run http 0.5
run tick 0.2
python3 - "$tmp" "$out" <<'PY'
import json, os, sys
rows = []
for name in sorted(os.listdir(sys.argv[1])):
    rows += json.load(open(os.path.join(sys.argv[1], name)))
json.dump(rows, open(sys.argv[2], "w"), indent=2)
print(f"{len(rows)} rows -> {sys.argv[2]}")
PY
rm -rf "$tmp"
