import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { columnTexts, exportBoth, recordCalls, sortButton } from './export-files';
import { cellarCli, closedPort, expect, silentServer, test } from './fixtures';

const ZERO = '00000000-0000-0000-0000-000000000000';

/** A cell database of the e2e deployment (the embedded cluster holds cell0, cell1, cell2). */
function cellSql(database: string): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 1, onnotice: () => {} });
}

interface Live {
  uuid: string;
  cell: string;
  name: string | null;
  created: string;
  updated: string | null;
  vmState: string | null;
}

/** Every live instance of every cell, read from the cells' own databases. */
async function liveInstances(): Promise<Live[]> {
  const rows: Live[] = [];
  for (const db of ['cell0', 'cell1', 'cell2']) {
    const sql = cellSql(db);
    try {
      const r = await sql<Omit<Live, 'cell'>[]>`
        select uuid, display_name as name, vm_state as "vmState",
          to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') as created, to_char(updated_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') as updated
        from instances where deleted = 0 and hidden is not true and uuid <> ${ZERO}`;
      rows.push(...r.map((x) => ({ ...x, cell: db })));
    } finally {
      await sql.end({ timeout: 2 });
    }
  }
  return rows;
}

/** The list's order as nova's cross-cell list has it: the key (NULL lowest; names by code point), then uuid ascending. */
function ordered(rows: Live[], key: 'created' | 'updated' | 'name', dir: 'asc' | 'desc'): string[] {
  const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return [...rows]
    .sort((a, b) => {
      const c = cmp(a[key], b[key]);
      if (c !== 0) return dir === 'desc' ? -c : c;
      return a.uuid < b.uuid ? -1 : 1;
    })
    .map((r) => r.uuid);
}

const instancesTable = (page: Page) => page.getByRole('table', { name: 'Instances', exact: true });
const shownUuids = (table: Locator) => table.locator('tbody [data-instance-uuid]').evaluateAll((els) => els.map((e) => e.getAttribute('data-instance-uuid')));
const pager = (page: Page) => page.getByRole('navigation', { name: 'Pages of Instances' });

