#!/usr/bin/env bash
# Runs the Solidity tests (unit, fuzz, invariant) through `forge snapshot`, then compares the gas
# of every unit test with the committed snapshot (.gas-snapshot): an unexpected change fails the
# build with the diff. An intended change is recorded with FORGE_SNAPSHOT=update (Maven:
# -Dforge.snapshot=update) and committed with the change that caused it.
#
# Only unit tests are in the snapshot. A fuzz test's mean gas depends on which inputs it drew, and
# forge spreads fuzz runs over as many threads as the machine has cores, so those figures differ
# between machines; the gas of a unit test is the same everywhere (the EVM and solc are pinned).
#
# Arguments go to forge (e.g. `--fuzz-runs 10000`, `--match-contract InferenceHubTest`). When they
# select tests, only the selected tests are compared. forge's output is kept in
# target/forge-test.log, where scripts/test reads the summary from.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
committed=.gas-snapshot
measured=target/gas-snapshot
mode=${FORGE_SNAPSHOT:-check}
case "$mode" in
  check | update) ;;
  *) echo "ERROR: FORGE_SNAPSHOT (Maven: -Dforge.snapshot) is '$mode'; use check (the default) or update." >&2; exit 2 ;;
esac

# An update compiles from scratch: an incremental compile of the two pipelines (legacy and IR) can
# link a test against a stale build of a changed contract, a few gas off what a clean clone measures.
if [ "$mode" = update ]; then
  rm -rf target/forge/cache target/forge/out
fi
node_modules/.bin/forge snapshot --snap target/gas-snapshot.all "$@" 2>&1 | tee target/forge-test.log
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || exit "$status"

# a unit test's line ends in "(gas: N)"; fuzz lines carry "(runs: …, μ: …)", invariant lines "(runs: …, calls: …)"
grep -E '\(gas: [0-9]+\)$' target/gas-snapshot.all > "$measured"

if [ "$mode" = update ]; then
  if [ "$#" -gt 0 ]; then
    echo "ERROR: the gas snapshot is rewritten from a run of every test; run the update without forge arguments (they were: $*)." >&2
    exit 2
  fi
  cp "$measured" "$committed"
  echo "[contracts] gas snapshot rewritten: contracts/$committed ($(wc -l < "$committed") unit tests); review \`git diff contracts/$committed\` and commit it"
  exit 0
fi

expected=target/gas-snapshot.expected
if [ "$#" -gt 0 ]; then
  # a selection of tests ran: compare those tests only (by name, the part before " (gas")
  awk 'NR == FNR { ran[substr($0, 1, index($0, " (gas") - 1)] = 1; next }
       substr($0, 1, index($0, " (") - 1) in ran' "$measured" "$committed" > "$expected"
else
  cp "$committed" "$expected"
fi
if ! diff -u --label "contracts/$committed (committed)" --label "this build" "$expected" "$measured"; then
  cat >&2 <<EOF
ERROR: the gas used by the unit tests differs from the committed snapshot contracts/$committed
       (diff above: - committed, + this build). If the change is intended, record it and commit
       the new snapshot with the change that caused it:
         ./mvnw -pl contracts verify -Dforge.snapshot=update     (or: scripts/test -pl contracts -Dforge.snapshot=update)
EOF
  exit 1
fi
echo "[contracts] gas of $(wc -l < "$measured") unit tests matches contracts/$committed"
