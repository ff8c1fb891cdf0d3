/**
 * cell0's list as one data table: sorted by Age on the server (cell0's own order, checked
 * against its database), paged forwards and back by keyset markers in the URL, its columns
 * chosen, and exported as shown.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { exportBoth, sortButton } from './export-files';
import { expect, test } from './fixtures';

function cell0Sql(): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database: 'cell0', max: 1, onnotice: () => {} });
}

/** cell0's live instances as nova orders them by created_at (a missing one oldest), newest first. */
async function newestFirst(): Promise<{ uuid: string; name: string | null }[]> {
  const sql = cell0Sql();
  try {
    return await sql<{ uuid: string; name: string | null }[]>`
      select uuid, display_name as name from instances where deleted = 0
      order by coalesce(created_at, '-infinity'::timestamp) desc, uuid desc`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

const table = (page: Page) => page.getByRole('table', { name: 'cell0 instances' });
const pager = (page: Page) => page.getByRole('navigation', { name: 'Pages of cell0 instances' });
const shown = (page: Page) =>
  table(page)
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-uuid') ?? ''));

/** Walk every page forwards with Next, then back with Previous; each page as the user saw it. */
async function walk(page: Page, size: number) {
  const forwards: string[][] = [];
  for (;;) {
    await expect(table(page).locator('tbody tr').first()).toBeVisible();
    const uuids = await shown(page);
    forwards.push(uuids);
    const next = pager(page).getByRole('button', { name: 'Next page' });
    if ((await next.count()) === 0) break;
    expect(uuids).toHaveLength(size);
    await next.click();
    // The page before stays on screen while the next loads.
    await expect.poll(() => shown(page)).not.toEqual(uuids);
  }
  const backwards: string[][] = [await shown(page)];
  while ((await pager(page).getByRole('button', { name: 'Previous page' }).count()) > 0) {
    const now = await shown(page);
    await pager(page).getByRole('button', { name: 'Previous page' }).click();
    await expect(page).toHaveURL(/[?&]back=true/);
    await expect.poll(() => shown(page)).not.toEqual(now);
    backwards.unshift(await shown(page));
  }
  await expect(pager(page).getByText('Previous page')).toHaveAttribute('aria-disabled', 'true');
  return { forwards, backwards };
}

test.describe('cell0 instances table', () => {
  test('newest first; Age sorts oldest first on the server; pages go forwards and back, each page as it was', async ({ page }) => {
    const truth = await newestFirst();
    // Paging is only shown by a cell0 holding more than one page.
    expect(truth.length).toBeGreaterThan(10);
    await page.goto('/cell0?refresh=false&size=10');
    await expect(table(page).locator('thead th').filter({ hasText: /^Age/ })).toHaveAttribute('aria-sort', 'ascending');

    const newest = await walk(page, 10);
    expect(newest.forwards.flat()).toEqual(truth.map((t) => t.uuid));
    expect(newest.backwards).toEqual(newest.forwards);

    await sortButton(table(page), 'Age').click();
    await expect(page).toHaveURL(/[?&]sort=age&dir=desc|[?&]dir=desc&sort=age/);
    await expect(page).not.toHaveURL(/[?&]marker=/);
    await expect(table(page).locator('thead th').filter({ hasText: /^Age/ })).toHaveAttribute('aria-sort', 'descending');
    await expect.poll(() => shown(page).then((u) => u[0])).toBe(truth.at(-1)!.uuid);
    const oldest = await walk(page, 10);
    expect(oldest.forwards.flat()).toEqual([...truth].reverse().map((t) => t.uuid));
    expect(oldest.backwards).toEqual(oldest.forwards);

    // The order and the page are in the URL: a reload shows the same rows.
    await pager(page).getByRole('button', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/[?&]marker=/);
    const second = await shown(page);
    await page.reload();
    await expect.poll(() => shown(page)).toEqual(second);
  });

  test('the columns shown are in the URL, and the export holds the rows and columns in view', async ({ page }) => {
    const truth = await newestFirst();
    await page.goto('/cell0?refresh=false&size=10');
    await expect(table(page).locator('tbody tr').first()).toBeVisible();
    await page.locator('summary', { hasText: 'Columns' }).click();
    await page.getByRole('group', { name: 'Columns shown in cell0 instances' }).getByRole('checkbox', { name: 'Image' }).uncheck();
    await expect(page).toHaveURL(/[?&]cols=/);
    await expect(
      table(page)
        .locator('thead th')
        .filter({ hasText: /^Image/ }),
    ).toHaveCount(0);

    const { csv, json } = await exportBoth(page, 'cell0 instances');
    const [header, ...records] = csv;
    expect(header).toEqual(['Instance', 'UUID', 'Latest fault', 'Flavor', 'Project', 'User', 'Age']);
    expect(records.map((r) => r[1])).toEqual(truth.slice(0, 10).map((t) => t.uuid));
    expect(records.map((r) => r[0])).toEqual(truth.slice(0, 10).map((t) => t.name ?? ''));
    expect(json.complete).toBe(true);
    expect(json.rows.map((r) => r.uuid)).toEqual(truth.slice(0, 10).map((t) => t.uuid));
    // No checkbox or action column is exported.
    expect(json.columns.map((c) => c.id)).not.toContain('select');
    expect(json.columns.map((c) => c.id)).not.toContain('actions');
  });
});
