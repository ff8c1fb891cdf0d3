import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { cellarCli, closedPort, expect, test } from './fixtures';

const ZERO = '00000000-0000-0000-0000-000000000000';

/** A cell database of the e2e deployment (the embedded cluster holds cell0, cell1, cell2). */
function cellSql(database: string): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 1, onnotice: () => {} });
}

/** The merged list as the page should show it, computed here from each cell's own rows. */
async function expectedOrder(): Promise<string[]> {
  const rows: { uuid: string; at: string }[] = [];
  for (const db of ['cell0', 'cell1', 'cell2']) {
    const sql = cellSql(db);
    try {
      const r = await sql<{ uuid: string; at: string }[]>`
        select uuid, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') as at from instances
        where deleted = 0 and hidden is not true and uuid <> ${ZERO}`;
      rows.push(...r);
    } finally {
      await sql.end({ timeout: 2 });
    }
  }
  return rows.sort((a, b) => (a.at === b.at ? (a.uuid < b.uuid ? -1 : 1) : a.at < b.at ? 1 : -1)).map((r) => r.uuid);
}

test.describe('Instances', () => {
  test('lists every cell newest first, with cell, status and flavor, and pages by marker in the URL', async ({ page }) => {
    const expected = await expectedOrder();
    await page.goto('/instances');
    await expect(page.getByRole('heading', { name: 'Instances', level: 1 })).toBeVisible();
    const table = page.getByRole('table', { name: 'Instances' });
    await expect(table.getByRole('row')).toHaveCount(51);
    const shown = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-instance-uuid')));
    expect(shown).toEqual(expected.slice(0, 50));
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 3 cells answered');
    for (const cell of ['cell0', 'cell1', 'cell2']) await expect(table.getByRole('link', { name: cell, exact: true }).first()).toBeVisible();

    await page.getByRole('combobox', { name: 'Page size' }).selectOption('20');
    await expect(page).toHaveURL(/limit=20/);
    await expect(table.locator('tbody tr')).toHaveCount(20);
    await page.getByRole('navigation', { name: 'Pagination' }).getByRole('link', { name: 'Next page' }).click();
    await expect(page).toHaveURL(new RegExp(`marker=${expected[19]}`));
    await expect(table.locator('tbody tr').first()).toHaveAttribute('data-instance-uuid', expected[20]!);
    await expect(table.locator('tbody tr')).toHaveCount(Math.min(20, expected.length - 20));
    await page.getByRole('link', { name: 'First page' }).click();
    await expect(table.locator('tbody tr').first()).toHaveAttribute('data-instance-uuid', expected[0]!);
  });

  test('filters by vm_state from the URL and shows nova statuses', async ({ page }) => {
    await page.goto('/instances?vm_state=stopped');
    const table = page.getByRole('table', { name: 'Instances' });
    await expect(table.locator('tbody tr').first()).toBeVisible();
    const statuses = await table.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s.trim()).toBe('SHUTOFF');
    await expect(page.getByRole('combobox', { name: 'VM state' })).toHaveValue('stopped');

    await page.goto('/instances?vm_state=error&limit=5');
    await expect(table.locator('tbody tr').first()).toBeVisible();
    for (const s of await table.locator('tbody tr td:nth-child(4)').allTextContents()) expect(s.trim()).toBe('ERROR');
    // cell0's graveyard: the flavor comes from the embedded copy
    await expect(table.locator('tbody tr td:nth-child(5)').first()).not.toHaveText('—');

    await page.goto('/instances?name=zz-no-such-name');
    await expect(page.getByText('No instances match these filters')).toBeVisible();
  });

  test('looks up a uuid and shows each verify_instance outcome in plain words', async ({ page, api }) => {
    const cell1 = cellSql('cell1');
    const ours: string[] = [];
    const made = (uuid: string) => {
      ours.push(uuid);
      return uuid;
    };
    const archived = made(crypto.randomUUID());
    try {
      const [active] = await cell1<
        { uuid: string }[]
      >`select uuid from instances where deleted = 0 and vm_state = 'active' and uuid <> ${ZERO} order by created_at limit 1`;
      const [deleted] = await cell1<{ uuid: string }[]>`select uuid from instances where deleted <> 0 and uuid <> ${ZERO} order by created_at limit 1`;
      // The demo's pending build request and orphaned mapping; other specs may have consumed them, so make our own if so.
      let [pending] = await api<{ instance_uuid: string }[]>`
        select b.instance_uuid from build_requests b join instance_mappings m on m.instance_uuid = b.instance_uuid
        where m.cell_id is null order by b.created_at desc limit 1`;
      if (!pending) {
        pending = { instance_uuid: made(crypto.randomUUID()) };
        await api`insert into instance_mappings (instance_uuid, cell_id, project_id) values (${pending.instance_uuid}, null, 'p-e2e')`;
        await api`insert into build_requests (instance_uuid, project_id, instance) values (${pending.instance_uuid}, 'p-e2e', null)`;
      }
      let [orphan] = await api<{ instance_uuid: string }[]>`
        select m.instance_uuid from instance_mappings m left join build_requests b on b.instance_uuid = m.instance_uuid
        where m.cell_id is null and b.id is null and m.project_id <> 'INSTANCE_MIGRATION_MARKER' limit 1`;
      if (!orphan) {
        orphan = { instance_uuid: made(crypto.randomUUID()) };
        await api`insert into instance_mappings (instance_uuid, cell_id, project_id, queued_for_delete) values (${orphan.instance_uuid}, null, 'p-e2e', true)`;
      }
      const [cell1Row] = await api<{ id: number; uuid: string }[]>`select id, uuid from cell_mappings where name = 'cell1'`;
      await api`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id) values (${archived}, ${cell1Row!.id}, 'p-e2e', 'u-e2e')`;

      const lookUp = async (uuid: string, heading: string, text: string | RegExp) => {
        await page.getByRole('textbox', { name: 'Instance uuid' }).fill(uuid);
        await page.getByRole('button', { name: 'Look up' }).click();
        const result = page.getByRole('region', { name: 'Lookup result' });
        await expect(result.getByRole('heading', { name: heading })).toBeVisible();
        await expect(result).toContainText(uuid);
        await expect(result).toContainText(text);
        return result;
      };

      await page.goto('/instances');
      const inCell = await lookUp(active!.uuid, 'In a cell', 'In cell cell1.');
      await expect(inCell.getByRole('link', { name: 'cell1' })).toHaveAttribute('href', `/cells/${cell1Row!.uuid}`);
      await expect(inCell).toContainText('exit code 0');
      await expect(page).toHaveURL(new RegExp(`lookup=${active!.uuid}`));
      await lookUp(pending!.instance_uuid, 'Being scheduled', 'the mapping has no cell yet');
      await lookUp(orphan!.instance_uuid, 'Orphaned mapping', 'no cell, no build request');
      const gone = await lookUp(deleted!.uuid, 'Deleted, still mapped', 'archive_deleted_rows');
      await expect(gone).toContainText('exit code 3');
      await lookUp(archived, 'Archived, still mapped', 'whose database has no row for it at all');
      await lookUp(crypto.randomUUID(), 'Not mapped', 'upgrade is incomplete');
      await lookUp(ZERO, 'Not an instance', 'virtual interface');

      // Not a uuid: a plain refusal, not a crash.
      await page.getByRole('textbox', { name: 'Instance uuid' }).fill('web-prod-1');
      await page.getByRole('button', { name: 'Look up' }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'must be an instance uuid' })).toBeVisible();

      // The CLI agrees, with nova's words and exit code.
      const cli = cellarCli(['verify_instance', '--uuid', active!.uuid]);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toBe(`Instance ${active!.uuid} is in cell: cell1 (${cell1Row!.uuid})`);
    } finally {
      await api`delete from build_requests where instance_uuid in ${api(ours)}`;
      await api`delete from instance_mappings where instance_uuid in ${api(ours)}`;
      await cell1.end({ timeout: 2 });
    }
  });

  test("shows a down cell's instances as UNKNOWN from the api database while the other cells still list", async ({ page, api }) => {
    const [cell2] = await api<{ id: number; uuid: string; database_connection: string }[]>`
      select id, uuid, database_connection from cell_mappings where name = 'cell2'`;
    const [{ n }] = (await api`
      select count(*)::int as n from instance_mappings
      where cell_id = ${cell2!.id} and queued_for_delete is not true
        and project_id <> 'INSTANCE_MIGRATION_MARKER' and instance_uuid <> ${ZERO}`) as unknown as [{ n: number }];
    const port = await closedPort();
    await api`update cell_mappings set database_connection = ${`postgresql://nova:sekrit-cell2@127.0.0.1:${port}/cell2`} where id = ${cell2!.id}`;
    try {
      await page.goto('/instances');
      await expect(page.getByRole('alert').filter({ hasText: 'cell2' })).toContainText('refused the connection');
      await expect(page.getByRole('alert').filter({ hasText: 'cell2' })).toContainText(`${n} instances mapped to it in the api database`);
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('2 of 3 cells answered');
      const table = page.getByRole('table', { name: 'Instances' });
      const unknownRows = table.locator('tbody tr').filter({ hasText: 'UNKNOWN' });
      await expect(unknownRows).toHaveCount(Math.min(50, n));
      await expect(unknownRows.first()).toContainText('not answering');
      await expect(unknownRows.first()).toHaveAttribute('title', /Cell cell2 did not answer/);
      // placed first, as nova does; the healthy cells' rows follow
      await expect(table.locator('tbody tr').first()).toContainText('UNKNOWN');
      await expect(table.locator('tbody tr').filter({ hasText: 'ACTIVE' }).first()).toBeVisible();
      await expect(table.getByRole('link', { name: 'cell1', exact: true }).first()).toBeVisible();
      expect(await page.content()).not.toContain('sekrit-cell2');

      // The next page goes on with the cells that answer, without repeating the UNKNOWN rows.
      await page.getByRole('link', { name: 'Next page' }).click();
      await expect(page).toHaveURL(/marker=/);
      await expect(table.locator('tbody tr').first()).toBeVisible();
      await expect(table.locator('tbody tr').filter({ hasText: 'UNKNOWN' })).toHaveCount(0);
      await expect(page.getByRole('alert').filter({ hasText: 'cell2' })).toBeVisible();
    } finally {
      await api`update cell_mappings set database_connection = ${cell2!.database_connection} where id = ${cell2!.id}`;
    }
    await page.goto('/instances');
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 3 cells answered');
  });
});
