/**
 * A real console for the page benchmarks: Cellar's schema and a viewer made by the CLI
 * (`cellar db sync`, `cellar user add`), then `node bin/start.mjs` (the production build,
 * built first when it is missing or stale) on a free port against the bench deployment's
 * api database, and a session signed in as the sign-in form does.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { pickFreePort } from '../db/embedded';

const root = path.resolve(import.meta.dirname, '..');

export interface BenchConsole {
  baseUrl: string;
  /** The Cookie header of a viewer's session. */
  cookie: string;
  /** What the console printed (its last lines), for a failure's report. */
  output(): string;
  stop(): Promise<void>;
}

function cli(args: string[], env: NodeJS.ProcessEnv, input?: string): void {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'cellar.mjs'), ...args], { cwd: root, env, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cellar ${args.join(' ')} failed (exit ${r.status ?? r.signal}): ${`${r.stdout}${r.stderr}`.trim().slice(-2000)}`);
}

export async function startBenchConsole(apiUrl: string, opts: { deadlineMs: number; env?: Record<string, string> }): Promise<BenchConsole> {
  const port = await pickFreePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CELLAR_API_DATABASE_URL: apiUrl,
    CELLAR_DATABASE_URL: '',
    CELLAR_TEST_DATABASE_URL: '',
    CELLAR_CELL_DEADLINE_MS: String(opts.deadlineMs),
    PORT: String(port),
    NODE_ENV: 'production',
    ...opts.env,
  };
  cli(['db', 'sync'], env);
  const username = `bench-viewer-${crypto.randomBytes(3).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('base64url');
  cli(['user', 'add', username, '--role', 'viewer', '--password-stdin'], env, password);

  // CELLAR_BENCH_CPU_PROF=<folder>: the console writes a V8 CPU profile there when it stops (see the README's Benchmarks).
  const profileDir = process.env.CELLAR_BENCH_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, path.join(root, 'bin', 'start.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      // The first start may build the console (next build): minutes on two cores.
      const timer = setTimeout(() => reject(new Error(`the console was not ready within 10 minutes:\n${out.slice(-3000)}`)), 600_000);
      child.stdout!.on('data', () => {
        if (out.includes('Console ready on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the console exited (${signal ?? `exit ${code}`}) before it was ready:\n${out.slice(-3000)}`));
      });
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    const res = await fetch(`${baseUrl}/api/auth/sign-in/username`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`signing in answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    return { baseUrl, cookie, output: () => out, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
