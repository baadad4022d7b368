#!/usr/bin/env bash
# The whole test suite: the standalone Lua tests of the prelude and its libraries
# (plain lua5.4), then the Swift tests (unit, runtime, end-to-end). Run from the
# repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

lua5.4 Tests/Lua/prelude/run.lua
lua5.4 Tests/Lua/stdlib/run_all.lua
lua5.4 Tests/Lua/game/run.lua

swift build
swift test
