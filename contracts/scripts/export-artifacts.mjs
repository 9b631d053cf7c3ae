// Turns forge's build output into the artifacts the Java build consumes: one JSON file per
// contract defined under src/, holding { contractName, sourceName, abi, bytecode }.
// The web3j Maven plugin generates the bindings from these files, so the Java bindings and
// `forge test` always come from the same compilation. Stale outputs are removed first, so a
// deleted or renamed contract disappears from the bindings too.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'target', 'forge', 'out');
const artifactsDir = path.join(root, 'target', 'artifacts');
const generatedDir = path.join(root, 'target', 'generated-sources', 'web3j');

if (!fs.existsSync(outDir)) {
  console.error(`no forge output at ${outDir}: run forge build first`);
  process.exit(1);
}
fs.rmSync(artifactsDir, { recursive: true, force: true });
fs.rmSync(generatedDir, { recursive: true, force: true });
fs.mkdirSync(artifactsDir, { recursive: true });

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(p);
    else if (entry.name.endsWith('.json')) yield p;
  }
}

const seen = new Map();
for (const file of walk(outDir)) {
  if (file.includes(`${path.sep}build-info${path.sep}`)) continue;
  const artifact = JSON.parse(fs.readFileSync(file, 'utf8'));
  const target = artifact.metadata?.settings?.compilationTarget ?? {};
  const [sourceName, contractName] = Object.entries(target)[0] ?? [];
  if (!sourceName || !sourceName.startsWith('src/')) continue;
  if (seen.has(contractName)) {
    console.error(`two contracts named ${contractName}: ${seen.get(contractName)} and ${sourceName}; Java bindings need unique names`);
    process.exit(1);
  }
  seen.set(contractName, sourceName);
  const out = {
    contractName,
    sourceName,
    abi: artifact.abi,
    bytecode: artifact.bytecode?.object ?? '0x',
  };
  fs.writeFileSync(path.join(artifactsDir, `${contractName}.json`), JSON.stringify(out, null, 2) + '\n');
}
if (seen.size === 0) {
  console.error(`no contracts under src/ found in ${outDir}`);
  process.exit(1);
}
console.log(`[contracts] exported ${seen.size} artifacts: ${[...seen.keys()].sort().join(', ')}`);
