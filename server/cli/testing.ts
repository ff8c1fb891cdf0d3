/** Test helpers: run `cellar` in-process or as a real process against a test deployment. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { resetConfig } from '@/db/config';
import { run } from './main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** In-process: fast, same code path as the binary (configuration from the environment). */
export async function runCli(args: string[], env: { apiUrl: string; baseUrl?: string }): Promise<CliResult> {
  const saved = { api: process.env.CELLAR_API_DATABASE_URL, base: process.env.CELLAR_DATABASE_URL };
  process.env.CELLAR_API_DATABASE_URL = env.apiUrl;
  process.env.CELLAR_DATABASE_URL = env.baseUrl ?? env.apiUrl;
  resetConfig();
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const write = process.stdout.write.bind(process.stdout);
  console.log = (...a: unknown[]) => void out.push(a.map(String).join(' '));
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(' '));
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk).replace(/\n$/, ''));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await run(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.stdout.write = write;
    process.env.CELLAR_API_DATABASE_URL = saved.api;
    process.env.CELLAR_DATABASE_URL = saved.base;
    resetConfig();
  }
}

/** As a separate process through bin/cellar.mjs, as an operator runs it. */
export function spawnCli(args: string[], env: { apiUrl: string; baseUrl?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve('bin/cellar.mjs'), ...args], {
      env: { ...process.env, CELLAR_API_DATABASE_URL: env.apiUrl, CELLAR_DATABASE_URL: env.baseUrl ?? env.apiUrl, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() }));
  });
}
