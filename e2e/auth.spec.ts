/**
 * Access control in the browser: sign-in per demo role and what each role is offered, a
 * support user forcing an operator action through the API (refused, and audited), an
 * automation token, sign-out, the security headers, and no secret on any page a viewer
 * or a support user can open.
 */
import { type APIResponse, type BrowserContext, request as playwrightRequest } from '@playwright/test';
import { DEMO_USERS, type DemoRole, demoDatabasePassword, expect, signedInAs, test } from './fixtures';

const CELL1 = '5c5b9a4e-1f0d-4c39-9a7e-2a51d5c8e101';
const SIGNED_OUT = { cookies: [], origins: [] };
const json = { 'content-type': 'application/json' };

async function trpcMessage(res: APIResponse): Promise<string> {
  return ((await res.json()) as { error: { json: { message: string } } }).error.json.message;
}

test.describe('signed out', () => {
  test.use({ storageState: SIGNED_OUT });

  test('a page sends you to sign in, which lists the demo users as demo only, and comes back after', async ({ page }) => {
    await page.goto('/hosts?host=cmp');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fhosts%3Fhost%3Dcmp$/);
    const demo = page.getByRole('region', { name: 'Demo users' });
    await expect(demo).toContainText('Demo only');
    for (const [role, password] of Object.entries(DEMO_USERS)) {
      await expect(demo.getByRole('row').filter({ hasText: role })).toContainText(password);
    }
    await expect(page.getByRole('region', { name: 'No users yet' })).toHaveCount(0);

    await page.getByLabel('User name').fill('viewer');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toHaveText('Wrong user name or password.');

    await page.getByLabel('Password').fill(DEMO_USERS.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/hosts\?host=cmp$/);
    await expect(page.getByRole('heading', { name: 'Host mappings' })).toBeVisible();
  });

  test('the API answers 401 with a plain message; /api/health stays public', async ({ request }) => {
    const res = await request.get('/api/trpc/cells.list');
    expect(res.status()).toBe(401);
    expect(await trpcMessage(res)).toBe('Sign in first.');
    const health = await request.get('/api/health');
    expect(health.status()).toBe(200);
    expect(await health.text()).not.toContain(demoDatabasePassword());
  });
});

test.describe('each demo role sees only its actions', () => {
  const expected: Record<DemoRole, { users: boolean }> = { viewer: { users: false }, support: { users: false }, operator: { users: true } };
  for (const role of Object.keys(expected) as DemoRole[]) {
    test(`${role}`, async ({ browser }) => {
      const context = await signedInAs(browser, role);
      const page = await context.newPage();
      await page.goto('/');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Audit' })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(expected[role].users ? 1 : 0);
      await expect(nav.getByRole('link', { name: 'Tokens' })).toHaveCount(expected[role].users ? 1 : 0);
      await expect(page.getByRole('region', { name: 'Signed in' })).toContainText(`Signed in as ${role} (${role})`);

      await page.goto('/users');
      if (expected[role].users) {
        await expect(page.getByRole('form', { name: 'Add a user' })).toBeVisible();
        await expect(page.getByRole('table', { name: 'Users' }).getByRole('rowheader', { name: /^viewer/ })).toBeVisible();
      } else {
        await expect(page.getByText('Only operators manage users.')).toBeVisible();
        await expect(page.getByRole('form', { name: 'Add a user' })).toHaveCount(0);
        // Hidden in the page, and refused by the server anyway.
        const res = await context.request.get('/api/trpc/auth.users.list');
        expect(res.status()).toBe(403);
        expect(await trpcMessage(res)).toBe(`This needs the operator role; you are signed in as ${role}.`);
      }
      await context.close();
    });
  }
});

test('a support user forcing a cell delete through the API is refused, and the refusal is in the audit page', async ({ browser, api }) => {
  const context = await signedInAs(browser, 'support');
  const res = await context.request.post('/api/trpc/cells.delete', { headers: json, data: { json: { uuid: CELL1, force: true } } });
  expect(res.status()).toBe(403);
  expect(await trpcMessage(res)).toBe('This needs the operator role; you are signed in as support.');
  const [cell] = await api<{ n: number }[]>`select count(*)::int as n from cell_mappings where uuid = ${CELL1}`;
  expect(cell!.n).toBe(1);

  const page = await context.newPage();
  await page.goto('/audit?action=cells.delete&outcome=refused');
  const row = page.getByRole('table', { name: 'Audit log' }).getByRole('row').filter({ hasText: 'support (user)' }).first();
  await expect(row).toContainText('cells.delete');
  await expect(row).toContainText(`cell ${CELL1}`);
  await expect(row).toContainText('refused');
  await expect(row).toContainText('This needs the operator role; you are signed in as support.');
  await context.close();
});

test('mutations are POST with a JSON body only', async ({ request }) => {
  const asGet = await request.get(`/api/trpc/cells.delete?input=${encodeURIComponent(JSON.stringify({ json: { uuid: CELL1 } }))}`);
  expect(asGet.status()).toBe(405);
  const asForm = await request.post('/api/trpc/cells.delete', { form: { uuid: CELL1 } });
  expect(asForm.status()).toBe(415);
  const asText = await request.post('/api/trpc/cells.delete', { headers: { 'content-type': 'text/plain' }, data: JSON.stringify({ json: { uuid: CELL1 } }) });
  expect(asText.status()).toBe(415);
});

