// Prints what scripts/test ran: forge's totals, and Maven's own per-module totals (surefire and
// failsafe each print one "Tests run: …" line per module) read from the build log.
// Usage: node scripts/lib/test-summary.mjs <maven exit status> <start time, epoch seconds> <log>
import fs from 'node:fs';
import path from 'node:path';

const [statusArg, startArg, logArg] = process.argv.slice(2);
const status = Number(statusArg);
const seconds = Math.round(Date.now() / 1000 - Number(startArg));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const strip = (t) => t.replace(/\x1b\[[0-9;]*m/g, '');
const rows = new Map();
const add = (name, counts) => {
  const r = rows.get(name) ?? [0, 0, 0, 0];
  counts.forEach((c, i) => (r[i] += c));
  rows.set(name, r);
};

const forgeLog = path.join(root, 'contracts', 'target', 'forge-test.log');
if (fs.existsSync(forgeLog) && fs.statSync(forgeLog).mtimeMs >= Number(startArg) * 1000) {
  const m = strip(fs.readFileSync(forgeLog, 'utf8')).match(/(\d+) tests passed, (\d+) failed, (\d+) skipped \((\d+) total tests\)/);
  if (m) add('contracts (forge)', [+m[4], +m[2], 0, +m[3]]);
}

let module = null;
for (const line of strip(fs.readFileSync(logArg, 'utf8')).split('\n')) {
  const building = line.match(/Building Credence :: (.+?) [0-9][^ ]*(-SNAPSHOT)?\s*(\[\d+\/\d+\])?$/);
  if (building) module = building[1].trim();
  const totals = line.match(/^\[(?:INFO|ERROR|WARNING)\] Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)$/);
  if (totals && module) add(`${module} (JUnit)`, totals.slice(1).map(Number));
}

const fmt = (c) => `${c[0].padEnd(40)} ${String(c[1]).padStart(6)} ${String(c[2]).padStart(8)} ${String(c[3]).padStart(6)} ${String(c[4]).padStart(7)}`;
console.log('\n======================= Credence test summary =======================');
console.log(fmt(['module', 'tests', 'failures', 'errors', 'skipped']));
const total = [0, 0, 0, 0];
for (const [name, r] of rows) {
  console.log(fmt([name, ...r]));
  r.forEach((c, i) => (total[i] += c));
}
console.log(fmt(['total', ...total]));
console.log(`result: ${status === 0 ? 'PASSED' : 'FAILED (maven exit ' + status + ')'} in ${seconds} s; full log in target/test.log`);
