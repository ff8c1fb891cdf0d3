/**
 * The api database stopped or stalled, on real PostgreSQL behind a proxy that can stall
 * (accept and never answer), refuse, or pass: every query through the api pool ends
 * within its bounds with an error isApiDatabaseDown recognises, and the same pool answers
 * again once the database is back. What is not stalled is left alone: a slow statement
 * gets the server's own cancel, an idle connection, a reserved session or an open
 * transaction keep their connection however long they wait.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_DOWN_MESSAGE, CONNECTION_STALLED, isApiDatabaseDown } from './api-unavailable';
import { cellMappings } from './api/schema';
import { parseConfig } from './config';
import { type ApiHandle, DOWN_RETRY_MS, IN_USE_CLOSE_MS, openApiDatabase } from './connect';
import { apiPoolOptions } from './runtime';
import { createTestDeployment, type TestDeployment } from './testing/deployment';
import { behindProxy, type SwitchableProxy } from './testing/network';

/** Short bounds, so the tests are quick: statements 500 ms, silence 1500 ms, connecting 1 s. */
const BOUNDS = apiPoolOptions(parseConfig({ CELLAR_API_STATEMENT_TIMEOUT_MS: '500', CELLAR_API_CONNECT_TIMEOUT_S: '1' }, os.tmpdir()));
const STALL_MS = BOUNDS.stallTimeoutMs!;
const CONNECT_MS = BOUNDS.connectTimeoutS! * 1000;
/** Timers and the event loop under a loaded test run. */
const SLACK_MS = 750;

let dep: TestDeployment;
const opened: { proxy: SwitchableProxy; api: ApiHandle }[] = [];

beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
});
afterEach(async () => {
  for (const { proxy, api } of opened.splice(0)) {
    await api.close().catch(() => {});
    await proxy.close();
  }
});
afterAll(() => dep?.close());

/** The test deployment's api database behind a proxy, with the api pool's bounds. */
async function proxiedApi(opts: { max?: number; tls?: { key: string; cert: string }; sslmode?: string } = {}) {
  const { proxy, url } = await behindProxy(dep.apiUrl, { tls: opts.tls });
  const api = openApiDatabase(opts.sslmode ? `${url}?sslmode=${opts.sslmode}` : url, { ...BOUNDS, max: opts.max ?? 2 });
  opened.push({ proxy, api });
  return { proxy, api };
}

/** What a promise settled with, and how long it took. */
async function timed<T>(p: PromiseLike<T>): Promise<{ ok: boolean; value: T | undefined; error: unknown; ms: number }> {
  const started = performance.now();
  try {
    const value = await p;
    return { ok: true, value, error: undefined, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, value: undefined, error, ms: performance.now() - started };
  }
}

/**
 * Once the database is back: how long until a query through the same pool answers. For a
 * moment the pool still fails at once (connections that ended in use close after
 * IN_USE_CLOSE_MS; new ones are not tried for DOWN_RETRY_MS after one found the server
 * not answering), then it answers without being reopened.
 */
const RECOVERY_MS = IN_USE_CLOSE_MS + DOWN_RETRY_MS + SLACK_MS;
async function recovers<T>(query: () => PromiseLike<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  for (;;) {
    const r = await timed(query());
    if (r.ok) return { value: r.value as T, ms: performance.now() - started };
    expect(isApiDatabaseDown(r.error)).toBe(true);
    if (performance.now() - started > RECOVERY_MS) throw r.error;
    await new Promise((done) => setTimeout(done, 50));
  }
}

