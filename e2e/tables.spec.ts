/**
 * The lists as data tables (issue 12): on each table, sorting by a header puts the rows in
 * the order the database gives for that sort; the key:value search sets the URL and the
 * rows, and an unknown key is said and changes nothing; an export holds the rows in view,
 * in order, as CSV and as JSON, and names the cells that did not answer; the fan-out
 * pages' auto-refresh switch stays off in the URL and then asks nothing.
 *
 * Every row a test needs it adds itself (names starting zz-tbl / e2e-tables) and removes
 * afterwards; the demo's own rows are left as they are.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { buildRequestInstancePrimitive, flavorPrimitive } from '../server/nova/primitives';
import { parseCsv } from './export-files';
import { apiSql, expect, silentServer, test } from './fixtures';

const TAG = crypto.randomBytes(3).toString('hex');

/** A demo cell database, with the credentials of the e2e console's embedded cluster. */
function cellSql(database: 'cell1' | 'cell2'): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 1, onnotice: () => {} });
}

// ---- what a table shows, and what its export holds ------------------------------------

/**
 * The rows in view, the named columns of each, as a user reads them: a time as its
 * absolute value (the `datetime` it shows relative), a shortened id as the whole one
 * (its title), the rest as text without the copy buttons; "—" is nothing.
 */
async function viewRows(page: Page, table: string, headers: readonly string[]): Promise<string[][]> {
  return page.evaluate(
    ({ table, headers }) => {
      const el = document.querySelector(`table[aria-label="${table}"]`);
      if (!el) throw new Error(`no table ${table}`);
      const plain = (node: Element) => {
        const c = node.cloneNode(true) as Element;
        for (const x of c.querySelectorAll('button, .sr-only, [aria-hidden="true"]')) x.remove();
        return (c.textContent ?? '').trim();
      };
      const heads = [...el.querySelectorAll('thead th')].map((th) => {
        const c = th.cloneNode(true) as Element;
        for (const x of c.querySelectorAll('.sr-only, [aria-hidden="true"]')) x.remove();
        return (c.textContent ?? '').trim();
      });
      const at = headers.map((h) => {
        const i = heads.indexOf(h);
        if (i < 0) throw new Error(`no column ${h} in ${heads.join(', ')}`);
        return i;
      });
      return [...el.querySelectorAll('tbody tr')]
        .filter((tr) => tr.children.length === heads.length)
        .map((tr) =>
          at.map((i) => {
            const cell = tr.children[i]!;
            const time = cell.querySelector('time');
            if (time) return time.getAttribute('datetime') ?? '';
            const short = cell.querySelector('[title]');
            if (short && (short.textContent ?? '').endsWith('…')) return short.getAttribute('title') ?? '';
            const text = plain(cell);
            return text === '—' ? '' : text;
          }),
        );
    },
    { table, headers },
  );
}

interface Exported {
  csvName: string;
  jsonName: string;
  /** The CSV's "# Incomplete view — …" line, when it has one. */
  note: string | null;
  csvHeader: string[];
  csvRows: string[][];
  json: {
    table: string;
    complete: boolean;
    url: string | null;
    notAnswered: { uuid: string; name: string | null; reason: string | null }[];
    pending: { uuid: string; name: string | null }[];
    columns: { id: string; header: string }[];
    rows: Record<string, string | number | boolean | null>[];
  };
  raw: string;
}

async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { name: file.suggestedFilename(), text: fs.readFileSync((await file.path())!, 'utf8') };
}

async function exportBoth(page: Page, table: string): Promise<Exported> {
  const csv = await download(page, `Export CSV of ${table}`);
  const json = await download(page, `Export JSON of ${table}`);
  const records = parseCsv(csv.text);
  const note = records[0]?.[0]?.startsWith('# ') ? records.shift()![0]! : null;
  const [csvHeader, ...csvRows] = records;
  return { csvName: csv.name, jsonName: json.name, note, csvHeader: csvHeader ?? [], csvRows, json: JSON.parse(json.text), raw: csv.text + json.text };
}

/** The export holds the rows in view, in order: the named columns of the CSV and of the JSON equal the table's. */
async function expectExportIsTheView(page: Page, table: string, headers: readonly string[]): Promise<Exported> {
  const view = await viewRows(page, table, headers);
  const e = await exportBoth(page, table);
  expect(e.csvName).toMatch(new RegExp(`^cellar-${table.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-\\d{14}\\.csv$`));
  expect(e.jsonName).toMatch(/\.json$/);
  const at = headers.map((h) => e.csvHeader.indexOf(h));
  expect(at, `export columns ${e.csvHeader.join(', ')}`).not.toContain(-1);
  // A text a spreadsheet would run is written with a leading apostrophe.
  const csvValue = (v: string) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);
  expect(e.csvRows.map((r) => at.map((i) => csvValue(r[i] ?? '')))).toEqual(view);
  const ids = headers.map((h) => e.json.columns.find((c) => c.header === h)!.id);
  expect(e.json.rows.map((r) => ids.map((id) => (r[id] === null || r[id] === undefined ? '' : String(r[id]))))).toEqual(view);
  expect(e.json.columns.map((c) => c.header)).toEqual(e.csvHeader);
  return e;
}

function rowHeaders(table: Locator) {
  return table.getByRole('rowheader');
}

