/**
 * The console's sign-out form (POST /sign-out) on real PostgreSQL: the same Origin check
 * as proxy.ts (checkRequestOrigin), so X-Forwarded-Host counts only from trusted proxies.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { handleAuthRequest, handleSignOutForm } from './auth-handler';
import { resolvePrincipal } from './principal';
import { authTestDeps, cookieFrom, ORIGIN, signInRequest } from './testing';
import { addUser } from './users';

let dep: TestDeployment;
const deps = () => authTestDeps(dep);

beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  await addUser(deps(), { username: 'carol', role: 'viewer', password: 'carol-password-1' });
});
afterAll(() => dep?.close());
afterEach(() => vi.unstubAllEnvs());

const signedIn = async () => cookieFrom(await handleAuthRequest(signInRequest('carol', 'carol-password-1'), deps()));
const form = (cookie: string, headers: Record<string, string>) =>
  new Request(`${ORIGIN}/sign-out`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: '' });
const stillSignedIn = async (cookie: string) => 'principal' in (await resolvePrincipal(deps(), new Headers({ cookie })));

describe('the sign-out form and where it came from', () => {
  it('refuses a foreign Origin that a client-sent X-Forwarded-Host names (no trusted proxy hops), and keeps the session', async () => {
    vi.stubEnv('CELLAR_TRUSTED_PROXY_HOPS', '0');
    const cookie = await signedIn();
    const res = await handleSignOutForm(form(cookie, { host: '127.0.0.1:3000', origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' }), deps());
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('Signing out must come from this site.\n');
    expect(await stillSignedIn(cookie)).toBe(true);
  });

  it('refuses a cross-site Sec-Fetch-Site and a null Origin', async () => {
    const cookie = await signedIn();
    const refused: Record<string, string>[] = [{ origin: ORIGIN, 'sec-fetch-site': 'cross-site' }, { origin: 'null' }, { origin: 'not an origin' }];
    for (const headers of refused) {
      expect((await handleSignOutForm(form(cookie, headers), deps())).status, JSON.stringify(headers)).toBe(403);
    }
    expect(await stillSignedIn(cookie)).toBe(true);
  });

  it('takes the public host from X-Forwarded-Host behind trusted proxies (CELLAR_TRUSTED_PROXY_HOPS=1)', async () => {
    vi.stubEnv('CELLAR_TRUSTED_PROXY_HOPS', '1');
    const cookie = await signedIn();
    const proxied = { host: '10.0.0.5:3000', 'x-forwarded-host': 'cellar.example.com' };
    expect((await handleSignOutForm(form(cookie, { ...proxied, origin: 'https://evil.example' }), deps())).status).toBe(403);
    const res = await handleSignOutForm(form(cookie, { ...proxied, origin: 'http://cellar.example.com' }), deps());
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in');
    expect(await stillSignedIn(cookie)).toBe(false);
  });

  it('signs out from the console itself (same-origin)', async () => {
    const cookie = await signedIn();
    const res = await handleSignOutForm(form(cookie, { host: '127.0.0.1:3000', origin: ORIGIN, 'sec-fetch-site': 'same-origin' }), deps());
    expect(res.status).toBe(303);
    expect(await stillSignedIn(cookie)).toBe(false);
  });
});
