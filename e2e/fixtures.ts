import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, test as base, expect as baseExpect } from '@playwright/test';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
export { closedPort, silentServer } from '../db/testing/network';

/** The e2e console's api database (the embedded cluster it started), for arranging scenarios. */
export function apiSql(): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database: 'api', max: 2, onnotice: () => {} });
}

/** Run the real `cellar` CLI against the e2e console's embedded server (it adopts the running one). */
export function cellarCli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.resolve('bin/cellar.mjs'), ...args], {
    env: { ...process.env, CELLAR_DATA_DIR: E2E_DATA_DIR, CELLAR_API_DATABASE_URL: '', CELLAR_DATABASE_URL: '' },
    encoding: 'utf8',
  });
  return { code: r.status ?? 1, stdout: r.stdout.trimEnd(), stderr: r.stderr.trimEnd() };
}

/** The embedded demo's users (README, sign-in page): demo only. */
export const DEMO_USERS = {
  viewer: 'viewer-demo-password',
  support: 'support-demo-password',
  operator: 'operator-demo-password',
} as const;
export type DemoRole = keyof typeof DEMO_USERS;

/** A fresh browser context signed in as a demo user through the sign-in page (specs start as the operator otherwise). */
export async function signedInAs(browser: Browser, role: DemoRole): Promise<BrowserContext> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('User name').fill(role);
  await page.getByLabel('Password').fill(DEMO_USERS[role]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await baseExpect(page.getByRole('region', { name: 'Signed in' })).toContainText(`Signed in as ${role} (${role})`);
  await page.close();
  return context;
}

/** The embedded cluster's own password (the one the demo's template cell URLs expand with). */
export function demoDatabasePassword(): string {
  return (JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { password: string }).password;
}

export const test = base.extend<{ api: postgres.Sql; failOnPageErrors: undefined }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixture signature
  api: async ({}, use) => {
    const sql = apiSql();
    await use(sql);
    await sql.end({ timeout: 2 });
  },
  // An error thrown in the page (a hydration mismatch, a crash in a component) fails the
  // spec that saw it, even when what it checks still shows: users would see it break.
  failOnPageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message.slice(0, 500)));
      await use(undefined);
      baseExpect(errors, 'errors thrown in the page').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect } from '@playwright/test';