/** Type a search into the page's search box and press Enter. */
async function search(page: Page, box: string, text: string) {
  // Typed before hydration, the text would be reset by it.
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  const input = page.getByRole('searchbox', { name: box });
  await input.fill(text);
  await input.press('Enter');
}

/** An unknown key is said under the box, and neither the URL nor the rows change. */
async function expectRefusedSearch(page: Page, box: string, table: Locator, text: string, message: string | RegExp) {
  const url = page.url();
  const before = await rowHeaders(table).allTextContents();
  await search(page, box, text);
  await expect(page.getByRole('search', { name: box }).getByRole('alert')).toContainText(message);
  await page.waitForTimeout(300);
  expect(page.url()).toBe(url);
  expect(await rowHeaders(table).allTextContents()).toEqual(before);
}

/** The tRPC calls the page makes from now on: each procedure with its input. */
function countTrpc(page: Page): { paths: string[]; calls: { path: string; input: unknown }[] } {
  const seen = { paths: [] as string[], calls: [] as { path: string; input: unknown }[] };
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!u.pathname.startsWith('/api/trpc/')) return;
    const paths = u.pathname.slice('/api/trpc/'.length).split(',');
    const raw = u.searchParams.get('input');
    const inputs = raw ? (JSON.parse(raw) as Record<string, { json?: unknown }>) : {};
    for (const [i, path] of paths.entries()) {
      seen.paths.push(path);
      seen.calls.push({ path, input: u.searchParams.get('batch') === '1' ? inputs[String(i)]?.json : (inputs as { json?: unknown }).json });
    }
  });
  return seen;
}

// ---- host mappings: sorted on the server, keyset pages --------------------------------