test('a token made on the tokens page works for a script, appears in the audit with its name, and stops when revoked', async ({ page, baseURL }) => {
  await page.goto('/tokens');
  const form = page.getByRole('form', { name: 'Create a token' });
  await form.getByLabel('Name').fill('e2e-script');
  await form.getByLabel('Role').selectOption('operator');
  await form.getByLabel('Expires after').selectOption('1');
  await form.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('token-secret').textContent())!;
  expect(secret).toMatch(/^cellar_/);

  const script = await playwrightRequest.newContext({ baseURL, storageState: SIGNED_OUT, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
  try {
    expect((await script.get('/api/trpc/cells.list')).status()).toBe(200);
    const reveal = await script.post('/api/trpc/auth.revealUrls', { headers: json, data: { json: { uuid: CELL1 } } });
    expect(reveal.status()).toBe(200);
    expect(await reveal.text()).toContain('{scheme}://{username}:{password}@{hostname}:{port}/cell1');

    await page.goto('/audit?actor=e2e-script');
    const row = page.getByRole('table', { name: 'Audit log' }).getByRole('row').filter({ hasText: 'auth.revealUrls' });
    await expect(row).toContainText('e2e-script (token)');
    await expect(row).toContainText('operator');
    await expect(row).toContainText('done');
    await expect(row).toContainText(`cell ${CELL1}`);

    await page.goto('/tokens');
    await page.getByRole('button', { name: 'Revoke e2e-script' }).click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await expect(page.getByRole('table', { name: 'Tokens' }).getByRole('row').filter({ hasText: 'e2e-script' })).toContainText('revoked');
    const after = await script.get('/api/trpc/cells.list');
    expect(after.status()).toBe(401);
    expect(await trpcMessage(after)).toBe('The token e2e-script was revoked; ask an operator for a new one.');
  } finally {
    await script.dispose();
  }
  expect(await page.content()).not.toContain(secret);
});

test('sign-out ends the session: the page goes to sign-in and the old cookie is refused', async ({ browser, baseURL }) => {
  const context = await signedInAs(browser, 'viewer');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name.endsWith('cellar.session_token'))!;
  expect(session.httpOnly).toBe(true);
  expect(session.sameSite).toBe('Lax');
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);

  const replay = await playwrightRequest.newContext({ baseURL, storageState: SIGNED_OUT, extraHTTPHeaders: { cookie: `${session.name}=${session.value}` } });
  try {
    const res = await replay.get('/api/trpc/cells.list');
    expect(res.status()).toBe(401);
    expect(await trpcMessage(res)).toBe('Your session has ended; sign in again.');
    const pageRes = await replay.get('/', { maxRedirects: 0 });
    expect(pageRes.status()).toBe(307);
    expect(pageRes.headers().location).toMatch(/^\/sign-in\?next=%2F&ended=1$/);
  } finally {
    await replay.dispose();
  }
  await context.close();
});

test('pages carry the security headers and a nonce-based CSP that the console runs under without violations', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
  });
  const res = await page.goto('/');
  const h = res!.headers();
  expect(h['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(h['content-security-policy']).not.toContain('unsafe-inline');
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['referrer-policy']).toBe('strict-origin-when-cross-origin');
  await expect(page.getByRole('table', { name: 'Cells' })).toBeVisible();
  // The page is interactive, so Next's scripts ran under the policy.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit' })).toBeVisible();
  expect(violations).toEqual([]);
});

test.describe('no secret on any page a viewer or a support user can open', () => {
  for (const role of ['viewer', 'support'] as const) {
    test(`${role}`, async ({ browser, request }) => {
      // A token secret exists (made by the operator), and the embedded server's password.
      const created = await request.post('/api/trpc/auth.tokens.create', {
        headers: json,
        data: { json: { name: `scan-${role}`, role: 'support', expiresInDays: 1 } },
      });
      expect(created.status()).toBe(200);
      const tokenSecret = ((await created.json()) as { result: { data: { json: { secret: string } } } }).result.data.json.secret;
      const needles = { 'database password': demoDatabasePassword(), 'token secret': tokenSecret };
      for (const n of Object.values(needles)) expect(n.length).toBeGreaterThan(8);

      const context: BrowserContext = await signedInAs(browser, role);
      const page = await context.newPage();
      const bodies: Promise<string>[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/api/')) bodies.push(r.text().catch(() => ''));
      });
      await page.goto('/');
      const links = await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link')
        .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).pathname));
      expect(links.length).toBeGreaterThanOrEqual(4);
      for (const href of [...new Set(links)]) {
        await page.goto(href);
        await page.waitForLoadState('networkidle');
        const html = await page.content();
        for (const [what, needle] of Object.entries(needles)) expect(html.includes(needle), `${href} shows the ${what}`).toBe(false);
      }
      const api = (await Promise.all(bodies)).join('\n');
      for (const [what, needle] of Object.entries(needles)) expect(api.includes(needle), `an API answer shows the ${what}`).toBe(false);
      await context.close();
    });
  }
});
