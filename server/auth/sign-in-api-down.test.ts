/**
 * Signing in with the api database stalled or stopped, on real PostgreSQL behind a proxy:
 * the sign-in endpoint answers 503 with the plain message within the api pool's bounds
 * (not a 500, not a wait as long as the stall), the sign-in page's notes say the same
 * instead of failing, and both work again once the database is back, from the same handle
 * (better-auth's instance is not left failed either).
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_DOWN_MESSAGE } from '@/db/api-unavailable';
import { parseConfig } from '@/db/config';
import { type ApiHandle, DOWN_RETRY_MS, IN_USE_CLOSE_MS, openApiDatabase } from '@/db/connect';
import { apiPoolOptions } from '@/db/runtime';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { behindProxy, type SwitchableProxy } from '@/db/testing/network';
import { handleAuthRequest } from './auth-handler';
import { signInPageNotes } from './sign-in-page';
import { authTestDeps, signInRequest } from './testing';
import { addUser } from './users';

const BOUNDS = apiPoolOptions(parseConfig({ CELLAR_API_STATEMENT_TIMEOUT_MS: '500', CELLAR_API_CONNECT_TIMEOUT_S: '1' }, os.tmpdir()));
const STALL_MS = BOUNDS.stallTimeoutMs!;
const SLACK_MS = 750;
const RECOVERY_MS = IN_USE_CLOSE_MS + DOWN_RETRY_MS + SLACK_MS;

let dep: TestDeployment;
let proxy: SwitchableProxy;
let proxiedUrl: string;
const handles: ApiHandle[] = [];

beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  await addUser(authTestDeps(dep), { username: 'carol', role: 'viewer', password: 'carol-password-1' });
  ({ proxy, url: proxiedUrl } = await behindProxy(dep.apiUrl));
});
afterAll(async () => {
  for (const h of handles) await h.close();
  await proxy?.close();
  await dep?.close();
});

/** The api database through the proxy, with the api pool's bounds: a handle of its own, so better-auth starts afresh on it. */
function proxiedApi(): ApiHandle {
  const api = openApiDatabase(proxiedUrl, { ...BOUNDS, max: 2 });
  handles.push(api);
  return api;
}

async function signIn(api: ApiHandle, address: string) {
  const started = performance.now();
  const res = await handleAuthRequest(signInRequest('carol', 'carol-password-1', { address }), { ...authTestDeps(dep), api });
  return {
    status: res.status,
    body: (await res.json()) as { message?: string; code?: string },
    retryAfter: res.headers.get('retry-after'),
    ms: performance.now() - started,
  };
}

async function eventually<T>(attempt: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
  const started = performance.now();
  let last = await attempt();
  while (!done(last) && performance.now() - started < RECOVERY_MS) {
    await new Promise((r) => setTimeout(r, 50));
    last = await attempt();
  }
  return last;
}

describe('signing in when the api database does not answer', () => {
  it('answers 503 with the plain message within the bound while the database is stalled, and signs in again once it is back', async () => {
    const api = proxiedApi();
    // Signed in once: the pool's connections are open and better-auth is started on this handle.
    expect((await signIn(api, '192.0.2.31')).status).toBe(200);
    await proxy.set('stall');
    const down = await signIn(api, '192.0.2.31');
    expect(down).toMatchObject({ status: 503, body: { code: 'API_DATABASE_DOWN', message: API_DOWN_MESSAGE }, retryAfter: '5' });
    expect(down.ms).toBeLessThan(STALL_MS + SLACK_MS);
    await proxy.set('pass');
    const back = await eventually(
      () => signIn(api, '192.0.2.31'),
      (r) => r.status === 200,
    );
    expect(back.status).toBe(200);
  }, 20_000);

  it('answers 503 when better-auth cannot even start (a new handle, the database stopped), and starts once it is back', async () => {
    const api = proxiedApi();
    await proxy.set('refuse');
    const down = await signIn(api, '192.0.2.32');
    expect(down).toMatchObject({ status: 503, body: { message: API_DOWN_MESSAGE } });
    expect(down.ms).toBeLessThan(SLACK_MS);
    await proxy.set('pass');
    const back = await eventually(
      () => signIn(api, '192.0.2.32'),
      (r) => r.status === 200,
    );
    expect(back.status).toBe(200);
  }, 20_000);

  it("the sign-in page's notes say the api database does not answer instead of failing, within the bound", async () => {
    const api = proxiedApi();
    expect(await signInPageNotes({ api })).toEqual({ hasUsers: true, demoUsers: null, apiDown: null });
    await proxy.set('stall');
    const started = performance.now();
    expect(await signInPageNotes({ api })).toEqual({ hasUsers: true, demoUsers: null, apiDown: API_DOWN_MESSAGE });
    expect(performance.now() - started).toBeLessThan(STALL_MS + SLACK_MS);
    await proxy.set('pass');
    const back = await eventually(
      () => signInPageNotes({ api }),
      (n) => n.apiDown === null,
    );
    expect(back.apiDown).toBeNull();
  }, 20_000);
});
