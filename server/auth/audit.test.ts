/** The audit log: what a row says (never a secret), every mutation's outcome through tRPC, keyset pages and filters. */
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { isCellarError } from '../errors';
import { appRouter, createCaller } from '../root';
import { createContext } from '../trpc';
import { listAudit, recordAudit } from './audit';
import { auditTarget, maskText, summarizeInput } from './audit-input';
import type { Principal } from './roles';
import { authTestDeps } from './testing';

let dep: TestDeployment;
const deps = () => authTestDeps(dep);
const alice: Principal = { kind: 'user', name: 'alice', role: 'operator' };
const callerAs = (principal: Principal, requestId = 'req-1') => createCaller({ requestId, deps, resolvePrincipal: async () => ({ principal }) });

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
});
afterAll(() => dep?.close());

describe('what an audit row says about its input', () => {
  it('drops password, secret and token fields and masks URL passwords, keeping the rest', () => {
    expect(
      summarizeInput({
        name: 'cell9',
        transportUrl: 'rabbit://nova:mq-pw@a:5672,nova:mq-pw@b:5672/x',
        databaseConnection: 'postgresql://nova:db-pw@db/nova_cell9',
        password: 'hunter2-hunter2',
        newPassword: 'x',
        secret: 's',
        token: 't',
        nested: { url: 'postgresql://u:p@h/d', apiKey: 'k' },
        note: 'see postgresql://u:inline-pw@h/d',
      }),
    ).toEqual({
      name: 'cell9',
      transportUrl: 'rabbit://nova:****@a:5672,nova:****@b:5672/x',
      databaseConnection: 'postgresql://nova:****@db/nova_cell9',
      nested: { url: 'postgresql://u:****@h/d' },
      // Free text holding credentials is masked whole.
      note: '****',
    });
    expect(maskText('could not reach postgresql://nova:pw@db:5432/x (refused)')).toBe('could not reach postgresql://nova:****@db:5432/x (refused)');
  });

  it('cuts long lists and strings', () => {
    const s = summarizeInput({ uuids: Array.from({ length: 25 }, (_, i) => `u${i}`), text: 'x'.repeat(400) });
    expect((s.uuids as string[]).at(-1)).toBe('… and 5 more');
    expect(s.text).toMatch(/^x{300}… \(400 characters\)$/);
  });

  it('names the target: a cell, a host, instances, a user or a token', () => {
    expect(auditTarget('cells.delete', { uuid: 'c1', force: true })).toBe('cell c1');
    expect(auditTarget('hosts.deleteMapping', { cellUuid: 'c1', host: 'cmp-1' })).toBe('cell c1; host cmp-1');
    expect(auditTarget('triage.cell0.delete', { uuids: ['a', 'b'] })).toBe('instances a, b');
    expect(auditTarget('triage.buildRequests.delete', { instanceUuid: 'i1' })).toBe('instance i1');
    expect(auditTarget('auth.users.setRole', { username: 'bob', role: 'viewer' })).toBe('user bob');
    expect(auditTarget('auth.tokens.revoke', { id: 4 })).toBe('token #4');
    expect(auditTarget('delete_host', { cell_uuid: 'c1', host: 'h' })).toBe('cell c1; host h');
    expect(auditTarget('boot.accept', { flavor: 'm1.tiny' })).toBeNull();
  });
});

