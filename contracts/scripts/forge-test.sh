#!/usr/bin/env bash
# Runs the Solidity tests (unit, fuzz, invariant) and keeps the output in target/forge-test.log,
# where scripts/test reads the summary from.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
node_modules/.bin/forge test "$@" 2>&1 | tee target/forge-test.log
exit "${PIPESTATUS[0]}"