test.describe('Host mappings table', () => {
  const hosts = Array.from({ length: 30 }, (_, i) => `zz-tbl-${TAG}-${String(i).padStart(2, '0')}`);
  let cells: { id: number; uuid: string; name: string }[];

  test.beforeAll(async () => {
    const api = apiSql();
    try {
      cells = await api<{ id: number; uuid: string; name: string }[]>`select id, uuid, name from cell_mappings where name in ('cell1', 'cell2') order by name`;
      // Two cells, mapped-since with ties and some without one (nova's column is nullable).
      await api`insert into host_mappings (cell_id, host, created_at)
        select case when i % 3 = 0 then ${cells[0]!.id}::int else ${cells[1]!.id}::int end, h,
               case when i % 10 = 4 then null else '2026-01-01'::timestamp + (i % 7) * interval '1 hour' end
        from unnest(${hosts}::text[]) with ordinality as t(h, i)`;
    } finally {
      await api.end({ timeout: 2 });
    }
  });
  test.afterAll(async () => {
    const api = apiSql();
    try {
      await api`delete from host_mappings where host = any(${hosts}::text[])`;
    } finally {
      await api.end({ timeout: 2 });
    }
  });

  /** The hosts of the test's mappings in the order the database sorts them. */
  async function dbOrder(api: postgres.Sql, orderBy: string, where = 'true'): Promise<string[]> {
    const rows = await api.unsafe<{ host: string }[]>(
      `select h.host from host_mappings h join cell_mappings c on c.id = h.cell_id
       where h.host like 'zz-tbl-${TAG}-%' and ${where} order by ${orderBy}`,
    );
    return rows.map((r) => r.host);
  }

  test('sorting by a header asks the server for that order, and previous/next page through it', async ({ page, api }) => {
    await page.goto(`/hosts?host=zz-tbl-${TAG}&size=25&refresh=false`);
    const table = page.getByRole('table', { name: 'Host mappings' });
    await expect(rowHeaders(table)).toHaveText((await dbOrder(api, 'h.host collate "C"')).slice(0, 25));
    await expect(table.getByRole('columnheader', { name: /^Host/ })).toHaveAttribute('aria-sort', 'ascending');

    await table.getByRole('button', { name: /^Cell\s*,/ }).click();
    await expect(page).toHaveURL(/sort=cell&dir=asc/);
    await expect(rowHeaders(table)).toHaveText((await dbOrder(api, 'coalesce(c.name, c.uuid) collate "C", h.host collate "C"')).slice(0, 25));
    await table.getByRole('button', { name: /^Cell\s*,/ }).click();
    await expect(page).toHaveURL(/sort=cell&dir=desc/);
    await expect(table.getByRole('columnheader', { name: /^Cell\s*,/ })).toHaveAttribute('aria-sort', 'descending');
    await expect(rowHeaders(table)).toHaveText((await dbOrder(api, 'coalesce(c.name, c.uuid) collate "C" desc, h.host collate "C" desc')).slice(0, 25));

    // Mapped since: newest first on the first click; mappings without a time last.
    await table.getByRole('button', { name: /^Mapped since\s*,/ }).click();
    await expect(page).toHaveURL(/sort=created_at&dir=desc/);
    const byTime = await dbOrder(api, 'h.created_at desc nulls last, h.host collate "C" desc');
    await expect(rowHeaders(table)).toHaveText(byTime.slice(0, 25));
    const pager = page.getByRole('navigation', { name: 'Pages of Host mappings' });
    await expect(pager.getByText('Previous page')).toHaveAttribute('aria-disabled', 'true');
    await pager.getByRole('button', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/after=/);
    await expect(rowHeaders(table)).toHaveText(byTime.slice(25));
    await expect(pager.getByText('Next page')).toHaveAttribute('aria-disabled', 'true');
    await pager.getByRole('button', { name: 'Previous page' }).click();
    await expect(page).toHaveURL(/before=/);
    await expect(rowHeaders(table)).toHaveText(byTime.slice(0, 25));

    // A marker made under one order is refused under another, in words, with a way back.
    await pager.getByRole('button', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/after=/);
    const marker = new URL(page.url()).searchParams.get('after')!;
    await page.goto(`/hosts?host=zz-tbl-${TAG}&size=25&refresh=false&sort=host&dir=asc&after=${encodeURIComponent(marker)}`);
    await expect(page.getByRole('alert').filter({ hasText: 'page marker' })).toContainText(
      'This page marker was made for the list sorted by mapped since, newest first, not by host, A to Z: open the first page again.',
    );
    await page.getByRole('button', { name: 'First page' }).click();
    await expect(rowHeaders(table)).toHaveText((await dbOrder(api, 'h.host collate "C"')).slice(0, 25));

    // The page size is in the URL too.
    await pager.getByLabel('Rows per page').selectOption('100');
    await expect(page).toHaveURL(/size=100/);
    await expect(rowHeaders(table)).toHaveText(await dbOrder(api, 'h.host collate "C"'));
  });

  test('the key:value search sets the same URL state as the fields; an unknown key or cell is said and changes nothing', async ({ page, api }) => {
    await page.goto('/hosts?refresh=false');
    const table = page.getByRole('table', { name: 'Host mappings' });
    await expect(rowHeaders(table).first()).toBeVisible();
    await search(page, 'Search host mappings', `cell:cell1 host:zz-tbl-${TAG}`);
    await expect(page).toHaveURL(new RegExp(`cell=${cells[0]!.uuid}`));
    await expect(page).toHaveURL(new RegExp(`host=zz-tbl-${TAG}`));
    await expect(rowHeaders(table)).toHaveText(await dbOrder(api, 'h.host collate "C"', `c.name = 'cell1'`));
    // The fields show the same state, and the box shows it back.
    await expect(page.getByRole('combobox', { name: 'Cell' })).toHaveValue(cells[0]!.uuid);
    await expect(page.getByRole('searchbox', { name: 'Host contains' })).toHaveValue(`zz-tbl-${TAG}`);
    await expect(page.getByRole('searchbox', { name: 'Search host mappings' })).toHaveValue(`cell:cell1 host:zz-tbl-${TAG}`);

    await expectRefusedSearch(
      page,
      'Search host mappings',
      table,
      'flavor:m1.small',
      'Unknown key "flavor:". This list searches by cell:, host: and free text.',
    );
    await expectRefusedSearch(page, 'Search host mappings', table, `cell:no-such-cell host:zz`, 'No cell is named "no-such-cell".');

    // A field changes the box.
    await page.getByRole('combobox', { name: 'Cell' }).selectOption({ label: 'cell2' });
    await expect(page.getByRole('searchbox', { name: 'Search host mappings' })).toHaveValue(`cell:cell2 host:zz-tbl-${TAG}`);
    await expect(rowHeaders(table)).toHaveText(await dbOrder(api, 'h.host collate "C"', `c.name = 'cell2'`));
  });

  test('the export holds the page in view, in its order, as CSV and JSON; the list is the api database, so it is complete', async ({ page }) => {
    await page.goto(`/hosts?host=zz-tbl-${TAG}&size=25&sort=created_at&dir=desc&refresh=false`);
    await expect(rowHeaders(page.getByRole('table', { name: 'Host mappings' }))).toHaveCount(25);
    const e = await expectExportIsTheView(page, 'Host mappings', ['Host', 'Cell', 'Cell UUID', 'Mapped since']);
    expect(e.csvRows).toHaveLength(25);
    expect(e.note).toBeNull();
    expect(e.csvHeader).not.toContain('Actions');
    expect(e.json).toMatchObject({ table: 'Host mappings', complete: true, notAnswered: [], pending: [] });
    expect(e.json.url).toContain('sort=created_at');
    // Hide a column: the export follows the view.
    await page.locator('summary', { hasText: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Cell UUID' }).uncheck();
    await expect(page).toHaveURL(/cols=/);
    const fewer = await exportBoth(page, 'Host mappings');
    expect(fewer.csvHeader).toEqual(['Host', 'Cell', 'Mapped since']);
  });
});

// ---- unmapped computes: fan-out, sorted in the browser --------------------------------

test.describe('Unmapped computes table', () => {
  const added = { cell1: [`zz-tbl-${TAG}-c1`], cell2: [`zz-tbl-${TAG}-b`, `zz-tbl-${TAG}-a`, `zz-tbl-${TAG}-c`] };

  test.beforeAll(async () => {
    // Compute nodes as nova-compute writes them on start (copies of a demo node), waiting for discovery since different times.
    for (const [database, hosts] of Object.entries(added) as ['cell1' | 'cell2', string[]][]) {
      const sql = cellSql(database);
      try {
        for (const [i, host] of hosts.entries()) {
          await sql.begin(async (tx) => {
            await tx`create temp table zz_node on commit drop as select * from compute_nodes where deleted = 0 and host is not null limit 1`;
            await tx`update zz_node set id = nextval('compute_nodes_id_seq'), uuid = gen_random_uuid()::text, host = ${host},
              hypervisor_hostname = ${host}, mapped = 0, created_at = (now() at time zone 'utc') - ${`${(i + 1) * 7} hours`}::interval`;
            await tx`insert into compute_nodes select * from zz_node`;
          });
        }
      } finally {
        await sql.end({ timeout: 2 });
      }
    }
  });
  test.afterAll(async () => {
    for (const [database, hosts] of Object.entries(added) as ['cell1' | 'cell2', string[]][]) {
      const sql = cellSql(database);
      try {
        await sql`delete from compute_nodes where host = any(${hosts}::text[])`;
      } finally {
        await sql.end({ timeout: 2 });
      }
    }
  });

  /** Every unmapped compute of cell1 and cell2 as the database has it: live nodes whose host has no mapping. */
  async function unmapped(api: postgres.Sql, only?: 'cell1' | 'cell2'): Promise<{ host: string; at: number; cell: string }[]> {
    const mapped = new Set((await api<{ host: string }[]>`select host from host_mappings`).map((r) => r.host));
    const out: { host: string; at: number; cell: string }[] = [];
    for (const database of only ? [only] : (['cell1', 'cell2'] as const)) {
      const sql = cellSql(database);
      try {
        const rows = await sql<{ host: string; at: string }[]>`
          select host, floor(extract(epoch from created_at) * 1000)::bigint::text as at from compute_nodes where deleted = 0 and host is not null`;
        // The browser holds times to the millisecond.
        out.push(...rows.filter((r) => !mapped.has(r.host)).map((r) => ({ host: r.host, at: Number(r.at), cell: database })));
      } finally {
        await sql.end({ timeout: 2 });
      }
    }
    return out.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }

  test('sorting by a header orders the rows as the cells hold them', async ({ page, api }) => {
    await page.goto('/computes?refresh=false');
    const table = page.getByRole('table', { name: 'Unmapped computes' });
    const all = await unmapped(api);
    await expect(rowHeaders(table)).toHaveText(all.map((c) => c.host));

    // Waiting since: the longest waiting first; a tie keeps the host order.
    await table.getByRole('button', { name: /^Waiting since\s*,/ }).click();
    await expect(page).toHaveURL(/sort=waiting_since&dir=asc/);
    const byTime = [...all].sort((a, b) => a.at - b.at);
    await expect(rowHeaders(table)).toHaveText(byTime.map((c) => c.host));
    await table.getByRole('button', { name: /^Waiting since\s*,/ }).click();
    await expect(rowHeaders(table)).toHaveText([...all].sort((a, b) => b.at - a.at).map((c) => c.host));

    await table.getByRole('button', { name: /^Host\s*,/ }).click();
    await table.getByRole('button', { name: /^Host\s*,/ }).click();
    await expect(page).toHaveURL(/sort=host&dir=desc/);
    await expect(rowHeaders(table)).toHaveText([...all].reverse().map((c) => c.host));

    // Cell, then host within it (the sort is stable over the host order).
    // Cell: a tie keeps the list's own order (by host), whatever was clicked before.
    await table.getByRole('button', { name: /^Cell\s*,/ }).click();
    await expect(page).toHaveURL(/sort=cell&dir=asc/);
    await expect(rowHeaders(table)).toHaveText([...all].sort((a, b) => a.cell.localeCompare(b.cell)).map((c) => c.host));
  });

  test('cell: and host: narrow the list and ask only that cell; an unknown key is said and changes nothing', async ({ page, api }) => {
    const [cell2] = await api<{ uuid: string }[]>`select uuid from cell_mappings where name = 'cell2'`;
    await page.goto('/computes?refresh=false');
    const table = page.getByRole('table', { name: 'Unmapped computes' });
    await expect(rowHeaders(table).first()).toBeVisible();
    await search(page, 'Search unmapped computes', `cell:cell2 host:zz-tbl-${TAG}`);
    await expect(page).toHaveURL(new RegExp(`cell=${cell2!.uuid}`));
    await expect(page).toHaveURL(new RegExp(`host=zz-tbl-${TAG}`));
    await expect(rowHeaders(table)).toHaveText([...added.cell2].sort());
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('1 of 1 cells answered');
    // Only the chosen cell is asked: a refresh asks it alone.
    const asked = countTrpc(page);
    const answered = page.waitForResponse((r) => r.url().includes('hosts.unmapped'));
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await answered;
    const unmappedCalls = asked.calls.filter((c) => c.path === 'hosts.unmapped');
    expect(unmappedCalls.length).toBeGreaterThan(0);
    for (const c of unmappedCalls) expect(c.input).toEqual({ cellUuids: [cell2!.uuid] });
    // A single cell in view: no Cell column.
    await expect(table.getByRole('columnheader', { name: /^Cell/ })).toHaveCount(0);

    await expectRefusedSearch(page, 'Search unmapped computes', table, 'status:up', 'Unknown key "status:"');
    await expectRefusedSearch(page, 'Search unmapped computes', table, 'cell:cell0', 'cell0 holds no compute hosts');

    // Free text is the host; the whole list again without cell:.
    await search(page, 'Search unmapped computes', `zz-tbl-${TAG}-c`);
    await expect(page).not.toHaveURL(/cell=/);
    await expect(rowHeaders(table)).toHaveText([`zz-tbl-${TAG}-c`, `zz-tbl-${TAG}-c1`]);
  });

  test('an export made while a cell does not answer names it, and holds the rows in view', async ({ page, api }) => {
    const silent = await silentServer();
    const uuid = crypto.randomUUID();
    await api`insert into cell_mappings (uuid, name, transport_url, database_connection, disabled) values
      (${uuid}, ${`zz-tbl-hanging-${TAG}`}, 'rabbit://nova:pw@127.0.0.1:5672/', ${`postgresql://nova:tbl-s3cret@127.0.0.1:${silent.port}/nova_cell9`}, false)`;
    try {
      await page.goto('/computes?refresh=false&sort=waiting_since&dir=desc');
      await expect(page.getByRole('alert').filter({ hasText: `zz-tbl-hanging-${TAG}` })).toContainText('did not answer in time');
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('2 of 3 cells answered');
      const e = await expectExportIsTheView(page, 'Unmapped computes', ['Host', 'Hypervisor', 'Cell', 'Waiting since']);
      expect(e.csvRows.length).toBe((await unmapped(api)).length);
      expect(e.note).toBe(`# Incomplete view — cells that did not answer: zz-tbl-hanging-${TAG} (timeout)`);
      expect(e.json.complete).toBe(false);
      expect(e.json.notAnswered).toEqual([expect.objectContaining({ uuid, name: `zz-tbl-hanging-${TAG}`, reason: 'timeout' })]);
      expect(e.raw).not.toContain('tbl-s3cret');
    } finally {
      await api`delete from cell_mappings where uuid = ${uuid}`;
      await api`delete from cellar.cell_figures where cell_uuid = ${uuid}`;
      await api`delete from cellar.cell_health where cell_uuid = ${uuid}`;
      await silent.close();
    }
  });

  test('auto-refresh asks the cells again while on; off stays in the URL and asks nothing; it says as of when', async ({ page }) => {
    // refresh_every=2: every 2 s instead of 15, so a few seconds show several intervals.
    await page.goto('/computes?refresh_every=2');
    const control = page.locator('[data-auto-refresh]');
    const toggle = page.getByRole('checkbox', { name: 'Auto-refresh' });
    await expect(toggle).toBeChecked();
    await expect(control).toHaveAttribute('data-auto-refresh', 'running');
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText(/as of \d\d:\d\d:\d\d UTC/);
    await expect(rowHeaders(page.getByRole('table', { name: 'Unmapped computes' })).first()).toBeVisible();

    const on = countTrpc(page);
    await page.waitForTimeout(5_000);
    expect(on.paths.join(',')).toContain('hosts.unmapped');
    expect(on.paths.join(',')).toContain('hosts.lastDiscovery');

    await toggle.uncheck();
    await expect(page).toHaveURL(/refresh=false/);
    await expect(control).toHaveAttribute('data-auto-refresh', 'off');
    await page.waitForTimeout(500);
    const off = countTrpc(page);
    await page.waitForTimeout(5_000);
    expect(off.paths).toEqual([]);

    // Off survives a reload: it is the link's state.
    await page.reload();
    await expect(toggle).not.toBeChecked();
    await expect(rowHeaders(page.getByRole('table', { name: 'Unmapped computes' })).first()).toBeVisible();
    await page.waitForTimeout(500);
    const reloaded = countTrpc(page);
    await page.waitForTimeout(5_000);
    expect(reloaded.paths).toEqual([]);
  });
});

// ---- build requests: the whole list, sorted and searched in the browser ---------------

test.describe('Build requests table', () => {
  const project = `e2e-tables-${TAG}`;
  const boots = [
    { uuid: crypto.randomUUID(), name: 'zz-tbl-young', flavor: 'm1.small', age: '10 minutes' },
    { uuid: crypto.randomUUID(), name: 'zz-tbl-middle', flavor: 'm1.large', age: '2 hours' },
    { uuid: crypto.randomUUID(), name: 'zz-tbl-old', flavor: 'm1.large', age: '5 hours' },
    { uuid: crypto.randomUUID(), name: 'zz-tbl-ancient', flavor: 'm1.small', age: '26 hours' },
  ];

  test.beforeAll(async () => {
    const sql = apiSql();
    const flavor = (name: string, id: number) =>
      flavorPrimitive({
        id,
        name,
        memoryMb: 2048 * id,
        vcpus: id,
        rootGb: 20,
        ephemeralGb: 0,
        flavorid: String(id),
        swap: 0,
        rxtxFactor: 1,
        vcpuWeight: null,
        disabled: false,
        isPublic: true,
        description: null,
      });
    try {
      for (const b of boots) {
        const json = JSON.stringify(
          buildRequestInstancePrimitive({
            uuid: b.uuid,
            displayName: b.name,
            projectId: project,
            userId: 'e2e-tables-user',
            imageRef: 'e2e-image',
            flavor: flavor(b.flavor, b.flavor === 'm1.small' ? 2 : 4),
          }),
        );
        await sql`insert into build_requests (instance_uuid, project_id, instance, created_at)
          values (${b.uuid}, ${project}, ${json}, (now() at time zone 'utc') - ${b.age}::interval)`;
        await sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete) values (${b.uuid}, null, ${project}, 'e2e-tables-user', false)`;
      }
    } finally {
      await sql.end({ timeout: 2 });
    }
  });
  test.afterAll(async () => {
    const sql = apiSql();
    try {
      await sql`delete from build_requests where project_id = ${project}`;
      await sql`delete from instance_mappings where project_id = ${project}`;
    } finally {
      await sql.end({ timeout: 2 });
    }
  });

  /** The Instance column as shown (without its copy button). */
  const instances = (page: Page) => viewRows(page, 'Pending build requests', ['Instance']).then((rows) => rows.map(([u]) => u));

  async function dbOrder(api: postgres.Sql, orderBy: string, where = 'true') {
    const rows = await api.unsafe<{ instance_uuid: string }[]>(
      `select instance_uuid from build_requests where project_id = '${project}' and ${where} order by ${orderBy}`,
    );
    return rows.map((r) => r.instance_uuid);
  }

  test('the search narrows by project, flavor and age; sorting by Age puts the oldest first as the database dates them', async ({ page, api }) => {
    await page.goto('/build-requests?refresh=false');
    const table = page.getByRole('table', { name: 'Pending build requests' });
    await expect(rowHeaders(table).first()).toBeVisible();
    await search(page, 'Search pending build requests', `project:${project}`);
    await expect(page).toHaveURL(new RegExp(`project=${project}`));
    // The server's order: created_at.
    await expect.poll(() => instances(page)).toEqual(await dbOrder(api, 'created_at, id'));

    await table.getByRole('button', { name: /^Age\s*,/ }).click();
    await expect(page).toHaveURL(/sort=age&dir=desc/);
    await expect.poll(() => instances(page)).toEqual(await dbOrder(api, 'created_at asc'));
    await table.getByRole('button', { name: /^Age\s*,/ }).click();
    await expect.poll(() => instances(page)).toEqual(await dbOrder(api, 'created_at desc'));
    await table.getByRole('button', { name: /^Name\s*,/ }).click();
    await expect(
      table
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader') })
        .locator('td:nth-child(3)'),
    ).toHaveText(['zz-tbl-ancient', 'zz-tbl-middle', 'zz-tbl-old', 'zz-tbl-young']);

    await search(page, 'Search pending build requests', `project:${project} flavor:m1.large age:3h`);
    await expect(page).toHaveURL(/flavor=m1.large/);
    await expect(page).toHaveURL(/age=3h/);
    await expect.poll(() => instances(page)).toEqual([boots[2]!.uuid]);
    await expect(page.getByRole('searchbox', { name: 'Search pending build requests' })).toHaveValue(`project:${project} flavor:m1.large age:3h`);

    await expectRefusedSearch(page, 'Search pending build requests', table, 'host:cmp-1', 'Unknown key "host:"');
    await expectRefusedSearch(page, 'Search pending build requests', table, 'age:soon', 'age: is a duration');
    await expectRefusedSearch(page, 'Search pending build requests', table, 'state:lost', 'state: is one of stuck, corrupt, placed, scheduling');

    // Free text: the name.
    await search(page, 'Search pending build requests', `project:${project} young`);
    await expect.poll(() => instances(page)).toEqual([boots[0]!.uuid]);
  });

  test('the export holds the rows in view, in their order; auto-refresh is there and off stays off', async ({ page }) => {
    await page.goto(`/build-requests?project=${project}&sort=age&dir=desc&refresh=false`);
    await expect(rowHeaders(page.getByRole('table', { name: 'Pending build requests' }))).toHaveCount(4);
    const e = await expectExportIsTheView(page, 'Pending build requests', ['Instance', 'Name', 'Project', 'User', 'Flavor']);
    expect(e.csvRows.map((r) => r[e.csvHeader.indexOf('Name')])).toEqual(['zz-tbl-ancient', 'zz-tbl-old', 'zz-tbl-middle', 'zz-tbl-young']);
    // Age in seconds, as the server measures it.
    const ages = e.json.rows.map((r) => Number(r.age));
    expect(ages[0]).toBeGreaterThanOrEqual(26 * 3600);
    expect(ages).toEqual([...ages].sort((a, b) => b - a));
    expect(e.json.complete).toBe(true);

    await expect(page.getByRole('checkbox', { name: 'Auto-refresh' })).not.toBeChecked();
    const off = countTrpc(page);
    await page.waitForTimeout(3_000);
    expect(off.paths).toEqual([]);
  });
});

// ---- audit: sorted by time on the server, keyset pages --------------------------------

test.describe('Audit table', () => {
  const actor = `e2e-tables-${TAG}`;

  test.beforeAll(async () => {
    const sql = apiSql();
    try {
      // 60 rows, their times out of id order, some at one instant.
      await sql`insert into cellar.audit_log (source, actor_kind, actor, role, action, target, outcome, reason, at)
        select 'cli', 'cli', ${actor}, 'operator', case when g % 2 = 0 then 'delete_cell' else 'cells.rename' end, 'cell zz-' || g,
               case when g % 4 = 0 then 'refused' else 'done' end, case when g % 4 = 0 then 'no' else null end,
               (now() at time zone 'utc') - interval '1 day' + ((g * 7919) % 23) * interval '1 minute'
        from generate_series(1, 60) g`;
    } finally {
      await sql.end({ timeout: 2 });
    }
  });
  test.afterAll(async () => {
    const sql = apiSql();
    try {
      await sql`delete from cellar.audit_log where actor = ${actor}`;
    } finally {
      await sql.end({ timeout: 2 });
    }
  });

  async function dbOrder(api: postgres.Sql, dir: 'asc' | 'desc', where = 'true') {
    const rows = await api.unsafe<{ n: string }[]>(
      `select id::text as n from cellar.audit_log where actor = '${actor}' and ${where} order by at ${dir}, id ${dir}`,
    );
    return rows.map((r) => r.n);
  }
  const ids = (page: Page) =>
    page.locator('table[aria-label="Audit log"] tbody tr[data-audit-id]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-audit-id')));

  test('newest first; a click on Time sorts oldest first on the server, and the pages follow that order', async ({ page, api }) => {
    await page.goto(`/audit?actor=${actor}`);
    await expect.poll(() => ids(page)).toEqual((await dbOrder(api, 'desc')).slice(0, 50));
    const table = page.getByRole('table', { name: 'Audit log' });
    await table.getByRole('button', { name: /^Time\s*,/ }).click();
    await expect(page).toHaveURL(/sort=at&dir=asc/);
    const asc = await dbOrder(api, 'asc');
    await expect.poll(() => ids(page)).toEqual(asc.slice(0, 50));
    const pager = page.getByRole('navigation', { name: 'Pages of Audit log' });
    await pager.getByRole('button', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/marker=/);
    await expect.poll(() => ids(page)).toEqual(asc.slice(50));
    await pager.getByRole('button', { name: 'Previous page' }).click();
    await expect(page).toHaveURL(/back=true/);
    await expect.poll(() => ids(page)).toEqual(asc.slice(0, 50));
    await pager.getByLabel('Rows per page').selectOption('25');
    await expect.poll(() => ids(page)).toEqual(asc.slice(0, 25));
  });

  test('actor:, outcome: and action: set the filters; an unknown key or outcome is said and changes nothing', async ({ page, api }) => {
    await page.goto('/audit');
    const table = page.getByRole('table', { name: 'Audit log' });
    await expect(table).toBeVisible();
    await search(page, 'Search the audit log', `actor:${actor} outcome:refused action:delete_`);
    await expect(page).toHaveURL(new RegExp(`actor=${actor}`));
    await expect(page).toHaveURL(/outcome=refused/);
    await expect(page).toHaveURL(/action=delete_/);
    await expect.poll(() => ids(page)).toEqual(await dbOrder(api, 'desc', `outcome = 'refused' and action like 'delete\\_%'`));
    await expect(page.getByRole('combobox', { name: 'Outcome' })).toHaveValue('refused');
    await expect(page.getByRole('textbox', { name: 'Actor' })).toHaveValue(actor);

    const url = page.url();
    await search(page, 'Search the audit log', 'who:me');
    await expect(page.getByRole('search', { name: 'Search the audit log' }).getByRole('alert')).toContainText('Unknown key "who:"');
    await search(page, 'Search the audit log', 'outcome:maybe');
    await expect(page.getByRole('search', { name: 'Search the audit log' }).getByRole('alert')).toContainText(
      'outcome: is one of done, refused, failed, started',
    );
    expect(page.url()).toBe(url);
  });

  test('the export holds the page in view, in its order', async ({ page }) => {
    await page.goto(`/audit?actor=${actor}&sort=at&dir=asc&size=25`);
    await expect(page.locator('table[aria-label="Audit log"] tbody tr[data-audit-id]')).toHaveCount(25);
    const e = await expectExportIsTheView(page, 'Audit log', ['Time', 'Role', 'Via', 'Action', 'Target', 'Request']);
    expect(e.csvRows).toHaveLength(25);
    expect(e.json.rows.filter((r) => String(r.outcome).startsWith('refused')).every((r) => r.outcome === 'refused: no')).toBe(true);
  });
});

// ---- users and tokens: sorted in the browser, exported without secrets ---------------

test.describe('Users and tokens tables', () => {
  test('users sort by a header as the database dates them, and export what is in view', async ({ page, api }) => {
    await page.goto('/users');
    const table = page.getByRole('table', { name: 'Users' });
    await expect(rowHeaders(table).first()).toBeVisible();
    await table.getByRole('button', { name: /^Created\s*,/ }).click();
    await expect(page).toHaveURL(/sort=created&dir=desc/);
    // Ties (users made in one transaction) keep the list's own order, by name.
    const want = await api<{ username: string }[]>`
      select username from cellar.users order by date_trunc('milliseconds', created_at) desc, username`;
    await expect.poll(async () => (await viewRows(page, 'Users', ['Name'])).map(([n]) => n!.replace(/\(you\)$/, ''))).toEqual(want.map((u) => u.username));
    const e = await exportBoth(page, 'Users');
    expect(e.csvHeader).toEqual(['Name', 'Role', 'Created', 'Last sign-in', 'Active sessions']);
    expect(e.csvRows.map((r) => r[0])).toEqual(want.map((u) => u.username));
    expect(e.raw).not.toMatch(/password/i);
  });

  test('the users search narrows by role and name as the database has them, and refuses a role there is not', async ({ page, api }) => {
    await page.goto('/users');
    const table = page.getByRole('table', { name: 'Users' });
    await expect(rowHeaders(table).first()).toBeVisible();
    await search(page, 'Search users', 'role:viewer');
    await expect(page).toHaveURL(/[?&]role=viewer/);
    const viewers = await api<{ username: string }[]>`select username from cellar.users where role = 'viewer'`;
    expect(viewers.length).toBeGreaterThan(0);
    await expect
      .poll(async () => (await viewRows(page, 'Users', ['Name'])).map(([n]) => n!.replace(/\(you\)$/, '')).sort())
      .toEqual(viewers.map((u) => u.username).sort());
    // The export is the view: the rows the search left.
    const e = await exportBoth(page, 'Users');
    expect(e.csvRows.map((r) => r[0]).sort()).toEqual(viewers.map((u) => u.username).sort());

    await search(page, 'Search users', 'oper');
    await expect(page).toHaveURL(/[?&]q=oper/);
    await expect(page).not.toHaveURL(/[?&]role=/);
    const named = await api<{ username: string }[]>`select username from cellar.users where username ilike '%oper%'`;
    await expect
      .poll(async () => (await viewRows(page, 'Users', ['Name'])).map(([n]) => n!.replace(/\(you\)$/, '')).sort())
      .toEqual(named.map((u) => u.username).sort());

    const url = page.url();
    await search(page, 'Search users', 'role:admin');
    await expect(page.getByRole('search', { name: 'Search users' }).getByRole('alert')).toContainText('role: is one of viewer, support, operator');
    await search(page, 'Search users', 'colour:red');
    await expect(page.getByRole('search', { name: 'Search users' }).getByRole('alert')).toContainText('Unknown key "colour:"');
    expect(page.url()).toBe(url);

    await search(page, 'Search users', 'name:nobody-has-this-name');
    await expect(table).toContainText('No user matches this search.');
  });

  test('the tokens search narrows by state and maker, and a revoked token is found by state:revoked', async ({ page, api }) => {
    const name = `e2e-search-${TAG}`;
    try {
      await page.goto('/tokens');
      const form = page.getByRole('form', { name: 'Create a token' });
      await form.getByLabel('Name').fill(name);
      await form.getByRole('button', { name: 'Create token' }).click();
      await expect(page.getByTestId('token-secret')).toBeVisible();
      const table = page.getByRole('table', { name: 'Tokens' });
      await expect(rowHeaders(table).filter({ hasText: name })).toHaveCount(1);
      await api`update cellar.api_tokens set revoked_at = now(), revoked_by = 'e2e' where name = ${name}`;

      await page.goto(`/tokens?state=revoked`);
      const revoked = await api<{ name: string }[]>`select name from cellar.api_tokens where revoked_at is not null`;
      await expect.poll(async () => (await rowHeaders(table).allTextContents()).sort()).toEqual(revoked.map((t) => t.name).sort());
      await expect(page.getByRole('searchbox', { name: 'Search tokens' })).toHaveValue('state:revoked');

      await search(page, 'Search tokens', `state:active ${name}`);
      await expect(table).toContainText('No token matches this search.');
      await search(page, 'Search tokens', `by:operator ${name}`);
      await expect(rowHeaders(table)).toHaveText([name]);
      await search(page, 'Search tokens', 'state:lost');
      await expect(page.getByRole('search', { name: 'Search tokens' }).getByRole('alert')).toContainText('state: is one of active, expired, revoked');
    } finally {
      await api`delete from cellar.api_tokens where name = ${name}`;
    }
  });

  test('tokens sort by a header, and the export never holds a secret', async ({ page, api }) => {
    const name = `e2e-tables-${TAG}`;
    try {
      await page.goto('/tokens');
      const form = page.getByRole('form', { name: 'Create a token' });
      await form.getByLabel('Name').fill(name);
      await form.getByRole('button', { name: 'Create token' }).click();
      const secret = (await page.getByTestId('token-secret').textContent())!;
      expect(secret).toMatch(/^cellar_/);
      const table = page.getByRole('table', { name: 'Tokens' });
      await expect(rowHeaders(table).filter({ hasText: name })).toHaveCount(1);

      await table.getByRole('button', { name: /^Created\s*,/ }).click();
      await table.getByRole('button', { name: /^Created\s*,/ }).click();
      await expect(page).toHaveURL(/sort=created&dir=asc/);
      // Ties keep the list's order: active first, newest first.
      const want = await api<{ name: string }[]>`
        select name from cellar.api_tokens
        order by date_trunc('milliseconds', created_at) asc, (revoked_at is not null), created_at desc, id desc`;
      await expect(rowHeaders(table)).toHaveText(want.map((t) => t.name));

      const e = await expectExportIsTheView(page, 'Tokens', ['Name', 'Role', 'State', 'Created by', 'Created', 'Expires']);
      expect(e.raw).not.toContain(secret);
      expect(e.raw).not.toContain(secret.slice('cellar_'.length, 20));
      expect(e.csvRows.some((r) => r[0] === name)).toBe(true);
    } finally {
      await api`delete from cellar.api_tokens where name = ${name}`;
    }
  });
});
