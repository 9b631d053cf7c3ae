#!/usr/bin/env bash
# Checks Node.js and npm, then installs the pinned Solidity toolchain (package-lock.json) when it
# is missing or the lockfile changed. Run by the Maven build before anything is compiled.
set -euo pipefail
cd "$(dirname "$0")/.."

min_node=20
fail() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 ||
  fail "node was not found on PATH. Credence compiles its Solidity contracts with the npm toolchain: install Node.js ${min_node}+ and npm (Debian: apt-get install nodejs npm), then build again."
command -v npm >/dev/null 2>&1 ||
  fail "npm was not found on PATH (node is $(command -v node)). Install npm for Node.js ${min_node}+, then build again."
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge "$min_node" ] ||
  fail "Node.js $(node --version) is too old: Credence needs Node.js ${min_node}+ for solc-js, forge and anvil."

stamp=node_modules/.credence-lock.sha256
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x node_modules/.bin/forge ]; then
  echo "[contracts] installing the pinned Solidity toolchain (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
