/**
 * Unexpected errors answer with one plain line and a request id; the statement, its
 * parameters, the stack and the causes go to the log under that id. Proved with real
 * PostgreSQL errors: directly, through tRPC (in-process caller and HTTP) and through the CLI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { drizzle } from 'drizzle-orm/postgres-js';
import { sql as dsql } from 'drizzle-orm';
import postgres from 'postgres';
import superjson from 'superjson';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { runCli, spawnCli } from './cli/testing';
import type { Deps } from './deps';
import { refuse } from './errors';
import { captureLog, createLogger } from './log';
import { appRouter, createCaller } from './root';
import { type Context, router, UNREADABLE_INPUT, viewerProcedure } from './trpc';
import { errorDetails, newRequestId, reportUnexpected, unexpectedMessage } from './unexpected-error';

/** pino's JSON lines, written to a stream of the test's own. */
function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

/** Send the process-wide log to a sink for one test. */
let restoreLog: (() => void) | undefined;
function captureProcessLog() {
  const sink = logSink();
  restoreLog = captureLog(sink.stream, 'info');
  return sink;
}
afterEach(() => {
  restoreLog?.();
  restoreLog = undefined;
});

const PLAIN = /^An unexpected error occurred \(request id ([A-Za-z0-9._-]+)\)\. The details are in Cellar's log( \([^)]+\))?\.$/;
/** What an answer must never hold: SQL, drizzle's wording, a stack, library texts. */
const INTERNAL_TEXT = [
  /select/i,
  /from\s/i,
  /"cellar"/i,
  /cellar\.jobs/i,
  /host_mappings/i,
  /relation/i,
  /does not exist/i,
  /Failed query/i,
  /params/i,
  /parameters/i,
  /query/i,
  /stack/i,
  /\bat\s+\S+\s\(/,
  /Detected property/i,
  /is not a function/i,
  /\.ts:\d+/,
];
function expectNoInternalText(text: string) {
  for (const pattern of INTERNAL_TEXT) expect(text, `${pattern} in ${text}`).not.toMatch(pattern);
}

const viewerPrincipal: NonNullable<Context['resolvePrincipal']> = async () => ({ principal: { kind: 'user', name: 'vera', role: 'viewer' } });

const serverUrl = () => process.env.CELLAR_TEST_DATABASE_URL ?? inject('testDatabaseUrl');

describe('reportUnexpected with a real PostgresError', () => {
  let sql: postgres.Sql;
  beforeAll(() => {
    sql = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  });
  afterAll(() => sql?.end({ timeout: 2 }));

  /** The error PostgreSQL gives for a table that is not there, with two parameters. */
  async function missingTable(): Promise<Error> {
    try {
      await sql`select id from cellar_unexpected_missing where id = ${4242} and name = ${'needle-parameter'}`;
    } catch (e) {
      return e as Error;
    }
    throw new Error('the select should have failed');
  }

  it('answers one plain line with the request id, and logs the statement, the parameters and the stack under it', async () => {
    const e = await missingTable();
    expect(e.constructor.name).toBe('PostgresError');
    expect(e).toMatchObject({ code: '42P01' });
    const { stream, lines } = logSink();
    const report = reportUnexpected(e, { requestId: 'req-4f1c2a9e', source: 'console', action: 'jobs.listForCell', logger: createLogger(stream, 'info') });

    expect(report).toEqual({ requestId: 'req-4f1c2a9e', message: "An unexpected error occurred (request id req-4f1c2a9e). The details are in Cellar's log." });
    expect(report.message).not.toContain('\n');
    expectNoInternalText(report.message);
    expect(report.message).not.toContain('needle-parameter');
    expect(report.message).not.toContain('4242');
    expect(report.message).not.toContain('cellar_unexpected_missing');

    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    const [line] = lines as [Record<string, unknown> & { error: Record<string, unknown> }];
    expect(line).toMatchObject({
      level: 50,
      name: 'cellar',
      requestId: 'req-4f1c2a9e',
      source: 'console',
      action: 'jobs.listForCell',
      msg: 'unexpected error',
    });
    expect(line.error).toMatchObject({
      type: 'PostgresError',
      message: 'relation "cellar_unexpected_missing" does not exist',
      code: '42P01',
      severity: 'ERROR',
      query: 'select id from cellar_unexpected_missing where id = $1 and name = $2',
      parameters: [4242, 'needle-parameter'],
    });
    expect(line.error.stack).toMatch(/PostgresError: relation "cellar_unexpected_missing" does not exist\n\s+at /);
  });

  it('gives a fresh 8-digit id when there is none, and a new one each time', async () => {
    const e = await missingTable();
    const logger = createLogger(logSink().stream, 'silent');
    const a = reportUnexpected(e, { source: 'cli', logger });
    const b = reportUnexpected(e, { source: 'cli', logger });
    expect(a.requestId).toMatch(/^[0-9a-f]{8}$/);
    expect(a.requestId).not.toBe(b.requestId);
    expect(a.message).toBe(unexpectedMessage(a.requestId));
    expect(newRequestId()).toMatch(/^[0-9a-f]{8}$/);
  });

  it("logs drizzle's wrapped error with its statement and the PostgresError as the cause", async () => {
    let e: unknown;
    try {
      await drizzle(sql).execute(dsql`select * from cellar_unexpected_missing where name = ${'needle-drizzle'}`);
    } catch (error) {
      e = error;
    }
    expect((e as Error).message).toMatch(/^Failed query: select/);
    const { stream, lines } = logSink();
    const { message } = reportUnexpected(e, { requestId: 'req-drizzle', source: 'console', logger: createLogger(stream, 'info') });
    expectNoInternalText(message);
    expect(message).not.toContain('needle-drizzle');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]!.error).toMatchObject({
      query: 'select * from cellar_unexpected_missing where name = $1',
      parameters: ['needle-drizzle'],
      cause: { type: 'PostgresError', code: '42P01', query: 'select * from cellar_unexpected_missing where name = $1', parameters: ['needle-drizzle'] },
    });
  });

  it('masks passwords of URLs in what it logs, and survives odd throws and a broken logger', () => {
    const e = Object.assign(new Error('could not reach postgresql://nova:Log-S3cret@db/nova_cell1'), {
      parameters: ['postgresql+psycopg2://nova:Param-S3cret@db/nova_cell1', 7],
    });
    const details = JSON.stringify(errorDetails(e));
    expect(details).not.toMatch(/S3cret/);
    expect(details).toContain('postgresql+psycopg2://nova:****@db/nova_cell1');
    expect(errorDetails('just a string')).toEqual({ type: 'string', message: 'just a string' });
    expect(errorDetails(undefined)).toEqual({ type: 'undefined', message: 'undefined' });
    const deep: Error & { cause?: unknown } = new Error('outer');
    let at = deep;
    for (let i = 0; i < 10; i++) at = at.cause = new Error(`cause ${i}`);
    expect(JSON.stringify(errorDetails(deep))).toContain('(more causes)');

    const broken = createLogger(
      new Writable({
        write() {
          throw new Error('disk full');
        },
      }),
      'info',
    );
    expect(reportUnexpected(new Error('x'), { requestId: 'r1', source: 'cli', logger: broken }).message).toBe(unexpectedMessage('r1'));
  });
});

