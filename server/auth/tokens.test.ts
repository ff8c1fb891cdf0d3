/** Automation tokens on real PostgreSQL: hashed at rest, shown once, expiry and revocation refuse them plainly. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { createCaller } from '../root';
import { createContext } from '../trpc';
import { resolvePrincipal } from './principal';
import { authTestDeps } from './testing';
import { authenticateToken, createToken, hashTokenSecret, listTokens, revokeToken } from './tokens';

let dep: TestDeployment;
let clock = new Date();
const deps = () => authTestDeps(dep, () => clock);
const bearer = (secret: string) => new Headers({ authorization: `Bearer ${secret}` });

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
});
afterAll(() => dep?.close());

describe('automation tokens', () => {
  it('stores only the sha256 of a high-entropy secret that is returned once, and lists tokens without it', async () => {
    const { token, secret } = await createToken(deps(), { name: 'nightly', role: 'support', expiresInDays: 30 }, 'alice');
    expect(secret).toMatch(/^cellar_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: 'nightly', role: 'support', createdBy: 'alice', state: 'active', revokedAt: null });
    expect(token.expiresAt.getTime() - clock.getTime()).toBe(30 * 86_400_000);
    const [row] = await dep.api.sql<Record<string, unknown>[]>`select * from cellar.api_tokens where id = ${token.id}`;
    expect(row!.secret_hash).toBe(hashTokenSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    const listed = await listTokens(deps());
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(JSON.stringify(listed)).not.toContain(hashTokenSecret(secret));
    expect(await resolvePrincipal(deps(), bearer(secret))).toEqual({ principal: { kind: 'token', name: 'nightly', role: 'support' } });
  });

  it('refuses an expired token with a plain message, and a request with it is UNAUTHORIZED', async () => {
    const { secret } = await createToken(deps(), { name: 'short-lived', role: 'operator', expiresInDays: 1 }, 'alice');
    expect('principal' in (await authenticateToken(deps(), secret))).toBe(true);
    const saved = clock;
    try {
      clock = new Date(saved.getTime() + 86_400_000 + 1000);
      const r = await authenticateToken(deps(), secret);
      expect(r).toEqual({ refused: expect.stringMatching(/^The token short-lived expired at \d{4}-.*Z; ask an operator for a new one\.$/) });
      expect((await listTokens(deps())).find((t) => t.name === 'short-lived')!.state).toBe('expired');
      const caller = createCaller(() => createContext({ headers: bearer(secret), deps: deps }));
      await expect(caller.cells.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/^The token short-lived expired at/) });
    } finally {
      clock = saved;
    }
  });

  it('refuses a revoked token at once; revoking twice is refused; the name can then be reused', async () => {
    const { token, secret } = await createToken(deps(), { name: 'ci', role: 'viewer', expiresInDays: 7 }, 'alice');
    const caller = createCaller(() => createContext({ headers: bearer(secret), deps: deps }));
    await expect(caller.cells.list()).resolves.toBeDefined();
    const revoked = await revokeToken(deps(), { id: token.id }, 'bob');
    expect(revoked).toMatchObject({ state: 'revoked', revokedBy: 'bob' });
    await expect(caller.cells.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'The token ci was revoked; ask an operator for a new one.' });
    await expect(revokeToken(deps(), { id: token.id }, 'bob')).rejects.toMatchObject({ kind: 'conflict', message: 'This token is already revoked.' });
    const again = await createToken(deps(), { name: 'ci', role: 'viewer', expiresInDays: 7 }, 'alice');
    expect(again.token.id).not.toBe(token.id);
  });

  it('refuses a second active token of the same name, also when two are created at once', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => createToken(deps(), { name: 'raced', role: 'viewer', expiresInDays: 1 }, 'alice')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        kind: 'conflict',
        message: 'A token named raced already exists; revoke it first or choose another name.',
      });
    }
  });

  it('refuses what is not a token, and other authorization schemes, instead of falling back to a session', async () => {
    expect(await resolvePrincipal(deps(), bearer('cellar_notarealtoken'))).toEqual({ refused: 'This token is not valid.' });
    expect(await resolvePrincipal(deps(), bearer('ghp_something'))).toEqual({ refused: 'This is not a Cellar token (they start with cellar_).' });
    expect(await resolvePrincipal(deps(), new Headers({ authorization: 'Basic dXNlcjpwYXNz' }))).toEqual({
      refused: 'Only bearer tokens are accepted: Authorization: Bearer cellar_…',
    });
  });

  it('validates names, roles and expiry plainly', async () => {
    await expect(createToken(deps(), { name: '', role: 'viewer', expiresInDays: 1 }, 'a')).rejects.toMatchObject({
      kind: 'invalid',
      message: 'a token name is required',
    });
    await expect(createToken(deps(), { name: 'x', role: 'root' as never, expiresInDays: 1 }, 'a')).rejects.toMatchObject({
      message: 'a role is one of viewer, support, operator',
    });
    await expect(createToken(deps(), { name: 'x', role: 'viewer', expiresInDays: 0 }, 'a')).rejects.toMatchObject({ message: 'a token lives at least 1 day' });
    await expect(createToken(deps(), { name: 'x', role: 'viewer', expiresInDays: 400 }, 'a')).rejects.toMatchObject({
      message: 'a token lives at most 366 days',
    });
  });
});
