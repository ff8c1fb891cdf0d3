/**
 * One HTTP-level test per class of failure the fuzz found (issue #10): each failed before
 * the server's fixes and passes after them. Against the hostile console (serve-hostile.ts).
 *
 *   (a) prototype keys in a refused write's input do not break the audit log or /audit
 *   (b) a write whose input holds a NUL is refused (400), or done with its audit row
 *   (c) sign-in's `next` with a tab or a newline never leaves the site, never a 500
 *   (d) batches: refused before any call runs when not signed in, capped for everyone; a huge body 413
 *   (e) a foreign Origin: a write with a session cookie, sign-in, sign-out (forged X-Forwarded-Host) 403
 *   (f) any other method 405; /_next/image on a local file not 500; unstorable strings and
 *       out-of-range ids 400 with a plain line naming the field
 */
import crypto from 'node:crypto';
import { expect, test } from '@playwright/test';
import { DEMO_USERS, signedInAs } from '../fixtures';
import {
  BASE_URL,
  callProcedure,
  cut,
  describeRequest,
  type HttpRequest,
  hostileSql,
  internalText,
  ORIGIN,
  type Principal,
  STRANGER,
  send,
  sessionPrincipal,
  superjsonText,
  trpcRequest,
} from './wire';

const CELL1 = '5c5b9a4e-1f0d-4c39-9a7e-2a51d5c8e101';
const FOREIGN = 'http://evil.example';
const uniq = () => crypto.randomBytes(4).toString('hex');

let operator: Principal;
let viewer: Principal;
test.beforeAll(async () => {
  operator = await sessionPrincipal('operator');
  viewer = await sessionPrincipal('viewer');
});

/** The message of a tRPC error answer (superjson's envelope or not), or the body. */
function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as
      | { error?: { json?: { message?: string }; message?: string }; message?: string }
      | { error?: { json?: { message?: string } } }[];
    const one = Array.isArray(parsed) ? parsed[0] : parsed;
    return one?.error?.json?.message ?? (one as { error?: { message?: string } })?.error?.message ?? (one as { message?: string })?.message ?? body;
  } catch {
    return body;
  }
}