describe('through tRPC, on a deployment whose api database lost cellar.jobs', () => {
  let dep: TestDeployment;
  let deps: Deps;
  const viewer = viewerPrincipal;
  const cellUuid = '9d0c0b7e-0000-4000-8000-0000000de1e7';

  beforeAll(async () => {
    dep = await createTestDeployment({ cells: [] });
    deps = { api: dep.api, registry: dep.registry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
    await dep.api.sql.unsafe('drop table cellar.jobs cascade');
  });
  afterAll(() => dep?.close());

  it('the in-process caller gets INTERNAL_SERVER_ERROR with the plain line; the log has the statement', async () => {
    const { lines } = captureProcessLog();
    const caller = createCaller({ requestId: 'req-caller-1', deps: () => deps, resolvePrincipal: viewer });
    const e = (await caller.jobs.listForCell({ cellUuid }).catch((error: unknown) => error)) as { code: string; message: string; cause?: unknown };
    expect(e.code).toBe('INTERNAL_SERVER_ERROR');
    expect(e.message).toBe(unexpectedMessage('req-caller-1'));
    expectNoInternalText(e.message);
    expect(e.message).not.toContain(cellUuid);
    // Nothing of the database error rides along on the thrown error either.
    expect(e.cause).toBeUndefined();
    expect(JSON.stringify(e)).not.toMatch(/jobs|select/i);

    const logged = lines.filter((l) => l.requestId === 'req-caller-1');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 50,
      source: 'console',
      action: 'jobs.listForCell',
      type: 'query',
      code: 'INTERNAL_SERVER_ERROR',
      msg: 'procedure failed',
    });
    expect(logged[0]!.error).toMatchObject({
      type: 'PostgresError',
      code: '42P01',
      message: 'relation "cellar.jobs" does not exist',
      query: expect.stringMatching(/from cellar\.jobs where/),
      parameters: expect.arrayContaining([cellUuid]),
    });
  });

  const handle = (req: Request, context?: Partial<Context>) =>
    fetchRequestHandler({
      endpoint: '/api/trpc',
      req,
      router: appRouter,
      createContext: async () => ({ requestId: req.headers.get('x-request-id') ?? 'req-none', deps: () => deps, resolvePrincipal: viewer, ...context }),
    });
  const get = (path: string, input: unknown, requestId: string) =>
    new Request(`http://127.0.0.1/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`, {
      headers: { 'x-request-id': requestId },
    });

  it('over HTTP: 500 with the plain line as the message, and data without a statement, parameters or stack', async () => {
    const { lines } = captureProcessLog();
    const res = await handle(get('jobs.listForCell', { cellUuid }, 'req-http-1'));
    expect(res.status).toBe(500);
    const text = await res.text();
    expectNoInternalText(text);
    expect(text).not.toContain(cellUuid);
    const body = JSON.parse(text) as { error: { json: { message: string; code: number; data: Record<string, unknown> } } };
    expect(body.error.json.message).toBe(unexpectedMessage('req-http-1'));
    expect(body.error.json.data).toEqual({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: 'jobs.listForCell', refusal: null });
    // Logged once (by the procedure's boundary), not again by the formatter.
    expect(lines.filter((l) => l.requestId === 'req-http-1')).toHaveLength(1);
  });

  it('over HTTP: a refusal keeps its message and kind exactly', async () => {
    const unknown = '9d0c0b7e-0000-4000-8000-0000000000ab';
    const res = await handle(get('cells.detail', { uuid: unknown }, 'req-http-2'));
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { json: { message: string; data: Record<string, unknown> } } };
    expect(body.error.json.message).toBe(`Cell with uuid ${unknown} was not found.`);
    expect(body.error.json.data).toMatchObject({ code: 'NOT_FOUND', refusal: { kind: 'not_found', exitCode: 1 } });
  });
});

