/**
 * /api/trpc as a client reaches it (handleTrpcRequest with real Requests, real
 * PostgreSQL): the audit log cannot be broken or skipped by what a request carries, the
 * input guard answers 400 naming the field, batches are bounded and a stranger's batch
 * runs nothing. Each case is a hole a probe of the console found.
 */
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { handleAuthRequest } from './auth/auth-handler';
import { authTestDeps, cookieFrom, ORIGIN, signInRequest } from './auth/testing';
import { addUser } from './auth/users';
import type { Deps } from './deps';
import { handleTrpcRequest } from './trpc-http';
import { MAX_BATCH_CALLS } from './trpc-limits';

let dep: TestDeployment;
let deps: Deps;
let operator: string;
let seq = 0;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  deps = authTestDeps(dep);
  await addUser(deps, { username: 'op', role: 'operator', password: 'operator-password-x' });
  const res = await handleAuthRequest(signInRequest('op', 'operator-password-x'), deps);
  expect(res.status).toBe(200);
  operator = cookieFrom(res);
}, 120_000);
afterAll(() => dep?.close());

interface Sent {
  status: number;
  text: string;
  requestId: string;
}

/** One call as the console's client sends it: a query is a GET with ?input=, a mutation a POST with a JSON body. */
async function send(
  kind: 'query' | 'mutation',
  path: string,
  input: unknown,
  opts: { cookie?: string; raw?: string; address?: string; batch?: boolean } = {},
): Promise<Sent> {
  const requestId = `t-${process.pid}-${++seq}`;
  const encoded = opts.raw ?? JSON.stringify(superjson.serialize(input));
  const batch = opts.batch ? '?batch=1' : '';
  const headers: Record<string, string> = { 'x-request-id': requestId, 'x-cellar-peer': opts.address ?? '192.0.2.50' };
  if (opts.cookie) headers.cookie = opts.cookie;
  const req =
    kind === 'query'
      ? new Request(`${ORIGIN}/api/trpc/${path}${batch ? `${batch}&` : '?'}input=${encodeURIComponent(encoded)}`, { headers })
      : new Request(`${ORIGIN}/api/trpc/${path}${batch}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: encoded });
  const res = await handleTrpcRequest(req, { deps: () => deps });
  return { status: res.status, text: await res.text(), requestId };
}

const auditRows = (requestId: string) =>
  dep.api.sql<{ outcome: string; action: string; repeat_count: number; reason: string | null }[]>`
    select outcome, action, repeat_count, reason from cellar.audit_log where request_id = ${requestId} order by id`;

const tokenCount = async (name: string) =>
  Number((await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.api_tokens where name = ${name}`)[0]!.n);

