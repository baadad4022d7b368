#!/usr/bin/env bash
# The whole test suite: Swift tests (unit, runtime, end-to-end) and the standalone
# Lua tests of the prelude libraries. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build
swift test