describe('tRPC answers never carry library texts', () => {
  const probes = router({
    // Output superjson refuses to serialize: "Detected property constructor. This is a prototype pollution risk…"
    polluted: viewerProcedure.query(() => JSON.parse('{"constructor": {"x": 1}}') as unknown),
    // A bug: "(intermediate value) is not a function".
    notAFunction: viewerProcedure.query(() => (undefined as unknown as () => number)()),
    echo: viewerProcedure.input(z.object({ n: z.number() })).query(({ input }) => input.n),
    refused: viewerProcedure.query(() => {
      throw refuse.conflict('Host cmp-1 is already mapped to cell cell1.', 2, { host: 'cmp-1' });
    }),
  });
  const handle = (req: Request) =>
    fetchRequestHandler({
      endpoint: '/api/trpc',
      req,
      router: probes,
      createContext: async () => ({
        requestId: req.headers.get('x-request-id') ?? 'req-none',
        deps: () => {
          throw new Error('no deps in this test');
        },
        resolvePrincipal: viewerPrincipal,
      }),
    });
  const answer = async (path: string, requestId: string, query = '') => {
    const res = await handle(new Request(`http://127.0.0.1/api/trpc/${path}${query}`, { headers: { 'x-request-id': requestId } }));
    const text = await res.text();
    return { status: res.status, text, error: (JSON.parse(text) as { error: { json: { message: string; data: Record<string, unknown> } } }).error.json };
  };

  it.each([
    ['polluted', '', 500, /^Detected property constructor\. This is a prototype pollution risk/],
    ['notAFunction', '', 500, / is not a function$/],
    ['echo', `?input=${encodeURIComponent('{"json":{"n":1},"meta":{"values":{"__proto__.x":["Date"]}}}')}`, 400, /^__proto__ is not allowed as a property$/],
    [
      'echo',
      `?input=${encodeURIComponent('{"json":{"n":1},"meta":{"values":{"n":[["custom","nope"]]}}}')}`,
      400,
      /^Trying to deserialize unknown custom value$/,
    ],
  ])('%s%s answers %i with the plain line; the log has %s', async (path, query, status, logged) => {
    const { lines } = captureProcessLog();
    const requestId = `req-${path}-${status}`;
    const r = await answer(path, requestId, query);
    expect(r.status).toBe(status);
    expectNoInternalText(r.text);
    // Input superjson cannot read is refused by the input guard with its own plain line.
    expect(r.error.message).toBe(status === 400 ? `${UNREADABLE_INPUT} (request id ${requestId})` : unexpectedMessage(requestId));
    expect(r.error.data).not.toHaveProperty('stack');
    const mine = lines.filter((l) => l.requestId === requestId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.level).toBe(status === 500 ? 50 : 40);
    expect((mine[0]!.error as { message: string }).message).toMatch(logged);
  });

  it('keeps input validation and refusals as they are', async () => {
    const bad = await answer('echo', 'req-zod', `?input=${encodeURIComponent(JSON.stringify(superjson.serialize({ n: 'one' })))}`);
    expect([bad.status, bad.error.message]).toEqual([400, 'n: Invalid input: expected number, received string']);
    const refused = await answer('refused', 'req-refused');
    expect([refused.status, refused.error.message]).toEqual([409, 'Host cmp-1 is already mapped to cell cell1.']);
    expect(refused.error.data).toMatchObject({ code: 'CONFLICT', refusal: { kind: 'conflict', exitCode: 2, details: { host: 'cmp-1' } } });
    const missing = await answer('nowhere', 'req-404');
    expect(missing.status).toBe(404);
    expect(missing.error.message).toBe('No procedure found on path "nowhere"');
  });
});

