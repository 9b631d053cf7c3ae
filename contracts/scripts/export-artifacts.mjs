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
// A resource of the contracts jar: every custom error of every contract, which the protocol's
// ContractErrors decodes revert data with (the bindings carry no parameter names).
const errorsDir = path.join(root, 'target', 'contract-errors');
const errorsFile = path.join(errorsDir, 'io', 'credence', 'contracts', 'errors.json');

if (!fs.existsSync(outDir)) {
  console.error(`no forge output at ${outDir}: run forge build first`);
  process.exit(1);
}
fs.rmSync(artifactsDir, { recursive: true, force: true });
fs.rmSync(generatedDir, { recursive: true, force: true });
fs.rmSync(errorsDir, { recursive: true, force: true });
fs.mkdirSync(artifactsDir, { recursive: true });

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(p);
    else if (entry.name.endsWith('.json')) yield p;
  }
}

// the canonical type of an ABI parameter, as in a selector's signature
const canonical = (p) =>
  p.type.startsWith('tuple') ? `(${p.components.map(canonical).join(',')})${p.type.slice('tuple'.length)}` : p.type;

const seen = new Map();
const errors = new Map();
for (const file of walk(outDir)) {
  if (file.includes(`${path.sep}build-info${path.sep}`)) continue;
  const artifact = JSON.parse(fs.readFileSync(file, 'utf8'));
  const target = artifact.metadata?.settings?.compilationTarget ?? {};
  const [sourceName, contractName] = Object.entries(target)[0] ?? [];
  if (!sourceName || !sourceName.startsWith('src/')) continue;
  const viaIR = artifact.metadata?.settings?.viaIR === true;
  if (seen.has(contractName)) {
    const first = seen.get(contractName);
    if (first.sourceName !== sourceName) {
      console.error(`two contracts named ${contractName}: ${first.sourceName} and ${sourceName}; Java bindings need unique names`);
      process.exit(1);
    }
    // one source compiled by both pipelines (foundry.toml's compilation restrictions): the IR
    // pipeline's build is the one deployed
    if (first.viaIR || !viaIR) continue;
  }
  seen.set(contractName, { sourceName, viaIR });
  const out = {
    contractName,
    sourceName,
    abi: artifact.abi,
    bytecode: artifact.bytecode?.object ?? '0x',
  };
  fs.writeFileSync(path.join(artifactsDir, `${contractName}.json`), JSON.stringify(out, null, 2) + '\n');
  for (const e of artifact.abi.filter((entry) => entry.type === 'error')) {
    const signature = `${e.name}(${e.inputs.map(canonical).join(',')})`;
    if (!errors.has(signature)) errors.set(signature, { signature, name: e.name, inputs: e.inputs, contracts: [] });
    errors.get(signature).contracts.push(contractName);
  }
}
if (seen.size === 0) {
  console.error(`no contracts under src/ found in ${outDir}`);
  process.exit(1);
}
fs.mkdirSync(path.dirname(errorsFile), { recursive: true });
const sortedErrors = [...errors.values()].sort((a, b) => a.signature.localeCompare(b.signature));
fs.writeFileSync(errorsFile, JSON.stringify(sortedErrors, null, 1) + '\n');
console.log(`[contracts] exported ${seen.size} artifacts: ${[...seen.keys()].sort().join(', ')}`);
