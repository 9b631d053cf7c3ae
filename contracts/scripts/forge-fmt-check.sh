#!/usr/bin/env bash
# Fails the build when a Solidity file under src/ or test/ is not as `forge fmt` would write it
# (settings in foundry.toml's [fmt]), printing the diff and the command that fixes it.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! node_modules/.bin/forge fmt --check src test; then
  echo "ERROR: Solidity sources are not formatted (diff above). Format them with: (cd contracts && node_modules/.bin/forge fmt src test)" >&2
  exit 1
fi