describe('through the CLI, on a deployment whose api database lost host_mappings and cellar.accounts', () => {
  let dep: TestDeployment;

  beforeAll(async () => {
    dep = await createTestDeployment({ cells: ['cell1'] });
    await dep.api.sql.unsafe('drop table host_mappings cascade');
    await dep.api.sql.unsafe('drop table cellar.accounts cascade');
  });
  afterAll(() => dep?.close());

  it('a read verb prints the plain line and exits 1; the log has the statement', async () => {
    const { lines } = captureProcessLog();
    const cell = dep.cells[0]!;
    const r = await runCli(['list_hosts', '--cell_uuid', cell.uuid], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(PLAIN);
    expectNoInternalText(r.stderr);
    const requestId = PLAIN.exec(r.stderr)![1]!;
    expect(requestId).toMatch(/^[0-9a-f]{8}$/);
    const logged = lines.filter((l) => l.requestId === requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, source: 'cli', action: 'list_hosts', msg: 'command failed' });
    expect(logged[0]!.error).toMatchObject({
      message: expect.stringMatching(/^Failed query: select/),
      query: expect.stringMatching(/from "host_mappings"/),
      parameters: [cell.id],
      cause: { type: 'PostgresError', code: '42P01', message: 'relation "host_mappings" does not exist' },
    });
  });

  it('as a real process: the terminal gets only the plain line naming the log file, and the file has the statement', async () => {
    const file = path.join(os.tmpdir(), `cellar-cli-test-${process.pid}-${Date.now()}.log`);
    process.env.CELLAR_LOG_FILE = file;
    process.env.CELLAR_LOG_LEVEL = 'info'; // spawnCli runs with NODE_ENV=test, whose default is silent
    try {
      const r = await spawnCli(['list_hosts'], { apiUrl: dep.apiUrl });
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(PLAIN);
      expect(r.stderr).toContain(`(${file})`);
      expectNoInternalText(r.stderr);
      expect(r.stderr).not.toMatch(/select|host_mappings/i);
      const requestId = PLAIN.exec(r.stderr)![1]!;
      const logged = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const line = logged.find((l) => l.requestId === requestId) as { error: { query: string } } | undefined;
      expect(line?.error.query).toMatch(/from "host_mappings"/);
    } finally {
      delete process.env.CELLAR_LOG_FILE;
      delete process.env.CELLAR_LOG_LEVEL;
      fs.rmSync(file, { force: true });
    }
  });

  it('a write verb prints the plain line, exits 1, and its audit row says the same', async () => {
    const { lines } = captureProcessLog();
    const r = await runCli(['user', 'add', 'needle-user', '--role', 'viewer'], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(PLAIN);
    expectNoInternalText(r.stderr);
    expect(r.stderr).not.toMatch(/accounts|credential|\$argon|\$scrypt|[0-9a-f]{32}/);
    const requestId = PLAIN.exec(r.stderr)![1]!;
    const logged = lines.filter((l) => l.requestId === requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      source: 'cli',
      action: 'user add',
      error: { code: '42P01', query: expect.stringMatching(/insert into cellar\.accounts/) },
    });
    const [row] = await dep.api.sql<{ outcome: string; reason: string; exit_code: number }[]>`
      select outcome, reason, exit_code from cellar.audit_log where action = 'user add' order by id desc limit 1`;
    expect(row).toEqual({ outcome: 'failed', reason: unexpectedMessage(requestId), exit_code: 1 });
  });
});

