/**
 * Every procedure of the app router × every kind of caller, through the same context the
 * HTTP handler builds (session cookie or bearer token): allowed or refused as the matrix
 * in access-matrix.ts says. "Allowed" means neither UNAUTHORIZED nor FORBIDDEN: with the
 * empty input used here most allowed calls stop at validation or NOT_FOUND, and that is fine.
 */
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { appRouter, createCaller } from '../root';
import { createContext } from '../trpc';
import { ACCESS_MATRIX } from './access-matrix';
import { handleAuthRequest } from './auth-handler';
import { ROLES, type Role, roleAtLeast } from './roles';
import { authTestDeps, cookieFrom, signInRequest } from './testing';
import { createToken, revokeToken } from './tokens';
import { addUser } from './users';

type Caller = ReturnType<typeof createCaller>;
type Proc = { _def: { type: 'query' | 'mutation' | 'subscription'; meta?: { minRole?: Role } } };

const procedures = appRouter._def.procedures as unknown as Record<string, Proc>;
const paths = Object.keys(procedures).sort();

let dep: TestDeployment;
const callers: { label: string; role: Role | null; kind: 'user' | 'token' | 'none' | 'expired' | 'revoked'; name: string; caller: Caller }[] = [];

function callerFor(headers: Record<string, string>): Caller {
  const deps = authTestDeps(dep);
  return createCaller(() => createContext({ headers: new Headers(headers), deps: () => deps }));
}

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  const deps = authTestDeps(dep);
  for (const role of ROLES) {
    await addUser(deps, { username: `${role}-user`, role, password: `${role}-password-x` });
    const res = await handleAuthRequest(signInRequest(`${role}-user`, `${role}-password-x`), deps);
    expect(res.status).toBe(200);
    callers.push({ label: `user with role ${role}`, role, kind: 'user', name: `${role}-user`, caller: callerFor({ cookie: cookieFrom(res) }) });
    const { secret } = await createToken(deps, { name: `${role}-token`, role, expiresInDays: 1 }, 'test');
    callers.push({ label: `token with role ${role}`, role, kind: 'token', name: `${role}-token`, caller: callerFor({ authorization: `Bearer ${secret}` }) });
  }
  callers.push({ label: 'no session', role: null, kind: 'none', name: '', caller: callerFor({}) });
  // An operator token that expired: created "two days ago" with a one-day life.
  const past = authTestDeps(dep, () => new Date(Date.now() - 2 * 86_400_000));
  const expired = await createToken(past, { name: 'expired-operator-token', role: 'operator', expiresInDays: 1 }, 'test');
  callers.push({
    label: 'expired token',
    role: null,
    kind: 'expired',
    name: 'expired-operator-token',
    caller: callerFor({ authorization: `Bearer ${expired.secret}` }),
  });
  const revoked = await createToken(deps, { name: 'revoked-operator-token', role: 'operator', expiresInDays: 30 }, 'test');
  await revokeToken(deps, { id: revoked.token.id }, 'test');
  callers.push({
    label: 'revoked token',
    role: null,
    kind: 'revoked',
    name: 'revoked-operator-token',
    caller: callerFor({ authorization: `Bearer ${revoked.secret}` }),
  });
}, 120_000);
afterAll(() => dep?.close());

async function call(caller: Caller, path: string): Promise<TRPCError | null> {
  const fn = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (input?: unknown) => Promise<unknown>;
  try {
    await fn(undefined);
    return null;
  } catch (e) {
    if (e instanceof TRPCError) return e;
    throw e;
  }
}

describe('the access matrix', () => {
  it('has exactly one entry per procedure of the app router: a new procedure without one fails here', () => {
    expect(paths).toEqual(Object.keys(ACCESS_MATRIX).sort());
  });

  it('agrees with the minimum role each procedure declares where it is defined', () => {
    const declared = Object.fromEntries(paths.map((p) => [p, procedures[p]!._def.meta?.minRole]));
    expect(declared).toEqual(ACCESS_MATRIX);
  });

  it('covers queries and mutations alike (no subscriptions, which would escape the audit)', () => {
    for (const p of paths) expect(['query', 'mutation']).toContain(procedures[p]!._def.type);
  });
});

describe.each(paths)('%s', (path) => {
  const min = () => ACCESS_MATRIX[path]!;

  it('is allowed or refused for every caller as the matrix says', async () => {
    for (const c of callers) {
      const err = await call(c.caller, path);
      const got = err?.code === 'UNAUTHORIZED' || err?.code === 'FORBIDDEN' ? err.code : 'allowed';
      if (c.role === null) {
        expect(got, `${c.label} → ${path}`).toBe('UNAUTHORIZED');
        if (c.kind === 'none') expect(err!.message).toBe('Sign in first.');
        if (c.kind === 'expired') expect(err!.message).toMatch(/^The token expired-operator-token expired at .*; ask an operator for a new one\.$/);
        if (c.kind === 'revoked') expect(err!.message).toBe('The token revoked-operator-token was revoked; ask an operator for a new one.');
      } else if (roleAtLeast(c.role, min())) {
        expect(got, `${c.label} → ${path}: ${err?.message}`).toBe('allowed');
      } else {
        expect(got, `${c.label} → ${path}`).toBe('FORBIDDEN');
        expect(err!.message).toBe(
          c.kind === 'token'
            ? `This needs the ${min()} role; the token ${c.name} has the ${c.role} role.`
            : `This needs the ${min()} role; you are signed in as ${c.role}.`,
        );
      }
    }
  });
});

describe('refused mutations are audited', () => {
  it('records every refused mutation call above, with who asked and why: one row per caller and action, counting the calls', async () => {
    const mutations = paths.filter((p) => procedures[p]!._def.type === 'mutation');
    const rows = await dep.api.sql<{ actor: string; role: string | null; action: string; reason: string; repeat_count: number }[]>`
      select actor, role, action, reason, repeat_count from cellar.audit_log where outcome = 'refused' and source = 'console'
        and (reason like 'This needs%' or reason like 'Sign in first.' or reason like 'The token%')`;
    const expected = new Map<string, number>();
    for (const path of mutations) {
      for (const c of callers) {
        // The callers without valid credentials are one anonymous caller from one address: counted together.
        const key = c.role === null ? `(not signed in) ${path}` : !roleAtLeast(c.role, ACCESS_MATRIX[path]!) ? `${c.name} ${path}` : null;
        if (key) expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    }
    const counted = new Map<string, number>();
    for (const r of rows) counted.set(`${r.actor} ${r.action}`, (counted.get(`${r.actor} ${r.action}`) ?? 0) + r.repeat_count);
    expect(Object.fromEntries([...counted].sort())).toEqual(Object.fromEntries([...expected].sort()));
    const sample = rows.find((r) => r.actor === 'viewer-user' && r.action === 'cells.delete');
    expect(sample).toEqual({
      actor: 'viewer-user',
      role: 'viewer',
      action: 'cells.delete',
      reason: 'This needs the operator role; you are signed in as viewer.',
      repeat_count: 1,
    });
  });
});
