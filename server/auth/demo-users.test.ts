import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { handleAuthRequest } from './auth-handler';
import { DEMO_USERS, ensureDemoUsers, signInNotes } from './demo-users';
import { authTestDeps, signInRequest } from './testing';
import { listUsers, removeUser } from './users';

let dep: TestDeployment;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
});
afterAll(() => dep?.close());

describe('demo users', () => {
  it('a configured (not embedded demo) installation gets none, and the sign-in page says there are no users', async () => {
    await dep.api.sql`insert into cellar.installation (id, notes) values (1, '{"embedded": false, "demo": false}'::jsonb)`;
    expect(await ensureDemoUsers(dep.api)).toBe(false);
    expect(await listUsers({ api: dep.api })).toEqual([]);
    expect(await signInNotes(dep.api)).toEqual({ hasUsers: false, demoUsers: null });
  });

  it('the embedded demo gets one user per role, once: a removed demo user stays removed', async () => {
    await dep.api.sql`update cellar.installation set notes = '{"embedded": true, "demo": true}'::jsonb where id = 1`;
    const [a, b] = await Promise.all([ensureDemoUsers(dep.api), ensureDemoUsers(dep.api)]);
    expect(a || b).toBe(true);
    expect((await listUsers({ api: dep.api })).map((u) => [u.username, u.role])).toEqual([
      ['operator', 'operator'],
      ['support', 'support'],
      ['viewer', 'viewer'],
    ]);
    for (const u of DEMO_USERS) expect((await handleAuthRequest(signInRequest(u.username, u.password), authTestDeps(dep))).status).toBe(200);
    expect(await signInNotes(dep.api)).toEqual({ hasUsers: true, demoUsers: DEMO_USERS });

    await removeUser({ api: dep.api }, { username: 'viewer' });
    expect(await ensureDemoUsers(dep.api)).toBe(false);
    expect((await listUsers({ api: dep.api })).map((u) => u.username)).toEqual(['operator', 'support']);
  });
});
