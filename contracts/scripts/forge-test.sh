#!/usr/bin/env bash
# Runs the Solidity tests (unit, fuzz, invariant) through `forge snapshot`, which also rewrites
# the committed gas snapshot (.gas-snapshot): a gas regression shows up in `git diff`. The
# output is kept in target/forge-test.log, where scripts/test reads the summary from.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
node_modules/.bin/forge snapshot "$@" 2>&1 | tee target/forge-test.log
exit "${PIPESTATUS[0]}"
