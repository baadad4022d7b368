#!/usr/bin/env bash
# Two builds of Starlane, every `starlane bench` suite at the scales docs/PERFORMANCE.md
# reports, alternating old and new suite by suite (so both see the same stretch of
# machine load), ROUNDS times. Each binary runs from its own build directory, beside
# the resource bundle holding its Lua prelude.
#   tools/bench-ab.sh OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]
# Both checkouts must have been built with `swift build -c release --product starlane`.
set -euo pipefail
old=${1:?old checkout}; new=${2:?new checkout}; rounds=${3:-2}
suites=("dispatch 0.5" "send 0.5" "pingpong 0.5" "fanout 0.5" "tick 0.2" "bank 0.2"
        "spawn 0.3" "ledger 0.5" "http 0.5" "replay 1")
for round in $(seq 1 "$rounds"); do
  for spec in "${suites[@]}"; do
    read -r suite scale <<<"$spec"
    for checkout in "$old" "$new"; do
      echo "### $checkout $suite $scale round $round load $(cut -d' ' -f1 /proc/loadavg)"
      "$checkout/.build/release/starlane" bench "$suite" --scale "$scale" || echo "(failed)"
    done
  done
done
