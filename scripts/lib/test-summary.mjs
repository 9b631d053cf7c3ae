// Prints what scripts/test ran: forge's totals and the JUnit totals of every module.
// Only reports written by this run count (a run with -pl leaves other modules' old reports).
// Usage: node scripts/lib/test-summary.mjs <maven exit status> <start time, epoch seconds>
import fs from 'node:fs';
import path from 'node:path';

const [status, startEpoch] = process.argv.slice(2).map(Number);
const seconds = Math.round(Date.now() / 1000 - startEpoch);
const fresh = (file) => fs.statSync(file).mtimeMs >= startEpoch * 1000;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const rows = [];

const forgeLog = path.join(root, 'contracts', 'target', 'forge-test.log');
if (fs.existsSync(forgeLog) && fresh(forgeLog)) {
  const text = fs.readFileSync(forgeLog, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
  const m = text.match(/(\d+) tests passed, (\d+) failed, (\d+) skipped \((\d+) total tests\)/);
  if (m) rows.push(['contracts (forge)', +m[4], +m[2], 0, +m[3]]);
}

function modules(dir, depth = 0) {
  const out = [];
  if (depth > 2) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'target') continue;
    const p = path.join(dir, e.name);
    if (fs.existsSync(path.join(p, 'pom.xml'))) out.push(p);
    out.push(...modules(p, depth + 1));
  }
  return out;
}

for (const mod of modules(root)) {
  let tests = 0, failures = 0, errors = 0, skipped = 0, found = false;
  for (const kind of ['surefire-reports', 'failsafe-reports']) {
    const dir = path.join(mod, 'target', kind);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((f) => /^TEST-.*\.xml$/.test(f) && fresh(path.join(dir, f)))) {
      const head = fs.readFileSync(path.join(dir, f), 'utf8').slice(0, 2000);
      const attr = (n) => +(head.match(new RegExp(`<testsuite[^>]*\\s${n}="(\\d+)"`)) || [0, 0])[1];
      tests += attr('tests'); failures += attr('failures'); errors += attr('errors'); skipped += attr('skipped');
      found = true;
    }
  }
  if (found) rows.push([path.relative(root, mod) + ' (JUnit)', tests, failures, errors, skipped]);
}

const line = (c) => `${c[0].padEnd(32)} ${String(c[1]).padStart(6)} ${String(c[2]).padStart(8)} ${String(c[3]).padStart(6)} ${String(c[4]).padStart(7)}`;
console.log('\n==================== Credence test summary ====================');
console.log(line(['module', 'tests', 'failures', 'errors', 'skipped']));
let total = ['total', 0, 0, 0, 0];
for (const r of rows) {
  console.log(line(r));
  for (let i = 1; i < 5; i++) total[i] += r[i];
}
console.log(line(total));
console.log(`result: ${status === 0 ? 'PASSED' : 'FAILED (maven exit ' + status + ')'} in ${seconds} s; full log in target/test.log`);