async function auditRows(requestId: string) {
  const sql = hostileSql('api');
  try {
    return await sql<{ action: string; outcome: string; repeat_count: number }[]>`
      select action, outcome, repeat_count from cellar.audit_log where request_id = ${requestId}`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

test.describe('(a) prototype keys in a refused write', () => {
  test('do not break the audit log: auth.audit.list still serialises and /audit renders for the operator', async ({ browser }) => {
    const proto = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}';
    const bodies = [
      `{"json":{"uuid":"${CELL1}","name":"x","nested":${proto},"constructor":{"prototype":{"polluted":"yes"}}}}`,
      `{"json":{"uuid":"${CELL1}","name":"x","__proto__":{"polluted":"yes"},"deeper":{"a":{"b":${proto}}}}}`,
      `{"json":{"uuid":"${CELL1}","name":"x","when":"2020-01-01T00:00:00Z"},"meta":{"values":{"__proto__.polluted":["undefined"],"when":["Date"]}}}`,
      `{"json":{"uuid":"${CELL1}","name":"x"},"meta":{"referentialEqualities":{"name":["constructor.prototype.polluted"]}}}`,
    ];
    const sent: string[] = [];
    for (const who of [STRANGER, viewer]) {
      for (const [i, body] of bodies.entries()) {
        const req = trpcRequest('cells.rename', 'mutation', body, { ...who.headers, 'x-request-id': `probe-a-${who.name}-${i}-${uniq()}` });
        const res = await send(req);
        sent.push(`${describeRequest(req)} → ${res.status} ${cut(res.body, 200)}`);
        expect(res.status, `${describeRequest(req)}: ${cut(res.body, 400)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${describeRequest(req)}: ${cut(res.body, 400)}`).toBeLessThan(500);
      }
    }
    // The operator's own write with the same keys in a field the procedure ignores (refused by the schema or the guard).
    const res = await send(trpcRequest('cells.rename', 'mutation', `{"json":{"uuid":"not-a-uuid","name":"x","extra":${proto}}}`, operator.headers));
    expect(res.status, cut(res.body, 400)).toBeLessThan(500);

    for (const input of [{ limit: 200 }, { limit: 50, action: 'cells.rename' }, { limit: 25, outcome: 'refused' as const }]) {
      const list = await callProcedure<{ rows: unknown[] }>('auth.audit.list', 'query', input, operator.headers);
      expect(list.status, `auth.audit.list ${JSON.stringify(input)} after:\n${sent.join('\n')}\n→ ${cut(list.body, 600)}`).toBe(200);
      expect(list.data?.rows.length).toBeGreaterThan(0);
      expect(internalText(list.body, '', true)).toBeNull();
    }

    for (const role of ['operator', 'viewer'] as const) {
      const context = await signedInAs(browser, role);
      const page = await context.newPage();
      const nav = await page.goto('/audit');
      expect(nav?.status(), `/audit as ${role}`).toBeLessThan(500);
      await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
      await expect(page.getByText('This page could not be shown')).toHaveCount(0);
      await expect(page.getByRole('table').first()).toBeVisible();
      await context.close();
    }
  });
});

test.describe('(b) a NUL in a write', () => {
  test('is refused with 400, or the write is done with its audit row: never done without one', async () => {
    const id = uniq();
    const cases: { procedure: string; input: unknown }[] = [
      // In a field the procedure ignores: zod drops it, the write would go on.
      { procedure: 'auth.users.add', input: { username: `nul-${id}`, role: 'viewer', note: 'a\u0000b' } },
      { procedure: 'auth.tokens.create', input: { name: `nul-${id}`, role: 'viewer', expiresInDays: 1, comment: '\u0000' } },
      { procedure: 'hosts.discover', input: { dryRun: true, why: { deep: ['x\u0000'] } } },
      // A lone surrogate: as unstorable in jsonb as a NUL.
      { procedure: 'auth.users.add', input: { username: `sur-${id}`, role: 'viewer', note: '\ud800' } },
      // In a field it uses.
      { procedure: 'cells.rename', input: { uuid: CELL1, name: 'cell1\u0000' } },
      { procedure: 'auth.users.setRole', input: { username: `probe-b-${id}`, role: 'support', x: '\u0000' } },
    ];
    const made = await callProcedure('auth.users.add', 'mutation', { username: `probe-b-${id}`, role: 'viewer' }, operator.headers);
    expect(made.status, made.body).toBe(200);
    const problems: string[] = [];
    for (const [i, c] of cases.entries()) {
      const requestId = `probe-b-${i}-${id}`;
      const req = trpcRequest(c.procedure, 'mutation', superjsonText(c.input), { ...operator.headers, 'x-request-id': requestId });
      const res = await send(req);
      const rows = await auditRows(requestId);
      const done = rows.some((r) => r.action === c.procedure && r.outcome === 'done');
      const line = `${describeRequest(req)} → ${res.status} ${cut(res.body, 300)}; audit rows: ${rows.map((r) => r.outcome).join(', ') || 'none'}`;
      if (res.status === 200 && !done) problems.push(`done without its audit row: ${line}`);
      else if (res.status !== 200 && res.status !== 400) problems.push(`neither 400 nor done: ${line}`);
      else if (res.status === 400 && internalText(res.body)) problems.push(`internal text: ${line}`);
    }
    // Put the cell's name back if a rename went through.
    await callProcedure('cells.rename', 'mutation', { uuid: CELL1, name: 'cell1' }, operator.headers);
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

test.describe('(c) sign-in with a next that holds a tab or a newline', () => {
  const NEXTS = [
    '/%09/other.example/',
    '/%0a/other.example/',
    '/%0d%0a/other.example/',
    '/%09%09/other.example',
    '/%5C/other.example/',
    '/%09/%09other.example/x?y',
  ];

  test('never sends the browser off-site after signing in', async ({ browser }) => {
    for (const next of NEXTS) {
      const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
      const offSite: string[] = [];
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.origin !== ORIGIN) {
          offSite.push(route.request().url());
          return route.abort();
        }
        return route.continue();
      });
      const page = await context.newPage();
      await page.goto(`/sign-in?next=${next}`);
      await page.getByLabel('User name').fill('viewer');
      await page.getByLabel('Password').fill(DEMO_USERS.viewer);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForLoadState('load');
      await expect
        .poll(() => offSite.length > 0 || new URL(page.url()).pathname !== '/sign-in', { message: `next=${next}: the sign-in went nowhere`, timeout: 10_000 })
        .toBe(true);
      await page.waitForTimeout(300);
      expect(offSite, `next=${next}: the browser went off-site`).toEqual([]);
      expect(new URL(page.url()).origin, `next=${next}`).toBe(ORIGIN);
      await context.close();
    }
  });

  test('with a session: a redirect on this site, never a 500', async () => {
    const problems: string[] = [];
    for (const next of [...NEXTS, '/%00/x', '/%0a', '//other.example', '/%2F/other.example']) {
      for (const who of [operator, STRANGER]) {
        const req: HttpRequest = { method: 'GET', path: `/sign-in?next=${next}`, headers: who.headers };
        const res = await send(req);
        const location = res.headers.location;
        const line = `${describeRequest(req)} → ${res.status} location=${JSON.stringify(location)} ${cut(res.body, 200)}`;
        if (res.status >= 500) problems.push(`answered ${res.status}: ${line}`);
        if (location && new URL(location, BASE_URL).origin !== ORIGIN) problems.push(`redirects off-site: ${line}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

test.describe('(d) batches and bodies', () => {
  const many = (procedure: string, n: number) => Array.from({ length: n }, () => procedure).join(',');

  test('a batch of 1000 writes without a session is refused before any call runs', async () => {
    const requestId = `probe-d-stranger-${uniq()}`;
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [String(i), { json: { uuid: CELL1, force: true } }])));
    const req: HttpRequest = {
      method: 'POST',
      path: `/api/trpc/${many('cells.delete', 1000)}?batch=1`,
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body,
    };
    const res = await send(req);
    const rows = await auditRows(requestId);
    expect(res.status, `${describeRequest(req)} → ${cut(res.body, 400)}`).toBeGreaterThanOrEqual(400);
    expect(res.status, cut(res.body, 400)).toBeLessThan(500);
    expect(rows.length, `audit rows for one refused batch: ${rows.length} (at most one aggregated row)`).toBeLessThanOrEqual(1);
  });

  test('a batch above the maximum size is refused for anyone, and no call of it runs', async () => {
    for (const who of [operator, STRANGER]) {
      const query: HttpRequest = { method: 'GET', path: `/api/trpc/${many('auth.me', 1001)}?batch=1`, headers: who.headers };
      const q = await send(query);
      expect(q.status, `${describeRequest(query)} → ${cut(q.body, 300)}`).toBeGreaterThanOrEqual(400);
      expect(q.status, cut(q.body, 300)).toBeLessThan(500);

      const requestId = `probe-d-${who.name}-${uniq()}`;
      const write: HttpRequest = {
        method: 'POST',
        path: `/api/trpc/${many('cells.rename', 1001)}?batch=1`,
        headers: { ...who.headers, 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [String(i), { json: { uuid: crypto.randomUUID(), name: 'x' } }]))),
      };
      const w = await send(write);
      expect(w.status, `${describeRequest(write)} → ${cut(w.body, 300)}`).toBeGreaterThanOrEqual(400);
      expect(w.status, cut(w.body, 300)).toBeLessThan(500);
      expect((await auditRows(requestId)).length, `audit rows for one refused batch of ${who.name}`).toBeLessThanOrEqual(1);
    }
  });

  test('a huge body answers 413', async () => {
    const name = 'x'.repeat(16 * 1024 * 1024);
    for (const who of [STRANGER, operator]) {
      const req = trpcRequest('cells.rename', 'mutation', JSON.stringify({ json: { uuid: CELL1, name } }), who.headers);
      const res = await send({ ...req, timeoutMs: 120_000 });
      expect(res.status, `${describeRequest(req)} → ${cut(res.body, 300)}`).toBe(413);
    }
  });
});

test.describe('(e) a foreign Origin', () => {
  test('a write with a valid session cookie is refused 403, and nothing is written', async () => {
    const username = `origin-${uniq()}`;
    for (const origin of [FOREIGN, 'http://127.0.0.1:3103']) {
      const req = trpcRequest('auth.users.add', 'mutation', superjsonText({ username, role: 'viewer' }), { ...operator.headers, origin });
      const res = await send(req);
      expect(res.status, `${describeRequest(req)} → ${cut(res.body, 300)}`).toBe(403);
    }
    const sql = hostileSql('api');
    try {
      const [row] = await sql`select 1 from cellar.users where username = ${username}`;
      expect(row, `the user ${username} was created by a cross-site write`).toBeUndefined();
    } finally {
      await sql.end({ timeout: 2 });
    }
  });

  test('sign-in is refused 403', async () => {
    const req: HttpRequest = {
      method: 'POST',
      path: '/api/auth/sign-in/username',
      headers: { 'content-type': 'application/json', origin: FOREIGN },
      body: JSON.stringify({ username: 'viewer', password: DEMO_USERS.viewer }),
    };
    const res = await send(req);
    expect(res.status, `${describeRequest(req)} → ${cut(res.body, 300)}`).toBe(403);
    expect(res.headers['set-cookie'] ?? []).toEqual([]);
  });

  test('sign-out with a forged X-Forwarded-Host is refused 403 and the session lives on', async () => {
    const victim = await sessionPrincipal('support');
    const forged = { cookie: victim.headers.cookie!, origin: FOREIGN, 'x-forwarded-host': 'evil.example' };
    const form: HttpRequest = { method: 'POST', path: '/sign-out', headers: { ...forged, 'content-type': 'application/x-www-form-urlencoded' }, body: '' };
    const f = await send(form);
    expect(f.status, `${describeRequest(form)} → ${cut(f.body, 300)}`).toBe(403);
    const api: HttpRequest = { method: 'POST', path: '/api/auth/sign-out', headers: { ...forged, 'content-type': 'application/json' }, body: '{}' };
    const a = await send(api);
    expect(a.status, `${describeRequest(api)} → ${cut(a.body, 300)}`).toBe(403);
    const me = await callProcedure<{ role: string }>('auth.me', 'query', undefined, victim.headers);
    expect(me.status, 'the session was ended by a cross-site sign-out').toBe(200);
  });
});

test.describe('(f) methods, images, unstorable strings, ids out of range', () => {
  test('any other method on any path answers 405', async () => {
    const paths = [
      '/',
      '/sign-in',
      '/sign-out',
      '/audit',
      '/cells/new',
      '/no-such-page',
      '/api/health',
      '/api/trpc/auth.me',
      '/api/trpc/cells.rename',
      '/api/auth/sign-in/username',
      '/api/auth/sign-out',
      '/api/cell0/export',
      '/_next/static/chunks/none.js',
    ];
    const methods = ['TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'PUT', 'DELETE', 'PATCH'];
    const problems: string[] = [];
    for (const who of [STRANGER, operator]) {
      for (const p of paths) {
        for (const method of methods) {
          const res = await send({ method, path: p, headers: who.headers });
          if (res.status !== 405) problems.push(`${method} ${p} as ${who.name} → ${res.status} ${cut(res.body.replace(/\s+/g, ' '), 120)}`);
        }
      }
    }
    expect(problems, `${problems.length} answers were not 405:\n${problems.join('\n')}`).toEqual([]);
  });

  test('/_next/image with a local file or a foreign URL is not a 500', async () => {
    const problems: string[] = [];
    for (const url of [
      '/etc/passwd',
      '/../../etc/passwd',
      'file:///etc/passwd',
      'http://evil.example/x.png',
      '//evil.example/x.png',
      '/api/health',
      '%00',
      '/icon.svg',
    ]) {
      for (const who of [STRANGER, operator]) {
        const p = `/_next/image?url=${encodeURIComponent(url)}&w=64&q=75`;
        const res = await send({ method: 'GET', path: p, headers: who.headers });
        if (res.status >= 500) problems.push(`GET ${p} as ${who.name} → ${res.status} ${cut(res.body, 200)}`);
        if (internalText(res.body)) problems.push(`GET ${p} as ${who.name} → internal text ${internalText(res.body)}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  test('strings PostgreSQL cannot store and ids beyond int4/int8 answer 400 with a plain line naming the field', async () => {
    const cases: { procedure: string; type: 'query' | 'mutation'; input: unknown; field: RegExp }[] = [
      { procedure: 'jobs.get', type: 'query', input: { id: 2 ** 31 }, field: /\bid\b/ },
      { procedure: 'jobs.get', type: 'query', input: { id: 2 ** 53 }, field: /\bid\b/ },
      { procedure: 'jobs.get', type: 'query', input: { id: 2 ** 63 }, field: /\bid\b/ },
      { procedure: 'jobs.get', type: 'query', input: { id: 1e300 }, field: /\bid\b/ },
      { procedure: 'auth.tokens.revoke', type: 'mutation', input: { id: 2 ** 31 }, field: /\bid\b/ },
      { procedure: 'auth.tokens.revoke', type: 'mutation', input: { id: 2 ** 53 + 2 }, field: /\bid\b/ },
      { procedure: 'auth.audit.list', type: 'query', input: { before: 2 ** 63 }, field: /\bbefore\b/ },
      { procedure: 'cells.detail', type: 'query', input: { uuid: `${CELL1}\u0000` }, field: /\buuid\b/ },
      { procedure: 'cells.detail', type: 'query', input: { uuid: '\ud800' }, field: /\buuid\b/ },
      { procedure: 'triage.cell0.get', type: 'query', input: { uuid: '\u0000' }, field: /\buuid\b/ },
      { procedure: 'cells.rename', type: 'mutation', input: { uuid: CELL1, name: 'a\u0000b' }, field: /\bname\b/ },
      { procedure: 'cells.rename', type: 'mutation', input: { uuid: CELL1, name: 'x\ud800' }, field: /\bname\b/ },
      { procedure: 'hosts.mappings', type: 'query', input: { host: 'h\u0000' }, field: /\bhost\b/ },
      { procedure: 'triage.cell0.list', type: 'query', input: { fault: '\u0000' }, field: /\bfault\b/ },
      { procedure: 'instances.list', type: 'query', input: { projectId: '\u0000' }, field: /\bprojectId\b|\bproject\b/ },
      {
        procedure: 'cells.create',
        type: 'mutation',
        input: { name: 'n\u0000', transportUrl: 'rabbit://a:b@h:1/', databaseConnection: 'postgresql://a:b@127.0.0.1:1/x' },
        field: /\bname\b/,
      },
    ];
    const forbidden = /Maximum call stack size exceeded|is not a function|Detected property/;
    const problems: string[] = [];
    for (const c of cases) {
      const who = c.type === 'mutation' ? operator : viewer;
      const req = trpcRequest(c.procedure, c.type, superjsonText(c.input), who.headers);
      const res = await send(req);
      const message = errorMessage(res.body);
      const line = `${describeRequest(req)} → ${res.status} ${cut(res.body, 300)}`;
      if (res.status !== 400) problems.push(`not 400: ${line}`);
      else if (!c.field.test(message)) problems.push(`the message does not name the field (${c.field}): ${line}`);
      if (forbidden.test(res.body) || internalText(res.body)) problems.push(`internal text: ${line}`);
    }
    // The sign-in name.
    for (const username of ['oper\u0000ator', 'vi\ud800ewer', `viewer${'\u0000'.repeat(3)}`]) {
      const req: HttpRequest = {
        method: 'POST',
        path: '/api/auth/sign-in/username',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({ username, password: 'not-the-password' }),
      };
      const res = await send(req);
      const line = `${describeRequest(req)} → ${res.status} ${cut(res.body, 300)}`;
      if (res.status !== 400) problems.push(`sign-in: not 400: ${line}`);
      else if (!/user ?name|username/i.test(errorMessage(res.body))) problems.push(`sign-in: the message does not name the user name: ${line}`);
      if (forbidden.test(res.body) || internalText(res.body)) problems.push(`sign-in: internal text: ${line}`);
    }
    expect(problems, `${problems.length} problems:\n${problems.join('\n')}`).toEqual([]);
  });
});