const backendPid = async (api: ApiHandle) => (await api.sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;

describe('the api pool when the api database stalls', () => {
  it('fails a query on a connection whose server stopped answering within the bound, as the api database not answering', async () => {
    const { proxy, api } = await proxiedApi({ max: 1 });
    await backendPid(api);
    await proxy.set('stall');
    const r = await timed(api.sql`select 1`);
    expect(r.ok).toBe(false);
    expect((r.error as { code?: string }).code).toBe(CONNECTION_STALLED);
    expect(isApiDatabaseDown(r.error)).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(STALL_MS - 50);
    expect(r.ms).toBeLessThan(STALL_MS + SLACK_MS);
  }, 15_000);

  it('bounds every kind of query: drizzle, a transaction, a reserved session, more queries than connections', async () => {
    const { proxy, api } = await proxiedApi({ max: 2 });
    // Both connections open, so the stall meets them mid-query rather than connecting.
    await Promise.all([api.sql`select pg_sleep(0.05)`, api.sql`select pg_sleep(0.05)`]);
    await proxy.set('stall');
    const results = await Promise.all([
      timed(api.db.select().from(cellMappings)),
      timed(api.sql.begin((tx) => tx`select 1`)),
      timed(api.sql.reserve().then(async (s) => s`select 1`.finally(() => s.release()))),
      timed(api.sql`select 2`),
      timed(api.sql.unsafe('select 3')),
    ]);
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(isApiDatabaseDown(r.error)).toBe(true);
      // A query waiting for a connection may meet a new one that cannot connect either.
      expect(r.ms).toBeLessThan(STALL_MS + CONNECT_MS + SLACK_MS);
    }
  }, 20_000);

  it('answers again from the same pool once the database is back, every connection of it stalled before', async () => {
    const { proxy, api } = await proxiedApi({ max: 2 });
    await Promise.all([api.sql`select pg_sleep(0.05)`, api.sql`select pg_sleep(0.05)`]);
    await proxy.set('stall');
    const stalled = await Promise.all([1, 2, 3, 4].map(() => timed(api.sql`select 1`)));
    expect(stalled.every((r) => !r.ok && isApiDatabaseDown(r.error))).toBe(true);
    // The stalled connections stay stalled on the proxy: only new ones go through.
    await proxy.set('pass');
    const back = await recovers(() => Promise.all([1, 2, 3].map((n) => api.sql<{ n: number }[]>`select ${n}::int as n`)));
    expect(back.value.map((rows) => rows[0]!.n)).toEqual([1, 2, 3]);
    expect(back.ms).toBeLessThan(RECOVERY_MS);
    expect((await api.db.select().from(cellMappings)).length).toBeGreaterThan(0);
    await api.sql.begin(async (tx) => {
      await tx`select 1`;
    });
  }, 20_000);

  it('fails a transaction and a reserved session cut off by the stall, and their connection serves again (no crash from postgres.js)', async () => {
    // One connection, so the one the transaction and the session were on is the one that must come back.
    const { proxy, api } = await proxiedApi({ max: 1 });
    for (const cutOff of [
      () => api.sql.begin(async (tx) => tx`select pg_sleep(0.2)`),
      () => api.sql.reserve().then((s) => s`select pg_sleep(0.2)`.finally(() => s.release())),
    ]) {
      await backendPid(api);
      const pending = timed(cutOff());
      await new Promise((r) => setTimeout(r, 50));
      await proxy.set('stall');
      const r = await pending;
      expect(r.ok).toBe(false);
      expect(isApiDatabaseDown(r.error)).toBe(true);
      expect(r.ms).toBeLessThan(STALL_MS + SLACK_MS);
      await proxy.set('pass');
      await recovers(() => backendPid(api));
      await api.sql.begin(async (tx) => tx`select 1`);
      const s = await api.sql.reserve();
      await s`select 1`;
      s.release();
    }
  }, 20_000);

  it('fails a queue of queries waiting for a connection at once, not one connect timeout after another', async () => {
    const { proxy, api } = await proxiedApi({ max: 2 });
    await Promise.all([api.sql`select pg_sleep(0.05)`, api.sql`select pg_sleep(0.05)`]);
    await proxy.set('stall');
    // Queries with parameters are not pipelined: beyond the two connections they queue.
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => timed(api.sql`select ${i}::int as n`)));
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(isApiDatabaseDown(r.error)).toBe(true);
      expect(r.ms).toBeLessThan(STALL_MS + IN_USE_CLOSE_MS + SLACK_MS);
    }
  }, 20_000);

  it('fails a connection that stalls while it is set up within the connect timeout', async () => {
    const { proxy, api } = await proxiedApi();
    await proxy.set('stall');
    const r = await timed(api.sql`select 1`);
    expect((r.error as { code?: string }).code).toBe('CONNECT_TIMEOUT');
    expect(isApiDatabaseDown(r.error)).toBe(true);
    expect(r.ms).toBeLessThan(CONNECT_MS + SLACK_MS);
    await proxy.set('pass');
    expect((await recovers(() => backendPid(api))).value).toBeGreaterThan(0);
  }, 15_000);

  it('fails at once while the database refuses connections, and answers again when it is back', async () => {
    const { proxy, api } = await proxiedApi();
    await backendPid(api);
    await proxy.set('refuse');
    for (let i = 0; i < 3; i++) {
      const r = await timed(api.sql`select 1`);
      expect(r.ok).toBe(false);
      expect(isApiDatabaseDown(r.error)).toBe(true);
      expect(r.ms).toBeLessThan(SLACK_MS);
    }
    await proxy.set('pass');
    expect((await recovers(() => backendPid(api))).value).toBeGreaterThan(0);
  }, 15_000);
});

