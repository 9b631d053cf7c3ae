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

// The format and gas checks of the verify phase: what each said, or that the build stopped before it.
const checks = {
  java: { name: 'Java format (Spotless)', passed: 0, failed: [] },
  solidity: { name: 'Solidity format (forge fmt)', result: null },
  gas: { name: 'gas snapshot (contracts/.gas-snapshot)', result: null },
};
let module = null;
let checking = null;
let lastGoal = '';
for (const line of strip(fs.readFileSync(logArg, 'utf8')).split('\n')) {
  const building = line.match(/Building Credence :: (.+?) [0-9][^ ]*(-SNAPSHOT)?\s*(\[\d+\/\d+\])?$/);
  if (building) module = building[1].trim();
  const totals = line.match(/^\[(?:INFO|ERROR|WARNING)\] Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)$/);
  if (totals && module) add(`${module} (JUnit)`, totals.slice(1).map(Number));
  const goal = line.match(/^\[INFO\] --- (\S+) .*@ (\S+) ---$/);
  if (goal) {
    lastGoal = line;
    if (checking) checks.java.passed++;
    checking = goal[1].startsWith('spotless:') ? goal[2] : null;
  }
  if (line.includes('Spotless check skipped')) {
    checks.java.skipped = true;
    checking = null;
  }
  if (checking && /^\[(INFO|ERROR)\] (BUILD FAILURE|Failed to execute goal com\.diffplug\.spotless)/.test(line)) {
    checks.java.failed.push(checking);
    checking = null;
  }
  const gas = line.match(/^\[contracts\] gas of (\d+) unit tests matches/);
  if (gas) checks.gas.result = `${gas[1]} unit tests match`;
  if (line.startsWith('[contracts] gas snapshot rewritten')) checks.gas.result = 'rewritten (review and commit it)';
  if (line.startsWith('ERROR: the gas used by the unit tests differs')) checks.gas.result = 'FAILED: gas changed (diff in the log)';
  if (line.includes('(forge-fmt-check) @')) checks.solidity.result = 'ok';
  if (/skipping execute as per configuration/.test(line) && lastGoal.includes('(forge-fmt-check)')) checks.solidity.result = 'skipped';
  if (line.startsWith('ERROR: Solidity sources are not formatted')) checks.solidity.result = 'FAILED (diff in the log; fix: cd contracts && node_modules/.bin/forge fmt src test)';
}
if (checking) checks.java.passed++;

const fmt = (c) => `${c[0].padEnd(40)} ${String(c[1]).padStart(6)} ${String(c[2]).padStart(8)} ${String(c[3]).padStart(6)} ${String(c[4]).padStart(7)}`;
console.log('\n======================= Credence test summary =======================');
console.log(fmt(['module', 'tests', 'failures', 'errors', 'skipped']));
const total = [0, 0, 0, 0];
for (const [name, r] of rows) {
  console.log(fmt([name, ...r]));
  r.forEach((c, i) => (total[i] += c));
}
console.log(fmt(['total', ...total]));
const java = checks.java.failed.length
  ? `FAILED in ${checks.java.failed.join(', ')} (fix: ./mvnw spotless:apply)`
  : checks.java.passed ? `ok in ${checks.java.passed} modules` : checks.java.skipped ? 'skipped' : null;
for (const [name, result] of [[checks.java.name, java], [checks.solidity.name, checks.solidity.result], [checks.gas.name, checks.gas.result]]) {
  console.log(`${(name + ':').padEnd(40)} ${result ?? 'not run'}`);
}
console.log(`result: ${status === 0 ? 'PASSED' : 'FAILED (maven exit ' + status + ')'} in ${seconds} s; full log in target/test.log`);
