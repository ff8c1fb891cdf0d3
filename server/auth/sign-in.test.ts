/**
 * Sign-in through better-auth on real PostgreSQL: sessions in the api database, the
 * cookie's attributes, sign-out, and the failed sign-in limits per account and address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { handleAuthRequest, handleSignOutForm } from './auth-handler';
import { resolvePrincipal } from './principal';
import { SIGN_IN_LIMITS } from './sign-in-limit';
import { authTestDeps, cookieFrom, ORIGIN, signInRequest } from './testing';
import { addUser } from './users';

let dep: TestDeployment;
let clock = new Date();
const deps = () => authTestDeps(dep, () => clock);

beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  await addUser(deps(), { username: 'alice', role: 'support', password: 'alice-password-1' });
  await addUser(deps(), { username: 'bob', role: 'viewer', password: 'bob-password-12' });
});
afterAll(() => dep?.close());

const signIn = (u: string, p: string, opts?: Parameters<typeof signInRequest>[2]) => handleAuthRequest(signInRequest(u, p, opts), deps());

describe('sign-in and sign-out', () => {
  it('signs in with the right password: an HttpOnly SameSite=Lax session cookie, the session row in the api database, no token in the body', async () => {
    const res = await signIn('Alice', 'alice-password-1');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ user: { username: 'alice', role: 'support' } });
    const [cookie] = res.headers.getSetCookie().filter((c) => c.startsWith('cellar.session_token='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const [row] = await dep.api.sql<{ n: number }[]>`
      select count(*)::int as n from cellar.sessions s join cellar.users u on u.id = s.user_id where u.username = 'alice'`;
    expect(row!.n).toBeGreaterThanOrEqual(1);

    const who = await resolvePrincipal(deps(), new Headers({ cookie: cookieFrom(res) }));
    expect(who).toEqual({ principal: { kind: 'user', name: 'alice', role: 'support' } });
  });

  it('marks the cookie Secure (and __Secure-) when the request came over https', async () => {
    const res = await signIn('alice', 'alice-password-1', { proto: 'https' });
    expect(res.status).toBe(200);
    const [cookie] = res.headers.getSetCookie().filter((c) => c.includes('cellar.session_token='));
    expect(cookie).toMatch(/^__Secure-cellar\.session_token=/);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
    const who = await resolvePrincipal(deps(), new Headers({ cookie: cookieFrom(res), 'x-forwarded-proto': 'https' }));
    expect(who).toEqual({ principal: { kind: 'user', name: 'alice', role: 'support' } });
  });

  it('sign-out deletes the session: the same cookie afterwards is refused with a plain message', async () => {
    const res = await signIn('bob', 'bob-password-12');
    const cookie = cookieFrom(res);
    const out = await handleAuthRequest(
      new Request(`${ORIGIN}/api/auth/sign-out`, { method: 'POST', headers: { cookie, origin: ORIGIN, 'content-type': 'application/json' }, body: '{}' }),
      deps(),
    );
    expect(out.status).toBe(200);
    expect(await resolvePrincipal(deps(), new Headers({ cookie }))).toEqual({ refused: 'Your session has ended; sign in again.' });
  });

  it("refuses sign-out from another origin (the library's CSRF check) and keeps the session", async () => {
    const cookie = cookieFrom(await signIn('bob', 'bob-password-12'));
    const out = await handleAuthRequest(
      new Request(`${ORIGIN}/api/auth/sign-out`, {
        method: 'POST',
        headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
        body: '{}',
      }),
      deps(),
    );
    expect(out.status).toBe(403);
    expect(await resolvePrincipal(deps(), new Headers({ cookie }))).toEqual({ principal: { kind: 'user', name: 'bob', role: 'viewer' } });
  });

  it("the console's sign-out form (no JavaScript needed) ends the session and redirects to sign-in; from another site it is refused", async () => {
    const cookie = cookieFrom(await signIn('bob', 'bob-password-12'));
    const form = (origin: string) =>
      new Request(`${ORIGIN}/sign-out`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const foreign = await handleSignOutForm(form('https://evil.example'), deps());
    expect(foreign.status).toBe(403);
    expect(await resolvePrincipal(deps(), new Headers({ cookie }))).toEqual({ principal: { kind: 'user', name: 'bob', role: 'viewer' } });
    const res = await handleSignOutForm(form(ORIGIN), deps());
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in');
    expect(res.headers.getSetCookie().some((c) => /^cellar\.session_token=;/.test(c) && /Max-Age=0/i.test(c))).toBe(true);
    expect(await resolvePrincipal(deps(), new Headers({ cookie }))).toEqual({ refused: 'Your session has ended; sign in again.' });
  });

  it('exposes only sign-in and sign-out: no self sign-up, no session listing, and JSON bodies only', async () => {
    const signUp = await handleAuthRequest(
      new Request(`${ORIGIN}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'x@example.com', password: 'whatever-123', name: 'x' }),
      }),
      deps(),
    );
    expect(signUp.status).toBe(404);
    expect((await handleAuthRequest(new Request(`${ORIGIN}/api/auth/list-sessions`), deps())).status).toBe(404);
    const form = await handleAuthRequest(
      new Request(`${ORIGIN}/api/auth/sign-in/username`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=alice&password=alice-password-1',
      }),
      deps(),
    );
    expect(form.status).toBe(415);
    const [n] = await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.users where email = 'x@example.com'`;
    expect(n!.n).toBe(0);
  });
});

describe('hostile sign-in input', () => {
  it('a name or password PostgreSQL cannot store (NUL, a broken UTF-16 pair) or a huge one is a plain 400, never a 500', async () => {
    for (const [username, password, field] of [
      ['ali\u0000ce', 'alice-password-1', 'username'],
      ['alice', 'pass\u0000word-123', 'password'],
      ['bob\ud800', 'bob-password-12', 'username'],
      ['x'.repeat(50_000), 'whatever-1234', 'username'],
    ] as const) {
      const res = await signIn(username, password, { address: '203.0.113.99' });
      expect(res.status, field).toBe(400);
      const body = (await res.json()) as { message: string };
      expect(body.message).toContain(field);
      expect(body.message).not.toMatch(/invalid byte sequence|PostgresError|\bat .+\(/);
    }
    // Nothing was counted against the account or the address.
    const [n] = await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.sign_in_attempts where address = '203.0.113.99'`;
    expect(n!.n).toBe(0);
  });
});

describe('failed sign-in limits', () => {
  it(`locks an account after ${SIGN_IN_LIMITS.account.failures} failures in 15 minutes, even for the right password, for 15 minutes`, async () => {
    await addUser(deps(), { username: 'carol', role: 'viewer', password: 'carol-password-1' });
    for (let i = 0; i < SIGN_IN_LIMITS.account.failures; i++) {
      const r = await signIn('carol', `wrong-${i}-password`, { address: `198.51.100.${i + 1}` });
      expect(r.status).toBe(401);
      expect((await r.json()).message).toBe('Wrong user name or password.');
    }
    const locked = await signIn('carol', 'carol-password-1', { address: '198.51.100.99' });
    expect(locked.status).toBe(429);
    expect((await locked.json()).message).toBe('Too many failed sign-ins for this account. It is locked; try again in 15 minutes.');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    // Other accounts are not affected.
    expect((await signIn('alice', 'alice-password-1', { address: '198.51.100.99' })).status).toBe(200);

    const saved = clock;
    try {
      clock = new Date(saved.getTime() + 10 * 60_000);
      const still = await signIn('carol', 'carol-password-1', { address: '198.51.100.99' });
      expect((await still.json()).message).toBe('Too many failed sign-ins for this account. It is locked; try again in 5 minutes.');
      clock = new Date(saved.getTime() + 16 * 60_000);
      expect((await signIn('carol', 'carol-password-1', { address: '198.51.100.99' })).status).toBe(200);
    } finally {
      clock = saved;
    }
  });

  it('a success forgets the failures before it: four failures, a success, four more do not lock', async () => {
    await addUser(deps(), { username: 'dave', role: 'viewer', password: 'dave-password-1' });
    for (const round of [0, 1]) {
      for (let i = 0; i < SIGN_IN_LIMITS.account.failures - 1; i++)
        expect((await signIn('dave', 'nope-nope-nope', { address: `203.0.113.${round}` })).status).toBe(401);
      expect((await signIn('dave', 'dave-password-1', { address: `203.0.113.${round}` })).status).toBe(200);
    }
  });

  it(`locks an address after ${SIGN_IN_LIMITS.address.failures} failures across accounts; other addresses still sign in`, async () => {
    const address = '192.0.2.200';
    for (let i = 0; i < SIGN_IN_LIMITS.address.failures; i++) {
      // Different (mostly unknown) names, so no account reaches its own limit.
      expect((await signIn(`guess${i}`, 'password-guess', { address })).status).toBe(401);
    }
    const refused = await signIn('bob', 'bob-password-12', { address });
    expect(refused.status).toBe(429);
    expect((await refused.json()).message).toBe('Too many failed sign-ins from your address. Try again in 15 minutes.');
    expect((await signIn('bob', 'bob-password-12', { address: '192.0.2.201' })).status).toBe(200);
  });

  it('counts concurrent guesses against each other: of ten at once, at most five are checked', async () => {
    await addUser(deps(), { username: 'erin', role: 'viewer', password: 'erin-password-1' });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn('erin', `guess-${i}-wrong`, { address: `198.18.0.${i}` })));
    const statuses = results.map((r) => r.status);
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(SIGN_IN_LIMITS.account.failures);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10 - checked);
    // Locked exactly when five failures were really checked: a refused guess is no failure.
    const after = await signIn('erin', 'erin-password-1', { address: '198.18.1.1' });
    expect(after.status).toBe(checked === SIGN_IN_LIMITS.account.failures ? 429 : 200);
  });
});