describe('through the CLI, on a deployment whose api database lost cellar.audit_log', () => {
  let dep: TestDeployment;

  beforeAll(async () => {
    dep = await createTestDeployment({ cells: ['cell1'] });
    await dep.api.sql.unsafe('drop table cellar.audit_log cascade');
  });
  afterAll(() => dep?.close());

  it('a write verb is not done when its audit row cannot be written: exit 1, one plain line, the cell keeps its name', async () => {
    const { lines } = captureProcessLog();
    const cell = dep.cells[0]!;
    const r = await runCli(['update_cell', '--cell_uuid', cell.uuid, '--name', 'renamed'], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(1);
    const said = r.stderr.split('\n').filter((l) => l.startsWith('cellar:'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^cellar: the audit log could not be written, so nothing was done \(request id [0-9a-f]{8}\)\. The details are in Cellar's log\.$/);
    expectNoInternalText(r.stderr);
    const requestId = /request id ([0-9a-f]{8})/.exec(said[0]!)![1]!;
    expect(lines.filter((l) => l.requestId === requestId)[0]).toMatchObject({ msg: 'could not write the audit row', error: { code: '42P01' } });
    const [row] = await dep.api.sql<{ name: string | null }[]>`select name from cell_mappings where uuid = ${cell.uuid}`;
    expect(row!.name).not.toBe('renamed');
  });
});