test.describe('Instances', () => {
  test('lists every cell newest first, with cell, status and flavor; pages forward and back by keyset markers in the URL', async ({ page }) => {
    const expected = ordered(await liveInstances(), 'created', 'desc');
    expect(expected.length).toBeGreaterThan(45);
    await page.goto('/instances');
    await expect(page.getByRole('heading', { name: 'Instances', level: 1 })).toBeVisible();
    const table = instancesTable(page);
    await expect(table.locator('tbody tr')).toHaveCount(50);
    expect(await shownUuids(table)).toEqual(expected.slice(0, 50));
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 3 cells answered');
    for (const cell of ['cell0', 'cell1', 'cell2']) await expect(table.getByRole('link', { name: cell, exact: true }).first()).toBeVisible();
    // Newest first is the server's order, shown on its header.
    await expect(table.getByRole('columnheader', { name: /^Created/ })).toHaveAttribute('aria-sort', 'descending');
    await expect(pager(page).getByText('Previous page')).toHaveAttribute('aria-disabled', 'true');

    await pager(page).getByRole('combobox', { name: 'Rows per page' }).selectOption('20');
    await expect(page).toHaveURL(/limit=20/);
    await expect(table.locator('tbody tr')).toHaveCount(20);
    await pager(page).getByRole('link', { name: 'Next page' }).click();
    await expect(page).toHaveURL(new RegExp(`marker=${expected[19]}`));
    await expect.poll(() => shownUuids(table)).toEqual(expected.slice(20, 40));
    await pager(page).getByRole('link', { name: 'Next page' }).click();
    await expect(page).toHaveURL(new RegExp(`marker=${expected[39]}`));
    await expect.poll(() => shownUuids(table)).toEqual(expected.slice(40, 60));

    // Previous: the rows just before the first one shown (a reverse keyset), the same page as before.
    await pager(page).getByRole('link', { name: 'Previous page' }).click();
    await expect(page).toHaveURL(new RegExp(`before=${expected[40]}`));
    await expect.poll(() => shownUuids(table)).toEqual(expected.slice(20, 40));
    // And back at the start it is the first page itself, without a marker.
    await pager(page).getByRole('link', { name: 'Previous page' }).click();
    await expect.poll(() => shownUuids(table)).toEqual(expected.slice(0, 20));
    await expect(page).not.toHaveURL(/before=|marker=/);
    await expect(page).toHaveURL(/limit=20/);
    await expect(pager(page).getByText('Previous page')).toHaveAttribute('aria-disabled', 'true');

    // A pasted link to a later page has its previous page too.
    await page.goto(`/instances?limit=20&marker=${expected[29]}`);
    await expect.poll(() => shownUuids(table)).toEqual(expected.slice(30, 50));
    await pager(page).getByRole('link', { name: 'Previous page' }).click();
    await expect.poll(() => shownUuids(table)).toEqual(expected.slice(10, 30));
  });

  test('sorts by a header on the server, each cell by keyset, merged as the database orders them', async ({ page }) => {
    const rows = await liveInstances();
    await page.goto('/instances?limit=20');
    const table = instancesTable(page);
    await expect(table.locator('tbody tr')).toHaveCount(20);

    await sortButton(table, 'Name').click();
    await expect(page).toHaveURL(/sort=display_name&dir=asc|dir=asc&sort=display_name/);
    const byName = ordered(rows, 'name', 'asc');
    await expect.poll(() => shownUuids(table)).toEqual(byName.slice(0, 20));
    await expect(table.getByRole('columnheader', { name: /^Name/ })).toHaveAttribute('aria-sort', 'ascending');
    // The next page continues in that order.
    await pager(page).getByRole('link', { name: 'Next page' }).click();
    await expect.poll(() => shownUuids(table)).toEqual(byName.slice(20, 40));

    // Again: descending, from its first page (a marker is a place in the old order).
    await sortButton(table, 'Name').click();
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page).not.toHaveURL(/marker=/);
    await expect.poll(() => shownUuids(table)).toEqual(ordered(rows, 'name', 'desc').slice(0, 20));
    await expect
      .poll(async () => (await columnTexts(table, 'Name')).slice(0, 3))
      .toEqual(
        ordered(rows, 'name', 'desc')
          .slice(0, 3)
          .map((u) => rows.find((r) => r.uuid === u)!.name ?? '(no name)'),
      );

    await sortButton(table, 'Updated').click();
    await expect(page).toHaveURL(/sort=updated_at/);
    await expect.poll(() => shownUuids(table)).toEqual(ordered(rows, 'updated', 'desc').slice(0, 20));
    await sortButton(table, 'Created').click();
    await expect.poll(() => shownUuids(table)).toEqual(ordered(rows, 'created', 'desc').slice(0, 20));
    await sortButton(table, 'Created').click();
    await expect(page).toHaveURL(/dir=asc/);
    await expect.poll(() => shownUuids(table)).toEqual(ordered(rows, 'created', 'asc').slice(0, 20));

    // Columns: hidden ones can be shown, and the choice is in the URL.
    await page.getByText('Columns of Instances', { exact: true }).click();
    await page.getByRole('group', { name: 'Columns shown in Instances' }).getByRole('checkbox', { name: 'VM state' }).check();
    await expect(page).toHaveURL(/cols=/);
    await expect(table.getByRole('columnheader', { name: 'VM state' })).toBeVisible();
  });

  test('the key:value search sets the same state as the fields; an unknown key is refused and changes nothing', async ({ page }) => {
    const rows = await liveInstances();
    const cell1Errors = ordered(
      rows.filter((r) => r.cell === 'cell1' && r.vmState === 'error'),
      'created',
      'desc',
    );
    const cell0Errors = rows.filter((r) => r.cell === 'cell0' && r.vmState === 'error');
    expect(cell0Errors.length).toBeGreaterThan(0);
    await page.goto('/instances');
    const table = instancesTable(page);
    await expect(table.locator('tbody tr')).toHaveCount(50);
    const box = page.getByRole('searchbox', { name: 'Search instances' });

    await box.fill('cell:cell1 status:ERROR');
    await box.press('Enter');
    await expect(page).toHaveURL(/cell=cell1/);
    await expect(page).toHaveURL(/vm_state=error/);
    if (cell1Errors.length > 0) await expect.poll(() => shownUuids(table)).toEqual(cell1Errors.slice(0, 50));
    else await expect(page.getByText('No instances match these filters')).toBeVisible();
    // The fields show what the box set.
    const filters = page.getByRole('search', { name: 'Filter instances' });
    await expect(filters.getByRole('combobox', { name: 'Cell' })).toHaveValue('cell1');
    await expect(filters.getByRole('combobox', { name: 'VM state' })).toHaveValue('error');
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('1 of 1 cells answered');

    // A cell by name, a status by nova's word, free text for the name: cell0's failed boots.
    await box.fill(`cell:cell0 status:error ${cell0Errors[0]!.name!.slice(0, 4)}`);
    await box.press('Enter');
    await expect(page).toHaveURL(new RegExp(`name=${cell0Errors[0]!.name!.slice(0, 4)}`));
    await expect(box).toHaveValue(`cell:cell0 status:error name:${cell0Errors[0]!.name!.slice(0, 4)}`);
    const wanted = ordered(
      cell0Errors.filter((r) => r.name!.toLowerCase().includes(cell0Errors[0]!.name!.slice(0, 4).toLowerCase())),
      'created',
      'desc',
    );
    await expect.poll(() => shownUuids(table)).toEqual(wanted.slice(0, 50));
    for (const s of await columnTexts(table, 'Status')) expect(s).toBe('ERROR');

    // Unknown key: the error, and the URL and the rows stay.
    const url = page.url();
    const before = await shownUuids(table);
    await box.fill('colour:red');
    await box.press('Enter');
    await expect(page.getByRole('alert').filter({ hasText: 'Unknown key "colour:"' })).toBeVisible();
    expect(page.url()).toBe(url);
    expect(await shownUuids(table)).toEqual(before);
    // A cell or a status nobody has: said, nothing changed.
    await box.fill('cell:cell9');
    await box.press('Enter');
    await expect(page.getByRole('alert').filter({ hasText: 'No cell is named "cell9"' })).toBeVisible();
    await box.fill('status:sleeping');
    await box.press('Enter');
    await expect(page.getByRole('alert').filter({ hasText: '"status:sleeping" is not a status' })).toBeVisible();
    expect(page.url()).toBe(url);

    // Clearing the fields clears the box.
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await expect(box).toHaveValue('');
    await expect(table.locator('tbody tr')).toHaveCount(50);
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
        await page.getByRole('textbox', { name: 'Instance uuid or name' }).fill(uuid);
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

  test('looks up a name: every instance of it in every cell, with its cell; a cell that does not answer is said, not skipped', async ({ page, api }) => {
    const cell1 = cellSql('cell1');
    const cell2 = cellSql('cell2');
    const twin = crypto.randomUUID();
    const [cell2Row] = await api<{ id: number; uuid: string; database_connection: string }[]>`
      select id, uuid, database_connection from cell_mappings where name = 'cell2'`;
    const silent = await silentServer();
    try {
      const [one] = await cell1<{ uuid: string; display_name: string; created_at: string }[]>`
        select uuid, display_name, created_at::text from instances where deleted = 0 and vm_state = 'active' and display_name is not null and uuid <> ${ZERO}
        order by created_at limit 1`;
      // Names are not unique: the same name in cell2, newer.
      await cell2`insert into instances (uuid, display_name, created_at, vm_state, project_id, user_id, host, deleted)
        values (${twin}, ${one!.display_name}, now() at time zone 'utc', 'stopped', 'p-e2e', 'u-e2e', 'cmp-e2e', 0)`;
      await api`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id) values (${twin}, ${cell2Row!.id}, 'p-e2e', 'u-e2e')`;

      // What the cells hold under that name, in any case: newest first.
      const named = (await liveInstances())
        .filter((r) => r.name?.toLowerCase() === one!.display_name.toLowerCase())
        .sort((a, b) => (a.created === b.created ? (a.uuid < b.uuid ? -1 : 1) : a.created < b.created ? 1 : -1));
      expect(named.map((r) => r.uuid)).toContain(twin);
      expect(named.length).toBeGreaterThanOrEqual(2);

      await page.goto('/instances');
      await page.getByRole('textbox', { name: 'Instance uuid or name' }).fill(one!.display_name.toUpperCase());
      await page.getByRole('button', { name: 'Look up' }).click();
      const found = page.getByRole('region', { name: 'Instances by name' });
      const table = found.getByRole('table', { name: `Instances named ${one!.display_name.toUpperCase()}` });
      await expect(table.locator('tbody tr')).toHaveCount(named.length);
      expect(await shownUuids(table)).toEqual(named.map((r) => r.uuid));
      expect(await columnTexts(table, 'Cell')).toEqual(named.map((r) => r.cell));
      expect((await columnTexts(table, 'Status'))[0]).toBe('SHUTOFF');
      await expect(found).toContainText(`${named.length} in 3 of 3 cells`);
      // Each leads to where it is.
      await table.getByRole('link', { name: twin }).click();
      await expect(page.getByRole('region', { name: 'Lookup result' })).toContainText('In cell cell2.');

      // cell2 stops answering: its notice says its instances cannot be searched by name.
      await api`update cell_mappings set database_connection = ${`postgresql://nova:name-s3cret@127.0.0.1:${silent.port}/cell2`} where id = ${cell2Row!.id}`;
      await page.goto(`/instances?lookup=${encodeURIComponent(one!.display_name)}`);
      await expect(found.getByRole('alert').filter({ hasText: 'cell2' })).toContainText('cannot be searched by name until it answers');
      const answering = named.filter((r) => r.cell !== 'cell2');
      await expect(table.locator('tbody tr')).toHaveCount(answering.length);
      expect(await shownUuids(table)).toEqual(answering.map((r) => r.uuid));
      await expect(found).toContainText(`${answering.length} in 2 of 3 cells`);
      expect(await page.content()).not.toContain('name-s3cret');

      // A name nobody has.
      await page.goto('/instances?lookup=zz-nobody-has-this-name');
      await expect(page.getByText('No live instance is named “zz-nobody-has-this-name”')).toBeVisible();
    } finally {
      await api`update cell_mappings set database_connection = ${cell2Row!.database_connection} where id = ${cell2Row!.id}`;
      await cell2`delete from instances where uuid = ${twin}`;
      await api`delete from instance_mappings where instance_uuid = ${twin}`;
      await cell1.end({ timeout: 2 });
      await cell2.end({ timeout: 2 });
      await silent.close();
    }
  });

  test("exports the view with a blackholed cell: its UNKNOWN rows first, in the page's order, the cell named in the file", async ({ page, api }) => {
    const [cell2] = await api<{ id: number; uuid: string; database_connection: string }[]>`
      select id, uuid, database_connection from cell_mappings where name = 'cell2'`;
    const [{ n }] = (await api`
      select count(*)::int as n from instance_mappings
      where cell_id = ${cell2!.id} and queued_for_delete is not true
        and project_id <> 'INSTANCE_MIGRATION_MARKER' and instance_uuid <> ${ZERO}`) as unknown as [{ n: number }];
    const silent = await silentServer();
    await api`update cell_mappings set database_connection = ${`postgresql://nova:sekrit-cell2@127.0.0.1:${silent.port}/cell2`} where id = ${cell2!.id}`;
    try {
      await page.goto('/instances?limit=20&refresh=false', { waitUntil: 'commit' });
      await expect(page.getByRole('alert').filter({ hasText: 'cell2' })).toContainText('did not answer in time');
      await expect(page.getByRole('alert').filter({ hasText: 'cell2' })).toContainText(`${n} instances mapped to it in the api database`);
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('2 of 3 cells answered');
      const table = instancesTable(page);
      const unknownRows = table.locator('tbody tr').filter({ hasText: 'UNKNOWN' });
      await expect(unknownRows).toHaveCount(Math.min(20, n));
      await expect(unknownRows.first()).toContainText('not answering');
      await expect(unknownRows.first().getByText('not answering')).toHaveAttribute('title', /Cell cell2 did not answer/);
      await expect(table.locator('tbody tr').first()).toContainText('UNKNOWN');
      await expect(table.locator('tbody tr')).toHaveCount(Math.min(20, n) + 20);
      const shown = await shownUuids(table);
      const statuses = await columnTexts(table, 'Status');

      const { csv, json, csvName } = await exportBoth(page, 'Instances');
      expect(csvName).toMatch(/^cellar-instances-\d{14}\.csv$/);
      expect(csv[0]![0]).toBe('# Incomplete view — cells that did not answer: cell2 (timeout)');
      const header = csv[1]!;
      expect(header).toEqual(['Name', 'UUID', 'Cell', 'Status', 'Flavor', 'Host', 'Project', 'Created', 'Updated']);
      const body = csv.slice(2);
      expect(body.map((r) => r[1])).toEqual(shown);
      expect(body.map((r) => r[3])).toEqual(statuses);
      expect(body.filter((r) => r[3] === 'UNKNOWN').every((r) => r[2] === 'cell2' && r[0] === '')).toBe(true);
      expect(json.complete).toBe(false);
      expect(json.notAnswered.map((c) => [c.name, c.uuid, c.reason])).toEqual([['cell2', cell2!.uuid, 'timeout']]);
      expect(json.rows.map((r) => r.uuid)).toEqual(shown);
      expect(json.rows.map((r) => r.status)).toEqual(statuses);
      expect(json.url).toContain('limit=20');
      expect(JSON.stringify(json)).not.toContain('sekrit-cell2');

      // The next page goes on with the cells that answer, without repeating the UNKNOWN rows.
      await pager(page).getByRole('link', { name: 'Next page' }).click();
      await expect(page).toHaveURL(/marker=/);
      await expect(table.locator('tbody tr').first()).toBeVisible();
      await expect(table.locator('tbody tr').filter({ hasText: 'UNKNOWN' })).toHaveCount(0);
      await expect(page.getByRole('alert').filter({ hasText: 'cell2' })).toBeVisible();
    } finally {
      await api`update cell_mappings set database_connection = ${cell2!.database_connection} where id = ${cell2!.id}`;
      await silent.close();
    }
    await expect(async () => {
      await page.goto('/instances');
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 3 cells answered', { timeout: 3000 });
    }).toPass({ timeout: 30_000 });
  });

  test('filters by vm_state from the URL and shows nova statuses; a refused cell still lists the others', async ({ page, api }) => {
    await page.goto('/instances?vm_state=stopped');
    const table = instancesTable(page);
    await expect(table.locator('tbody tr').first()).toBeVisible();
    const statuses = await columnTexts(table, 'Status');
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s).toBe('SHUTOFF');
    await expect(page.getByRole('search', { name: 'Filter instances' }).getByRole('combobox', { name: 'VM state' })).toHaveValue('stopped');
    await expect(page.getByRole('searchbox', { name: 'Search instances' })).toHaveValue('status:stopped');

    await page.goto('/instances?vm_state=error&limit=5');
    await expect(table.locator('tbody tr').first()).toBeVisible();
    for (const s of await columnTexts(table, 'Status')) expect(s).toBe('ERROR');
    // cell0's graveyard: the flavor comes from the embedded copy
    expect((await columnTexts(table, 'Flavor'))[0]).not.toBe('—');

    await page.goto('/instances?name=zz-no-such-name');
    await expect(page.getByText('No instances match these filters')).toBeVisible();

    const [cell2] = await api<{ id: number; database_connection: string }[]>`select id, database_connection from cell_mappings where name = 'cell2'`;
    const port = await closedPort();
    await api`update cell_mappings set database_connection = ${`postgresql://nova:x@127.0.0.1:${port}/cell2`} where id = ${cell2!.id}`;
    try {
      await page.goto('/instances?vm_state=active');
      await expect(page.getByRole('alert').filter({ hasText: 'cell2' })).toContainText('refused the connection');
      // Its UNKNOWN rows cannot be checked against a vm_state: none is shown, and the notice says why.
      await expect(page.getByRole('alert').filter({ hasText: 'cell2' })).toContainText('cannot be checked against these filters');
      await expect(table.locator('tbody tr').filter({ hasText: 'UNKNOWN' })).toHaveCount(0);
      await expect(table.locator('tbody tr').first()).toContainText('ACTIVE');
    } finally {
      await api`update cell_mappings set database_connection = ${cell2!.database_connection} where id = ${cell2!.id}`;
    }
  });

  test('auto-refresh asks the cells again on its own; switched off it stays off in the URL and asks nothing; "as of" says when', async ({ page }) => {
    await page.clock.install();
    await page.goto('/instances');
    const control = page.locator('[data-auto-refresh]');
    await expect(control).toHaveAttribute('data-auto-refresh', 'running');
    await expect(control).toContainText(/as of \d\d:\d\d:\d\d UTC/);
    await expect(instancesTable(page).locator('tbody tr')).toHaveCount(50);
    const calls = recordCalls(page);
    await page.clock.fastForward('00:16');
    await expect.poll(() => calls.filter((c) => c.path === 'instances.list').length).toBeGreaterThanOrEqual(3);

    await control.getByRole('checkbox', { name: 'Auto-refresh' }).uncheck();
    await expect(page).toHaveURL(/refresh=false/);
    await expect(control).toHaveAttribute('data-auto-refresh', 'off');
    await page.waitForTimeout(300);
    calls.length = 0;
    await page.clock.fastForward('01:00');
    await page.waitForTimeout(1000);
    expect(calls.filter((c) => c.path.startsWith('instances.') || c.path === 'cells.list')).toEqual([]);
    // Paging keeps the switch where it is.
    await pager(page).getByRole('link', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/marker=/);
    await expect(page).toHaveURL(/refresh=false/);
    await page.reload();
    await expect(control.getByRole('checkbox', { name: 'Auto-refresh' })).not.toBeChecked();
  });
});
