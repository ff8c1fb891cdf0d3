#!/usr/bin/env node
/**
 * `npm test`: every test, in order: unit and integration tests (vitest, real PostgreSQL:
 * CELLAR_TEST_DATABASE_URL when set, else an embedded cluster), then the console is built
 * and the Playwright e2e suite runs in Chromium against it: on the embedded default (the demo);
 * as the `nova` project, on a deployment nova made (e2e/nova/serve-nova.ts); and as the
 * `hostile` project, on a fresh demo of its own (e2e/hostile/serve-hostile.ts): the standing
 * fuzz of every procedure (its seed printed; CELLAR_FUZZ_SEED replays it), the probes and
 * the pass over stored hostile data. Every project's tests are counted below.
 * Ends with one line "N passed, N failed" and a non-zero exit on any failure.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import './server-only.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });

const only = process.argv[2]; // optional: "unit" or "e2e"
let failedSteps = 0;

function step(title, cmd, args, env = {}) {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`=== ${title}: failed (exit ${r.status ?? r.signal})`);
    failedSteps++;
  }
  return r.status === 0;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

let passed = 0;
let failed = 0;

/**
 * The nova fixture (db/testing/nova) runs Debian's python3-nova. Installs it as root (apt),
 * otherwise stops at once with the command to run.
 */
function ensureNova() {
  const probe = () => spawnSync('/usr/bin/python3', ['-c', 'import nova, psycopg2'], { stdio: 'ignore' }).status === 0;
  if (probe()) return;
  const install = 'apt-get install -y python3-nova python3-psycopg2';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    console.error(`\n=== the vitest suite needs Debian's python3-nova and python3-psycopg2 (\`/usr/bin/python3 -c 'import nova, psycopg2'\` fails).`);
    console.error(`=== install them as root, then run npm test again:\n\n    ${install}\n`);
    process.exit(2);
  }
  console.log(`\n=== installing Debian's python3-nova and python3-psycopg2: apt-get update -qq && ${install}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', 'python3-nova', 'python3-psycopg2'], { stdio: 'inherit', env }) : update;
  if (r.status !== 0 || !probe()) {
    console.error(`=== installing python3-nova failed (exit ${r.status ?? r.signal}); run: ${install}`);
    process.exit(2);
  }
}

// Both halves need it: vitest's nova tests, and the e2e project on a nova deployment (e2e/nova).
ensureNova();

if (only !== 'e2e') {
  fs.rmSync(path.join(results, 'unit.json'), { force: true });
  step('unit and integration tests (vitest)', bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${path.join(results, 'unit.json')}`,
  ]);
  const unit = readJson(path.join(results, 'unit.json'));
  if (unit) {
    passed += unit.numPassedTests;
    failed += unit.numFailedTests + (unit.numTotalTestSuites > 0 && unit.numTotalTests === 0 ? 1 : 0);
  } else failed++;
}

if (only !== 'unit') {
  console.log('\n=== build the console');
  register();
  const { ensureBuild } = await import('../server/start/build.ts');
  let built = true;
  try {
    ensureBuild(root, (l) => console.log(l));
  } catch (e) {
    console.error(e.message);
    built = false;
    failedSteps++;
  }
  if (built) {
    const dataDir = path.join(root, '.test-data', 'e2e');
    // A fresh embedded deployment for every run: the first start generates the demo.
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(path.join(results, 'e2e.json'), { force: true });
    step('end-to-end tests (Playwright, Chromium)', bin('playwright'), ['test'], { CELLAR_E2E_DATA_DIR: dataDir });
    const e2e = readJson(path.join(results, 'e2e.json'));
    if (e2e?.stats) {
      passed += e2e.stats.expected + (e2e.stats.flaky ?? 0);
      failed += e2e.stats.unexpected;
    } else failed++;
  } else failed++;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || failedSteps > 0 ? 1 : 0);