describe('mutations through tRPC', () => {
  it('records a done mutation with who, role, action, target, request id and no password', async () => {
    await callerAs(alice, 'req-add').auth.users.add({ username: 'bob', role: 'viewer', password: 'bob-password-1' });
    const { rows } = await listAudit(deps(), { action: 'auth.users.add' });
    expect(rows[0]).toMatchObject({
      source: 'console',
      actorKind: 'user',
      actor: 'alice',
      role: 'operator',
      action: 'auth.users.add',
      target: 'user bob',
      input: { username: 'bob', role: 'viewer' },
      outcome: 'done',
      reason: null,
      requestId: 'req-add',
    });
    expect(JSON.stringify(rows[0])).not.toContain('bob-password-1');
  });

  it("records a domain refusal with nova's message, an invalid input, and a failure without its details", async () => {
    const unknown = '9d0c0b7e-0000-4000-8000-0000000000aa';
    await expect(callerAs(alice, 'req-del').cells.delete({ uuid: unknown })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerAs(alice, 'req-bad').auth.users.add({ username: '!', role: 'viewer' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // An id PostgreSQL cannot hold is refused as input, before the database sees it.
    await expect(callerAs(alice, 'req-range').auth.tokens.revoke({ id: 2 ** 40 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // A real database failure (a trigger that raises): an unexpected error, logged and not shown.
    const { token } = await callerAs(alice, 'req-token').auth.tokens.create({ name: 'doomed', role: 'viewer', expiresInDays: 1 });
    await dep.api.sql.unsafe(`
      create function cellar.test_fail_update() returns trigger language plpgsql as $$ begin raise exception 'failure made by the test'; end $$;
      create trigger test_fail_update before update on cellar.api_tokens for each row execute function cellar.test_fail_update();`);
    try {
      await expect(callerAs(alice, 'req-fail').auth.tokens.revoke({ id: token.id })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    } finally {
      await dep.api.sql.unsafe('drop trigger test_fail_update on cellar.api_tokens; drop function cellar.test_fail_update();');
    }
    const byRequest = Object.fromEntries((await listAudit(deps(), { actor: 'alice', limit: 200 })).rows.map((r) => [r.requestId, r]));
    expect(byRequest['req-del']).toMatchObject({
      action: 'cells.delete',
      target: `cell ${unknown}`,
      outcome: 'refused',
      reason: `Cell with uuid ${unknown} was not found.`,
    });
    expect(byRequest['req-bad']).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^invalid input: username: /) });
    expect(byRequest['req-range']).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^invalid input: id: a token id is at most/) });
    expect(byRequest['req-fail']).toMatchObject({
      action: 'auth.tokens.revoke',
      outcome: 'failed',
      reason: 'unexpected error; the details are in the server log (request req-fail)',
    });
  });

  it('does not record queries', async () => {
    const before = (await listAudit(deps(), { limit: 200 })).rows.length;
    await callerAs(alice).cells.list();
    await callerAs(alice).auth.users.list();
    expect((await listAudit(deps(), { limit: 200 })).rows.length).toBe(before);
  });
});

describe('over HTTP', () => {
  const handle = (req: Request) =>
    fetchRequestHandler({ endpoint: '/api/trpc', req, router: appRouter, createContext: () => createContext({ headers: req.headers, deps }) });

  it('refuses a mutation sent as GET, before it runs', async () => {
    const input = encodeURIComponent(JSON.stringify(superjson.serialize({ username: 'via-get', role: 'operator', password: 'via-get-password' })));
    const res = await handle(new Request(`http://127.0.0.1/api/trpc/auth.users.add?input=${input}`));
    expect(res.status).toBe(405);
    const [n] = await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.users where username = 'via-get'`;
    expect(n!.n).toBe(0);
  });

  it('answers a request without credentials with 401 and a plain message, and audits the refused write', async () => {
    const res = await handle(
      new Request('http://127.0.0.1/api/trpc/cells.delete', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'anon-1' },
        body: JSON.stringify(superjson.serialize({ uuid: 'c-anon', force: true })),
      }),
    );
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { json: { message: string } } }).error.json.message).toBe('Sign in first.');
    const { rows } = await listAudit(deps(), { actor: '(not' });
    expect(rows[0]).toMatchObject({
      actorKind: 'anonymous',
      role: null,
      action: 'cells.delete',
      target: 'cell c-anon',
      outcome: 'refused',
      requestId: 'anon-1',
    });
  });
});

describe('reading the audit log', () => {
  it('pages newest first by id with no row twice or missed, and filters by actor prefix, outcome and time', async () => {
    const d = await createTestDeployment({ cells: [] });
    try {
      const ds = { api: d.api };
      for (let i = 0; i < 60; i++) {
        await recordAudit(ds, {
          source: i % 2 ? 'cli' : 'console',
          principal: { kind: 'user', name: i % 3 ? 'ops-a' : 'sup-b', role: 'operator' },
          action: `cells.rename`,
          input: { uuid: `c${i}`, name: `n${i}` },
          outcome: i % 5 ? 'done' : 'refused',
          reason: i % 5 ? null : 'no',
        });
      }
      const seen: number[] = [];
      let before: number | null = null;
      do {
        const page: Awaited<ReturnType<typeof listAudit>> = await listAudit(ds, { limit: 25, before });
        seen.push(...page.rows.map((r) => r.id));
        before = page.nextBefore;
      } while (before);
      expect(seen).toHaveLength(60);
      expect(seen).toEqual([...seen].sort((a, b) => b - a));
      expect(new Set(seen).size).toBe(60);

      const sup = await listAudit(ds, { actor: 'SUP', limit: 100 });
      expect(sup.rows).toHaveLength(20);
      expect(sup.rows.every((r) => r.actor === 'sup-b')).toBe(true);
      expect((await listAudit(ds, { outcome: 'refused', limit: 100 })).rows).toHaveLength(12);
      expect((await listAudit(ds, { since: new Date(Date.now() + 60_000) })).rows).toHaveLength(0);
      expect((await listAudit(ds, { since: new Date(Date.now() - 60_000), limit: 100 })).rows).toHaveLength(60);
      // A LIKE wildcard in the filter is a character, not a pattern.
      expect((await listAudit(ds, { actor: '%' })).rows).toHaveLength(0);
    } finally {
      await d.close();
    }
  });
  it('sorts by time either way in keyset pages on (time, id): ties and microseconds kept, forwards and back, no row twice or missed', async () => {
    const d = await createTestDeployment({ cells: [] });
    try {
      const ds = { api: d.api };
      // Times out of id order: three rows to an instant, some a microsecond apart.
      await d.api.sql`insert into cellar.audit_log (source, actor_kind, actor, action, outcome, at)
        select 'cli', 'cli', 'os-' || g, 'delete_cell', 'done',
          '2026-05-01 10:00:00'::timestamp + ((g * 7919) % 23) * interval '1 minute' + case when g % 5 = 0 then interval '1 microsecond' else interval '0' end
        from generate_series(1, 60) g`;
      for (const dir of ['desc', 'asc'] as const) {
        const ordered = await d.api.sql<{ n: string }[]>`
          select id::text as n from cellar.audit_log order by ${dir === 'asc' ? d.api.sql`at asc, id asc` : d.api.sql`at desc, id desc`}`;
        const expected = ordered.map((r) => Number(r.n));
        const pages: number[][] = [];
        let p = await listAudit(ds, { dir, limit: 25 });
        expect(p.prev).toBeNull();
        pages.push(p.rows.map((r) => r.id));
        while (p.next) {
          p = await listAudit(ds, { dir, limit: 25, marker: p.next });
          pages.push(p.rows.map((r) => r.id));
        }
        expect(pages.flat()).toEqual(expected);
        expect(pages.map((x) => x.length)).toEqual([25, 25, 10]);
        // And back from the last page to the first, each page as it was.
        const back: number[][] = [p.rows.map((r) => r.id)];
        while (p.prev) {
          p = await listAudit(ds, { dir, limit: 25, marker: p.prev, back: true });
          back.unshift(p.rows.map((r) => r.id));
        }
        expect(back).toEqual(pages);
        expect(p.next).not.toBeNull();
      }
      const newest = await listAudit(ds, { limit: 25 });
      const e = await listAudit(ds, { dir: 'asc', marker: newest.next, limit: 25 }).catch((x) => x);
      expect(isCellarError(e) && [e.kind, e.message]).toEqual([
        'invalid',
        'This page marker was made for the list sorted by time, newest first, not by time, oldest first: open the first page again.',
      ]);
      const forged = Buffer.from(JSON.stringify(['at', 'desc', '2026-05-01 10:00:00', '1 or 1=1'])).toString('base64url');
      const f = await listAudit(ds, { marker: forged, limit: 25 }).catch((x) => x);
      expect(isCellarError(f) && f.message).toBe('This page marker is not one this list made: open the first page again.');
    } finally {
      await d.close();
    }
  });
});