describe('the api pool leaves alone what is not stalled', () => {
  it('lets the server cancel a slow statement at the statement timeout, and keeps the connection', async () => {
    const { api } = await proxiedApi({ max: 1 });
    const pid = await backendPid(api);
    const r = await timed(api.sql`select pg_sleep(3)`);
    expect((r.error as { code?: string }).code).toBe('57014');
    expect(isApiDatabaseDown(r.error)).toBe(true);
    expect(r.ms).toBeLessThan(BOUNDS.statementTimeoutMs! + SLACK_MS);
    expect(await backendPid(api)).toBe(pid);
  }, 15_000);

  it('keeps an idle connection, a reserved session and an open transaction however long they wait', async () => {
    const { api } = await proxiedApi({ max: 3 });
    const idlePid = await backendPid(api);
    const session = await api.sql.reserve();
    const sessionPid = (await session<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
    const inTransaction = api.sql.begin(async (tx) => {
      const [before] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await new Promise((r) => setTimeout(r, STALL_MS + 500));
      const [after] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      return [before!.pid, after!.pid];
    });
    await new Promise((r) => setTimeout(r, STALL_MS + 500));
    const [before, after] = await inTransaction;
    expect(after).toBe(before);
    expect((await session<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid).toBe(sessionPid);
    session.release();
    // The pool's connections, as the server sees them: the same three, none reopened.
    const rows = await dep.api.sql<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = current_database() and application_name = 'cellar:api' order by pid`;
    expect(rows.map((r) => r.pid)).toEqual([...new Set([idlePid, sessionPid, before!])].sort((a, b) => a - b));
  }, 15_000);

  it('passes large answers through', async () => {
    const { api } = await proxiedApi({ max: 1 });
    const rows = await api.sql<{ x: string }[]>`select repeat('x', 200000) as x from generate_series(1, 20)`;
    expect(rows.map((r) => r.x.length)).toEqual(Array(20).fill(200000));
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!hasOpenssl)('the api pool over TLS (sslmode=require)', () => {
  let keys: { key: string; cert: string };
  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellar-tls-'));
    const run = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=localhost'],
      { cwd: dir },
    );
    expect(run.status).toBe(0);
    keys = { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bounds a stalled TLS connection the same way, and answers again when the database is back', async () => {
    const { proxy, api } = await proxiedApi({ max: 1, tls: keys, sslmode: 'require' });
    const pid = await backendPid(api);
    expect(proxy.secured).toBe(1);
    // Idle for longer than the bound, then in use again: the same connection.
    await new Promise((r) => setTimeout(r, STALL_MS + 300));
    expect(await backendPid(api)).toBe(pid);
    await proxy.set('stall');
    const r = await timed(api.sql`select 1`);
    expect((r.error as { code?: string }).code).toBe(CONNECTION_STALLED);
    expect(r.ms).toBeLessThan(STALL_MS + SLACK_MS);
    await proxy.set('pass');
    expect((await recovers(() => backendPid(api))).value).not.toBe(pid);
    expect(proxy.secured).toBe(2);
  }, 15_000);
});

describe('the api pool bounds in the configuration', () => {
  it('defaults to a 5 s statement timeout, 6 s of silence and a 3 s connect timeout', () => {
    expect(apiPoolOptions(parseConfig({}, os.tmpdir()))).toEqual({
      applicationName: 'cellar:api',
      statementTimeoutMs: 5000,
      stallTimeoutMs: 6000,
      connectTimeoutS: 3,
    });
  });

  it('refuses values that are not whole numbers in range, naming the variable', () => {
    for (const [env, message] of [
      [{ CELLAR_API_STATEMENT_TIMEOUT_MS: 'soon' }, /^CELLAR_API_STATEMENT_TIMEOUT_MS: must be a whole number of milliseconds/],
      [{ CELLAR_API_STATEMENT_TIMEOUT_MS: '50' }, /^CELLAR_API_STATEMENT_TIMEOUT_MS: must be at least 100 ms/],
      [{ CELLAR_API_CONNECT_TIMEOUT_S: '0' }, /^CELLAR_API_CONNECT_TIMEOUT_S: must be at least 1 second/],
      [{ CELLAR_API_CONNECT_TIMEOUT_S: '1.5' }, /^CELLAR_API_CONNECT_TIMEOUT_S: must be a whole number of seconds/],
    ] as const) {
      expect(() => parseConfig(env, os.tmpdir())).toThrow(message);
    }
  });
});

describe('isApiDatabaseDown', () => {
  it('recognises the network, the driver and the server saying the database is not answering, through the wrappers', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED']) {
      expect(isApiDatabaseDown(Object.assign(new Error(code), { code })), code).toBe(true);
    }
    for (const code of ['57014', '57P01', '57P02', '57P03', '53300', '08006', '08001']) {
      expect(isApiDatabaseDown(Object.assign(new Error('server'), { code })), code).toBe(true);
    }
    const stalled = Object.assign(new Error('stalled'), { code: CONNECTION_STALLED });
    expect(isApiDatabaseDown(new Error('Failed query: select 1', { cause: stalled }))).toBe(true);
    expect(isApiDatabaseDown(new Error('FAILED_TO_GET_SESSION', { cause: new Error('Failed query', { cause: stalled }) }))).toBe(true);
    expect(isApiDatabaseDown(Object.assign(new AggregateError([Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })]), {}))).toBe(true);
  });

  it('does not take other failures for it', () => {
    for (const e of [
      new TypeError('x is not a function'),
      Object.assign(new Error('duplicate key'), { code: '23505' }),
      Object.assign(new Error('relation does not exist'), { code: '42P01' }),
      Object.assign(new Error('protocol violation'), { code: '08P01' }),
      new Error('wrapped', { cause: new Error('plain') }),
      'a string',
      null,
      undefined,
    ]) {
      expect(isApiDatabaseDown(e)).toBe(false);
    }
    const loop = new Error('loop') as Error & { cause?: unknown };
    loop.cause = loop;
    expect(isApiDatabaseDown(loop)).toBe(false);
  });

  it('has one plain line to show', () => {
    expect(API_DOWN_MESSAGE).toMatch(/^The api database does not answer/);
  });
});
