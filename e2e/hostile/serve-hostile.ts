/**
 * The hostile e2e project's webServer (playwright.config.ts): a third console, on the
 * embedded default (the demo deployment and its users viewer, support and operator), in a
 * data directory of its own that every run starts afresh, for the fuzz and the pass over
 * stored hostile data (e2e/hostile/*.spec.ts) to do what they like to.
 *
 *   node --import ./bin/server-only.mjs --import tsx e2e/hostile/serve-hostile.ts
 *
 * Runs `node bin/start.mjs` on HOSTILE_E2E_PORT with its output forwarded (and kept in
 * test-results/hostile-e2e-start.log); on SIGTERM/SIGINT the console stops (and with it the
 * embedded cluster it started).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HOSTILE_E2E_DATA_DIR, HOSTILE_E2E_PORT, HOSTILE_E2E_START_LOG } from './paths';

const root = path.resolve(import.meta.dirname, '..', '..');
process.chdir(root);

fs.mkdirSync(path.dirname(HOSTILE_E2E_START_LOG), { recursive: true });
const logFile = fs.createWriteStream(HOSTILE_E2E_START_LOG, { flags: 'w' });
const say = (line: string) => {
  const l = `serve-hostile: ${line}\n`;
  process.stdout.write(l);
  logFile.write(l);
};

// A fresh demo every run: the first start of the console generates it.
fs.rmSync(HOSTILE_E2E_DATA_DIR, { recursive: true, force: true });
fs.mkdirSync(HOSTILE_E2E_DATA_DIR, { recursive: true });
say(`starting the console on port ${HOSTILE_E2E_PORT} with the embedded default in ${HOSTILE_E2E_DATA_DIR}`);

const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin', 'start.mjs')], {
  cwd: root,
  env: {
    ...process.env,
    PORT: String(HOSTILE_E2E_PORT),
    CELLAR_DATA_DIR: HOSTILE_E2E_DATA_DIR,
    // The embedded default: never a configured server.
    CELLAR_API_DATABASE_URL: '',
    CELLAR_DATABASE_URL: '',
    CELLAR_CELL_DEADLINE_MS: '1500',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
for (const [from, to] of [
  [child.stdout!, process.stdout],
  [child.stderr!, process.stderr],
] as const) {
  from.on('data', (b: Buffer) => {
    to.write(b);
    logFile.write(b);
  });
}

let stopping = false;
function stop(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping the console`);
  if (child.exitCode !== null || child.signalCode !== null) process.exit(0);
  child.kill('SIGTERM');
  const killer = setTimeout(() => {
    say('the console did not stop within 15 s; killing it');
    child.kill('SIGKILL');
  }, 15_000);
  child.once('exit', () => {
    clearTimeout(killer);
    logFile.end(() => process.exit(0));
  });
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal));

child.once('exit', (code, signal) => {
  if (stopping) return;
  say(`the console exited (${signal ?? `exit ${code}`}) before it was asked to`);
  logFile.end(() => process.exit(code || 1));
});
