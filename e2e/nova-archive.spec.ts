/**
 * The archive page on the console of a deployment nova made (e2e/nova/serve-nova.ts): the
 * demo's cells are Cellar-made and have no shadow tables, so archive_deleted_rows can only
 * be shown where nova's migrations made them. The spec soft-deletes instances of its own
 * (a unique tag, deleted in 2001) and archives and purges only those (--before 2001-06-01),
 * so nova's own rows, which the other nova spec reads, stay as they were.
 */
import crypto from 'node:crypto';
import { expect, type Page, test } from '@playwright/test';
import type postgres from 'postgres';
import { ROWS_PER_INSTANCE, seedDeletedInstances, taggedCounts } from '../server/archive/testing';
import { databaseSql, type NovaState, readNovaState, signedInAs } from './nova/state';

const COUNT = 6;
const tag = `e2e-arc-${crypto.randomBytes(3).toString('hex')}`;
let nova: NovaState;
let cell1: postgres.Sql;
let api: postgres.Sql;
let uuids: string[];

test.beforeAll(async () => {
  nova = readNovaState();
  cell1 = databaseSql(nova, 'cell1');
  api = databaseSql(nova, 'api');
  const [c] = await api<{ id: number }[]>`select id from cell_mappings where uuid = ${nova.facts.cells.cell1.uuid}`;
  uuids = (await seedDeletedInstances(cell1, api, { tag, count: COUNT, deletedAt: '2001-01-01 00:00:00', cellId: c!.id })).uuids;
});
test.afterAll(async () => {
  await cell1?.end({ timeout: 2 });
  await api?.end({ timeout: 2 });
});

async function open(page: Page) {
  await page.goto('/archive');
  await expect(page.getByRole('heading', { name: 'Archive and purge', level: 1 })).toBeVisible();
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

test('dry run counts the rows per cell and table, the archive job moves them, the dry run then finds none; purge the same', async ({ browser, baseURL }) => {
  const context = await signedInAs(browser, nova.users.operator, baseURL!);
  const page = await context.newPage();
  try {
    await open(page);
    const archive = page.getByRole('region', { name: 'Archive deleted rows' });
    await archive.getByLabel('Deleted before (UTC, optional)').fill('2001-06-01');
    await archive.getByRole('button', { name: 'Dry run' }).click();
    await expect(archive.getByRole('status', { name: 'Rows to archive total' })).toHaveText(`${COUNT * ROWS_PER_INSTANCE} rows in 1 cells.`);
    const table = archive.getByRole('table', { name: 'Rows to archive' });
    const row = (cell: string, t: string) =>
      table
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: cell, exact: true }) })
        .filter({ hasText: t });
    await expect(row('cell1', 'instance_actions_events')).toContainText(String(COUNT));
    await expect(row('cell1', 'instance_system_metadata')).toContainText(String(2 * COUNT));
    await expect(row('API_DB', 'instance_mappings')).toContainText(String(COUNT));
    expect((await taggedCounts(cell1, tag)).instances).toBe(COUNT); // the dry run changed nothing

    await archive.getByRole('button', { name: 'Archive', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Archive deleted rows' });
    await expect(dialog).toContainText(`${COUNT * ROWS_PER_INSTANCE} rows move to the shadow tables (deleted before 2001-06-01)`);
    await dialog.getByRole('button', { name: 'Archive' }).click();
    await expect(archive.getByRole('status', { name: 'Archive state' })).toHaveText('Done', { timeout: 30_000 });
    await expect(archive.getByRole('list', { name: 'Archive cells' })).toContainText(`cell1: done · ${COUNT * ROWS_PER_INSTANCE} rows`);

    await archive.getByRole('button', { name: 'Dry run' }).click();
    await expect(archive.getByRole('status', { name: 'Rows to archive total' })).toHaveText('Nothing to do.');
    expect(await taggedCounts(cell1, tag)).toMatchObject({ instances: 0, shadow_instances: COUNT, shadow_instance_actions_events: COUNT });
    const [left] = await api<{ n: number }[]>`select count(*)::int as n from instance_mappings where instance_uuid = any(${uuids})`;
    expect(left!.n).toBe(0);

    const purge = page.getByRole('region', { name: 'Purge shadow tables' });
    await purge.getByLabel('Older than (UTC; empty: all)').fill('2001-06-01');
    await purge.getByRole('button', { name: 'Purge dry run' }).click();
    // instance_actions and their events are purged by created_at (nova's rule): the seed's are recent, so they stay.
    await expect(purge.getByRole('table', { name: 'Rows to purge' }).getByRole('row').filter({ hasText: 'shadow_instances' }).first()).toContainText(
      String(COUNT),
    );
    await purge.getByRole('button', { name: 'Purge', exact: true }).click();
    await page.getByRole('dialog', { name: 'Purge shadow tables' }).getByRole('button', { name: 'Purge' }).click();
    await expect(purge.getByRole('status', { name: 'Purge state' })).toHaveText('Done', { timeout: 30_000 });
    await purge.getByRole('button', { name: 'Purge dry run' }).click();
    await expect(purge.getByRole('status', { name: 'Rows to purge total' })).toHaveText('Nothing to do.');
    expect((await taggedCounts(cell1, tag)).shadow_instances).toBe(0);
  } finally {
    await context.close();
  }
});