const INTERNAL_TEXT =
  /Detected property|Maximum call stack|is not a function|Cannot read properties|PostgresError|Failed query|\bat .+\(|node_modules|\.ts:\d+/;

describe('the audit log cannot be broken by what a request carries', () => {
  it('a refused request with prototype keys is stored as plain data, and the audit list still answers', async () => {
    // As a script sends it (superjson itself refuses to serialise such an object).
    const hostile = '{"json":{"name":"t","__proto__":{"polluted":1},"nested":{"constructor":{"prototype":{"x":1}},"__proto__":[1]}}}';
    // Without a session: refused, and recorded.
    const refused = await send('mutation', 'auth.tokens.create', null, { raw: hostile });
    expect(refused.status).toBe(401);
    const rows = await dep.api.sql<{ input: string }[]>`select input::text as input from cellar.audit_log where request_id = ${refused.requestId}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.input).toContain('"name": "t"');
    expect(rows[0]!.input).not.toMatch(/__proto__|constructor|prototype/);

    const list = await send('query', 'auth.audit.list', { limit: 200 }, { cookie: operator });
    expect(list.status).toBe(200);
    expect(list.text).not.toMatch(INTERNAL_TEXT);
  });

  it('a row stored before these rules, holding a __proto__ key, does not break the list either', async () => {
    await dep.api.sql`
      insert into cellar.audit_log (source, actor_kind, actor, action, input, outcome)
      values ('console', 'anonymous', '(not signed in)', 'cells.delete', ${'{"__proto__": {"a": 1}, "constructor": 1, "uuid": "x"}'}::jsonb, 'refused')`;
    const list = await send('query', 'auth.audit.list', { limit: 25 }, { cookie: operator });
    expect(list.status).toBe(200);
    const body = superjson.deserialize<{ rows: { action: string; input: Record<string, unknown> }[] }>(
      (JSON.parse(list.text) as { result: { data: never } }).result.data,
    );
    const row = body.rows.find((r) => r.action === 'cells.delete' && r.input.uuid === 'x');
    expect(row?.input).toEqual({ uuid: 'x' });
  });

  it('a NUL in a field the procedure ignores is refused with 400 naming the field, and nothing is written', async () => {
    const r = await send('mutation', 'auth.tokens.create', { name: 'nul-ignored', role: 'viewer', expiresInDays: 1, note: 'a\u0000b' }, { cookie: operator });
    expect(r.status).toBe(400);
    expect(r.text).toContain('note');
    expect(r.text).not.toMatch(INTERNAL_TEXT);
    expect(await tokenCount('nul-ignored')).toBe(0);
    // The refusal is recorded (aggregated), with the character replaced.
    const [row] = await auditRows(r.requestId);
    expect(row).toMatchObject({ outcome: 'refused', action: 'auth.tokens.create' });
  });

  it('a broken UTF-16 pair in a name is refused with 400, never a database error', async () => {
    const r = await send('mutation', 'auth.tokens.create', { name: 'pair\ud800', role: 'viewer', expiresInDays: 1 }, { cookie: operator });
    expect(r.status).toBe(400);
    expect(r.text).toContain('name');
  });

  it('a write that succeeds has its row, done; the row was written before the write ran', async () => {
    const r = await send('mutation', 'auth.tokens.create', { name: 'audited-token', role: 'viewer', expiresInDays: 1 }, { cookie: operator });
    expect(r.status).toBe(200);
    expect(await auditRows(r.requestId)).toEqual([expect.objectContaining({ outcome: 'done', action: 'auth.tokens.create', repeat_count: 1 })]);
  });

  it('when the audit row cannot be written, the write is not done: 503 with a plain message', async () => {
    // A real failure of the audit insert, for this one action only.
    await dep.api.sql.unsafe(`
      create or replace function cellar.test_refuse_audit() returns trigger language plpgsql as
        $$ begin if new.action = 'auth.tokens.create' and new.input->>'name' = 'unaudited' then raise exception 'audit refused by test'; end if; return new; end $$;
      create trigger test_refuse_audit before insert on cellar.audit_log for each row execute function cellar.test_refuse_audit();`);
    try {
      const r = await send('mutation', 'auth.tokens.create', { name: 'unaudited', role: 'viewer', expiresInDays: 1 }, { cookie: operator });
      expect(r.status).toBe(503);
      expect(r.text).toContain('nothing was done');
      expect(r.text).not.toMatch(/audit refused by test|INTERNAL_TEXT/);
      expect(await tokenCount('unaudited')).toBe(0);
    } finally {
      await dep.api.sql.unsafe('drop trigger test_refuse_audit on cellar.audit_log; drop function cellar.test_refuse_audit();');
    }
  });

  it('a flood of refused calls from one address is a row per minute, counting them, not a row per call', async () => {
    const address = '198.51.100.77';
    const calls = 60;
    await Promise.all(Array.from({ length: calls }, () => send('mutation', 'cells.delete', { uuid: crypto.randomUUID() }, { address })));
    const rows = await dep.api.sql<{ repeat_count: number }[]>`select repeat_count from cellar.audit_log where address = ${address}`;
    // A minute may turn during the flood: at most two rows.
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(rows.reduce((n, r) => n + r.repeat_count, 0)).toBe(calls);
  });

  it('a refusal by the schema is counted with the others; a refusal by the domain is a row of its own', async () => {
    const address = '198.51.100.78';
    const bad = await send('mutation', 'auth.tokens.create', { name: '', role: 'viewer', expiresInDays: 1 }, { cookie: operator, address });
    expect(bad.status).toBe(400);
    const again = await send('mutation', 'auth.tokens.create', { name: '', role: 'viewer', expiresInDays: 1 }, { cookie: operator, address });
    expect(again.status).toBe(400);
    const schemaRows = await dep.api.sql<{ repeat_count: number; outcome: string }[]>`
      select repeat_count, outcome from cellar.audit_log where address = ${address} and action = 'auth.tokens.create'`;
    expect(schemaRows).toEqual([{ repeat_count: 2, outcome: 'refused' }]);

    const missing = await send('mutation', 'auth.tokens.revoke', { id: 999_999 }, { cookie: operator, address });
    expect(missing.status).toBe(404);
    expect(await auditRows(missing.requestId)).toEqual([expect.objectContaining({ outcome: 'refused', repeat_count: 1 })]);
  });
});

describe('the input guard and the schemas answer 400 naming the field, never 500', () => {
  it('ids beyond their column range', async () => {
    for (const [kind, path, input] of [
      ['query', 'jobs.get', { id: 1e20 }],
      ['query', 'jobs.get', { id: 2 ** 31 }],
      ['mutation', 'auth.tokens.revoke', { id: 2 ** 31 }],
      ['query', 'auth.audit.list', { limit: 25, before: 2 ** 60 }],
    ] as const) {
      const r = await send(kind, path, input, { cookie: operator });
      expect(r.status, `${path} ${JSON.stringify(input)}`).toBe(400);
      expect(r.text).toMatch(/id|before/);
      expect(r.text).not.toMatch(INTERNAL_TEXT);
    }
  });

  it('NUL in a uuid, a huge string, a huge array, deep nesting', async () => {
    const deep = JSON.parse(`${'{"a":'.repeat(50)}1${'}'.repeat(50)}`);
    for (const [path, input, field] of [
      ['cells.detail', { uuid: '\u0000' }, 'uuid'],
      ['cells.detail', { uuid: 'x'.repeat(20_000) }, 'uuid'],
      ['instances.list', { name: 'a', extra: Array.from({ length: 5000 }, () => 'a') }, 'extra'],
      ['cells.detail', { uuid: 'a', deep }, 'deep'],
    ] as const) {
      const r = await send('query', path, input, { cookie: operator });
      expect(r.status, path).toBe(400);
      expect(r.text).toContain(field);
      expect(r.text).not.toMatch(INTERNAL_TEXT);
    }
  });

  it('input superjson cannot read (prototype keys in its meta, nesting past the stack) is a plain 400', async () => {
    const proto = '{"json":{"uuid":"a"},"meta":{"values":{"__proto__":["undefined"]}}}';
    const r1 = await send('query', 'cells.detail', null, { cookie: operator, raw: proto });
    expect(r1.status).toBe(400);
    expect(r1.text).not.toMatch(INTERNAL_TEXT);
    expect(r1.text).toContain('could not be read');
    const meta = JSON.stringify({ json: { uuid: 'a' }, meta: { values: { 'constructor.prototype': ['undefined'] } } });
    const r2 = await send('mutation', 'cells.delete', null, { cookie: operator, raw: meta });
    expect(r2.status).toBe(400);
    expect(r2.text).not.toMatch(INTERNAL_TEXT);
    // A typed array of 10^8 elements from one number (found by the fuzz: it held the server a minute): refused before it is built.
    const typed = JSON.stringify({ json: { maxRows: 105_188_266 }, meta: { values: { maxRows: [['typed-array', 'Float64Array']] } } });
    const r4 = await send('mutation', 'archive.start', null, { cookie: operator, raw: typed });
    expect(r4.status).toBe(400);
    expect(r4.text).toContain('could not be read');
    // Refused at reading ("could not be read"), not by the schema after the array was built.
    expect(r4.text).not.toMatch(INTERNAL_TEXT);
    const nested = `{"json":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const r3 = await send('mutation', 'cells.delete', null, { cookie: operator, raw: nested });
    expect(r3.status).toBeGreaterThanOrEqual(400);
    expect(r3.status).toBeLessThan(500);
    expect(r3.text).not.toMatch(INTERNAL_TEXT);
  });
});

describe('batching', () => {
  const batchOf = (n: number, path: string) => Array.from({ length: n }, () => path).join(',');
  const batchBody = (n: number, input: unknown) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, superjson.serialize(input)])));

  it(`a batch above ${MAX_BATCH_CALLS} calls is refused for anyone, before any call runs`, async () => {
    const n = MAX_BATCH_CALLS + 1;
    const r = await send('mutation', batchOf(n, 'auth.tokens.create'), null, {
      cookie: operator,
      batch: true,
      raw: batchBody(n, { name: 'batched-over', role: 'viewer', expiresInDays: 1 }),
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain(`at most ${MAX_BATCH_CALLS} calls`);
    expect(await tokenCount('batched-over')).toBe(0);
  });

  it("a stranger's batch runs nothing and is one aggregated audit row", async () => {
    const address = '198.51.100.90';
    const r = await send('mutation', batchOf(MAX_BATCH_CALLS, 'auth.tokens.create'), null, {
      batch: true,
      address,
      raw: batchBody(MAX_BATCH_CALLS, { name: 'stranger-batch', role: 'operator', expiresInDays: 1 }),
    });
    expect(r.status).toBe(401);
    const body = JSON.parse(r.text) as { error: { json: { data: { code: string } } } }[];
    expect(body).toHaveLength(MAX_BATCH_CALLS);
    expect(body.every((b) => b.error.json.data.code === 'UNAUTHORIZED')).toBe(true);
    const rows = await dep.api.sql<{ action: string; repeat_count: number }[]>`select action, repeat_count from cellar.audit_log where address = ${address}`;
    expect(rows).toEqual([{ action: '(batch)', repeat_count: 1 }]);
  });

  it('a signed-in batch within the limit runs every call, each audited', async () => {
    const r = await send('mutation', batchOf(2, 'auth.tokens.create'), null, {
      cookie: operator,
      batch: true,
      raw: JSON.stringify({
        0: superjson.serialize({ name: 'batch-a', role: 'viewer', expiresInDays: 1 }),
        1: superjson.serialize({ name: 'batch-b', role: 'viewer', expiresInDays: 1 }),
      }),
    });
    expect(r.status).toBe(200);
    expect(await tokenCount('batch-a')).toBe(1);
    expect(await tokenCount('batch-b')).toBe(1);
    expect((await auditRows(r.requestId)).map((x) => x.outcome)).toEqual(['done', 'done']);
  });
});
