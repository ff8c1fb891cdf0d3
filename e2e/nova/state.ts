/**
 * For the nova specs: what serve-nova.ts wrote, signing in as its users, and the clone's
 * databases (read with nova's own URLs from nova-e2e.json).
 */
import fs from 'node:fs';
import { type Browser, type BrowserContext, expect } from '@playwright/test';
import postgres from 'postgres';
import type { NovaFacts } from '../../db/testing/nova/nova-deployment';
import { NOVA_E2E_FILE, type NovaE2eState, type NovaE2eUser } from './paths';

export type NovaState = NovaE2eState<NovaFacts>;

/** nova-e2e.json, written by serve-nova.ts before the console started. */
export function readNovaState(): NovaState {
  if (!fs.existsSync(NOVA_E2E_FILE)) throw new Error(`${NOVA_E2E_FILE} is missing: the nova webServer (e2e/nova/serve-nova.ts) did not start`);
  return JSON.parse(fs.readFileSync(NOVA_E2E_FILE, 'utf8')) as NovaState;
}

/** A fresh browser context signed in through the sign-in page as one of serve-nova's users. */
export async function signedInAs(browser: Browser, user: NovaE2eUser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('User name').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('region', { name: 'Signed in' })).toContainText(`Signed in as ${user.username} (${user.role})`);
  await page.close();
  return context;
}

/** One of the clone's databases, read-only use in the specs. */
export function databaseSql(state: NovaState, role: keyof NovaState['databases']): postgres.Sql {
  return postgres(state.databases[role].url, { max: 1, onnotice: () => {} });
}

/** A URL with its password shown as ****, as nova-manage cell_v2 list_cells masks it (host, port and path kept). */
export function masked(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:****@');
}

/** The password in a URL, decoded ('' when there is none). */
export function passwordOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]*)@/i.exec(url);
  return m ? decodeURIComponent(m[1]!) : '';
}
