#!/usr/bin/env bash
# The whole test suite: the standalone Lua tests of the prelude and its libraries
# (plain lua5.4), then the Swift tests (unit, runtime, end-to-end). Run from the
# repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

lua5.4 Tests/Lua/prelude/run.lua
for test in Tests/Lua/stdlib/test_*.lua; do
    lua5.4 "$test"
done

swift build
swift test
