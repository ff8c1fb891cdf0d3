/**
 * The overview (issue 12): its charts show the demo's figures, checked against the
 * databases (each cell's compute nodes and services, the api's host mappings, flavors and
 * build requests, cell0's instances and faults), computed here from the rows with nova's
 * rules rather than read back through Cellar's code; each chart's table says the same; the
 * window is in the URL and changes the buckets; the cell0 fault groups carry a trend, first
 * and last seen and the count in the window, and a "No valid host" group leads to the
 * room for its flavor in every cell. A cell that stops answering keeps its last-known
 * figures, and a cell0 that stops answering does not blank the page.
 *
 * Reads the demo; what it adds (one cell mapping) or changes (cell0's URL, for one test)
 * it puts back.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { formatAmount, type ResourceKind } from '../server/nova/capacity';
import { normaliseFault } from '../server/triage/fault-text';
import { closedPort, DEMO_USERS, expect, test } from './fixtures';

const CELL0_UUID = '00000000-0000-0000-0000-000000000000';

function cellSql(database: 'cell0' | 'cell1' | 'cell2'): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 1, onnotice: () => {} });
}

/** The e2e console's allocation ratios where a node stores none (its environment sets no CELLAR_INITIAL_*). */
const INITIAL = { vcpus: 4, memoryMb: 1, diskGb: 1 };
const KINDS: ResourceKind[] = ['vcpus', 'memoryMb', 'diskGb'];

interface Node {
  placement: 'schedulable' | 'unmapped' | 'other';
  cap: Record<ResourceKind, number>;
  used: Record<ResourceKind, number>;
}

/**
 * A cell's compute nodes as nova's scheduler sees them: capacity ⌊total × ratio⌋ (the
 * node's ratio, or the initial one where it stores none), schedulable when nova-compute is
 * up (heard from within service_down_time, 60 s) and enabled and the host is mapped here,
 * "unmapped" when the host has no mapping yet.
 */
async function nodesOf(api: postgres.Sql, database: 'cell1' | 'cell2'): Promise<Node[]> {
  const sql = cellSql(database);
  try {
    const [rows, mapped] = await Promise.all([
      sql<
        {
          host: string | null;
          hypervisor_hostname: string | null;
          vcpus: number;
          memory_mb: number;
          local_gb: number;
          vcpus_used: number;
          memory_mb_used: number;
          local_gb_used: number;
          cpu_allocation_ratio: number | null;
          ram_allocation_ratio: number | null;
          disk_allocation_ratio: number | null;
          has_service: boolean;
          disabled: boolean | null;
          forced_down: boolean | null;
          silent_s: number | null;
        }[]
      >`
        select cn.host, cn.hypervisor_hostname, cn.vcpus, cn.memory_mb, cn.local_gb, cn.vcpus_used, cn.memory_mb_used, cn.local_gb_used,
               cn.cpu_allocation_ratio, cn.ram_allocation_ratio, cn.disk_allocation_ratio,
               s.id is not null as has_service, s.disabled, s.forced_down,
               abs(extract(epoch from ((now() at time zone 'utc') - coalesce(s.last_seen_up, s.created_at))))::float8 as silent_s
        from compute_nodes cn
        left join services s on s.host = cn.host and s.binary = 'nova-compute' and s.deleted = 0
        where cn.deleted = 0`,
      api<{ host: string; cell: string }[]>`select h.host, c.name as cell from host_mappings h join cell_mappings c on c.id = h.cell_id`,
    ]);
    const cellOf = new Map(mapped.map((m) => [m.host, m.cell]));
    const ratio = (stored: number | null, initial: number) => (stored !== null && stored > 0 ? stored : initial);
    return rows.map((r) => {
      const up = r.has_service && !r.disabled && !r.forced_down && r.silent_s !== null && r.silent_s <= 60;
      const candidate = up && Boolean(r.host) && Boolean(r.hypervisor_hostname);
      const where = r.host ? cellOf.get(r.host) : undefined;
      return {
        placement: !candidate ? 'other' : where === database ? 'schedulable' : where === undefined ? 'unmapped' : 'other',
        cap: {
          vcpus: Math.floor(r.vcpus * ratio(r.cpu_allocation_ratio, INITIAL.vcpus)),
          memoryMb: Math.floor(r.memory_mb * ratio(r.ram_allocation_ratio, INITIAL.memoryMb)),
          diskGb: Math.floor(r.local_gb * ratio(r.disk_allocation_ratio, INITIAL.diskGb)),
        },
        used: { vcpus: r.vcpus_used, memoryMb: r.memory_mb_used, diskGb: r.local_gb_used },
      };
    });
  } finally {
    await sql.end({ timeout: 2 });
  }
}

const room = (n: Node, k: ResourceKind) => Math.max(0, n.cap[k] - n.used[k]);

/** A card's table as the page should show it: per resource capacity, used, and the free room by where it is. */
function capacityTable(nodes: Node[]): string[][] {
  const sum = (f: (n: Node) => number, which?: Node['placement']) => nodes.filter((n) => !which || n.placement === which).reduce((s, n) => s + f(n), 0);
  return KINDS.map((k) => {
    const free = sum((n) => room(n, k));
    const sched = sum((n) => room(n, k), 'schedulable');
    const unmapped = sum((n) => room(n, k), 'unmapped');
    const name = { vcpus: 'vCPUs', memoryMb: 'RAM', diskGb: 'Disk' }[k];
    return [name, ...[sum((n) => n.cap[k]), sum((n) => n.used[k]), sched, unmapped, Math.max(0, free - sched - unmapped)].map((v) => formatAmount(k, v))];
  });
}

/** Every row of a table, header cell first, as text. */
async function tableRows(table: Locator): Promise<string[][]> {
  return table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())));
}

async function columnNames(table: Locator): Promise<string[]> {
  return table.locator('thead th').evaluateAll((ths) => ths.map((th) => (th.textContent ?? '').trim()));
}

/** Open a chart's "Show as table" and answer its table. */
async function openTable(figure: Locator, name: string): Promise<Locator> {
  await figure.getByText('Show as table', { exact: true }).click();
  const table = figure.getByRole('table', { name });
  await expect(table).toBeVisible();
  return table;
}

/** cell0's live failures: each instance once, at its latest live fault's time (its own created_at without one), under the normalised text. */
async function cell0Failures(): Promise<{ at: Date; key: string; flavor: string | null }[]> {
  const sql = cell0Sql();
  try {
    const rows = await sql<{ at: string; message: string | null; flavor: string | null }[]>`
      select coalesce(f.created_at, i.created_at)::text as at, f.message, e.flavor
      from instances i
      left join lateral (select message, created_at from instance_faults where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1) f on true
      left join lateral (select flavor from instance_extra where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1) e on true
      where i.deleted = 0 and i.uuid <> ${CELL0_UUID}`;
    return rows.map((r) => ({ at: new Date(`${r.at.replace(' ', 'T')}Z`), key: normaliseFault(r.message), flavor: r.flavor }));
  } finally {
    await sql.end({ timeout: 2 });
  }
}
const cell0Sql = () => cellSql('cell0');

/** A table row's bucket ("2026-03-03 UTC" or "2026-03-03 14:00–15:00 UTC") as [start, end). */
function bucketOf(title: string): [number, number] {
  const m = /^(\d{4}-\d\d-\d\d)(?: (\d\d:\d\d)–(\d\d:\d\d))? UTC$/.exec(title);
  if (!m) throw new Error(`not a bucket: ${title}`);
  if (!m[2]) {
    const start = Date.parse(`${m[1]}T00:00:00Z`);
    return [start, start + 86_400_000];
  }
  const start = Date.parse(`${m[1]}T${m[2]}:00Z`);
  return [start, start + 3_600_000];
}

/** The failures chart's table checked against cell0: every bucket's total, and every fault group's column. */
async function expectFailuresMatch(page: Page, window: string, rowsExpected: number) {
  const figure = page.locator('figure[data-chart="cell0-failures"]');
  await expect(figure.locator(`[data-window="${window}"]`)).toBeVisible();
  const label = { '24h': 'last 24 hours', '7d': 'last 7 days', '30d': 'last 30 days' }[window];
  const details = figure.locator('details');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await figure.getByText('Show as table', { exact: true }).click();
  const table = figure.getByRole('table', { name: `cell0 failures over the ${label} as a table` });
  const columns = (await columnNames(table)).slice(1);
  const rows = await tableRows(table);
  expect(rows).toHaveLength(rowsExpected);
  const failures = await cell0Failures();
  let total = 0;
  for (const [title, ...cells] of rows) {
    const [start, end] = bucketOf(title!);
    const here = failures.filter((f) => f.at.getTime() >= start && f.at.getTime() < end);
    total += here.length;
    const expected = columns.map((c) => (c === 'Total' ? here.length : here.filter((f) => f.key === c).length));
    expect(cells.map(Number), `bucket ${title}`).toEqual(expected);
  }
  // The chart says the same total in its title and its accessible name, and draws a segment per non-zero cell.
  await expect(figure.getByRole('img')).toHaveAccessibleName(total === 0 ? /: none$/ : new RegExp(`: ${total} in all`));
  await expect(figure.locator('figcaption')).toContainText(`${total} failure${total === 1 ? '' : 's'} over the ${label}`);
  const nonZero = rows.reduce((s, [, ...cells]) => s + cells.slice(0, -1).filter((c) => c !== '0').length, 0);
  await expect(figure.locator('path.recharts-rectangle')).toHaveCount(nonZero);
  return total;
}

test.describe('Overview', () => {
  test("each cell's capacity bars and their table show the cell's compute nodes as the database holds them", async ({ page, api }) => {
    await page.goto('/overview');
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 3 cells answered');
    for (const cell of ['cell1', 'cell2'] as const) {
      const card = page.getByRole('region', { name: `Capacity of ${cell}` });
      await expect(card).toHaveAttribute('data-state', 'up');
      const expected = capacityTable(await nodesOf(api, cell));
      const table = await openTable(card, `Capacity of ${cell} as a table`);
      expect(await columnNames(table)).toEqual([
        'Resource',
        'Capacity',
        'Used',
        'Free where the scheduler places',
        'Free on hosts awaiting discover_hosts',
        'Free on hosts the scheduler skips',
      ]);
      expect(await tableRows(table)).toEqual(expected);
      // The bars: one image named with the used share of each resource, a segment per non-zero part.
      const [vcpus] = expected;
      const used = (Number(vcpus![2]!.replace(/\D/g, '')) / Number(vcpus![1]!.replace(/\D/g, ''))) * 100;
      await expect(card.getByRole('img')).toHaveAccessibleName(new RegExp(`^Capacity of ${cell}: vCPUs ${Math.round(used * 10) / 10} % used of ${vcpus![1]}`));
      const nonZero = expected.flatMap((r) => r.slice(2)).filter((v) => !/^0 /.test(v)).length;
      await expect(card.locator('path.recharts-rectangle')).toHaveCount(nonZero);
    }
    // The flavor slots are there too, one column per cell.
    await expect(page.getByRole('table', { name: 'Flavor slots' }).getByRole('columnheader', { name: 'cell1' })).toBeVisible();
  });

  test("cell0's failures by day, stacked by fault, match cell0's instances and faults; the window switch changes the URL and the buckets", async ({ page }) => {
    await page.goto('/overview');
    const total7 = await expectFailuresMatch(page, '7d', 7);
    const switcher = page.getByRole('group', { name: 'Window of cell0 failures' });
    await expect(switcher.getByRole('button', { name: '7d' })).toHaveAttribute('aria-pressed', 'true');

    await switcher.getByRole('button', { name: '24h' }).click();
    await expect(page).toHaveURL(/[?&]window=24h/);
    const total24 = await expectFailuresMatch(page, '24h', 24);
    await switcher.getByRole('button', { name: '30d' }).click();
    await expect(page).toHaveURL(/[?&]window=30d/);
    const total30 = await expectFailuresMatch(page, '30d', 30);
    // The demo's failures reach back 13 days: a longer window holds more of them.
    expect(total24).toBeLessThanOrEqual(total7);
    expect(total30).toBeGreaterThan(total7);

    // The window is the URL's: a link to it opens it, and the default leaves the URL.
    await page.goto('/overview?window=24h');
    await expectFailuresMatch(page, '24h', 24);
    await page.getByRole('group', { name: 'Window of cell0 failures' }).getByRole('button', { name: '7d' }).click();
    await expect(page).not.toHaveURL(/window=/);
    await expectFailuresMatch(page, '7d', 7);
  });

  test('pending build requests by age, unmapped computes and the checks match the database and the checks page', async ({ page, api }) => {
    await page.goto('/overview');
    // Ages move with the clock: read the page and the database again if a request crossed an edge in between.
    await expect(async () => {
      await page.reload();
      const figure = page.locator('figure[data-chart="build-request-ages"]');
      const table = await openTable(figure, 'Pending build requests by age as a table');
      const rows = await api<{ age: number | null }[]>`
        select floor(extract(epoch from ((now() at time zone 'utc') - created_at)))::float8 as age from build_requests
        where project_id <> 'INSTANCE_MIGRATION_MARKER' and project_id <> ${CELL0_UUID} and instance_uuid is distinct from ${CELL0_UUID}`;
      const edges = [60, 600, 3600, 86_400];
      const counts = [0, 0, 0, 0, 0];
      for (const r of rows) if (r.age !== null) counts[edges.filter((e) => Math.max(0, r.age!) >= e).length]!++;
      expect(await tableRows(table)).toEqual(
        ['under 1 min', '1–10 min', '10–60 min', '1–24 h', 'over 1 day']
          .map((label, i) => [label, String(counts[i])])
          .concat(rows.some((r) => r.age === null) ? [['unknown', String(rows.filter((r) => r.age === null).length)]] : []),
      );
      const stuck = rows.filter((r) => r.age !== null && r.age > 600).length;
      await expect(figure.locator('figcaption')).toContainText(`${rows.length} pending by age`);
      await expect(figure.locator('figcaption')).toContainText(stuck ? `${stuck} stuck (older than 10 minutes)` : 'none stuck');
      await expect(figure.getByRole('img')).toHaveAccessibleName(new RegExp(`^Pending build requests by age: ${rows.length} in all`));
    }).toPass({ timeout: 30_000 });

    // Unmapped computes: live compute hosts of each cell that no host mapping names.
    const mapped = new Set((await api<{ host: string }[]>`select host from host_mappings`).map((r) => r.host));
    const unmapped = page.getByRole('table', { name: 'Unmapped computes per cell' });
    for (const cell of ['cell1', 'cell2'] as const) {
      const sql = cellSql(cell);
      const hosts = await sql<{ host: string }[]>`select host from compute_nodes where deleted = 0 and host is not null`.finally(() => sql.end({ timeout: 2 }));
      const n = hosts.filter((h) => !mapped.has(h.host)).length;
      await expect(
        unmapped
          .getByRole('row')
          .filter({ has: page.getByRole('rowheader', { name: cell, exact: true }) })
          .locator('td'),
      ).toHaveText(String(n));
    }

    // The checks: as many fail and warn as on the checks page.
    const status = page.getByRole('region', { name: 'Checks' }).getByRole('status');
    await expect(status).toContainText('passing');
    await expect(status).not.toContainText('provisional');
    const failing = Number(await status.getAttribute('data-failing'));
    const warning = Number(await status.getAttribute('data-warning'));
    await page.goto('/checks');
    const results = page.getByRole('table', { name: 'Checks' }).locator('tbody tr td:nth-of-type(1)');
    await expect(page.getByLabel('Overall result')).toContainText('Overall');
    const texts = await results.allInnerTexts();
    expect(texts.filter((t) => t.trim() === 'Failure')).toHaveLength(failing);
    expect(texts.filter((t) => t.trim() === 'Warning')).toHaveLength(warning);
  });

  test("a cell that stops answering keeps its last-known capacity, marked stale; the other cells' parts stay", async ({ page, api }) => {
    const uuid = crypto.randomUUID();
    const name = 'e2e-overview-dark';
    const [cell2] = await api<
      { transport_url: string; database_connection: string }[]
    >`select transport_url, database_connection from cell_mappings where name = 'cell2'`;
    await api`insert into cell_mappings (uuid, name, transport_url, database_connection, disabled) values (${uuid}, ${name}, ${cell2!.transport_url}, ${cell2!.database_connection}, false)`;
    try {
      await page.goto('/overview');
      const card = page.getByRole('region', { name: `Capacity of ${name}` });
      await expect(card).toHaveAttribute('data-state', 'up');
      const before = await tableRows(await openTable(card, `Capacity of ${name} as a table`));

      const port = await closedPort();
      await api`update cell_mappings set database_connection = ${`postgresql://nova:overview-s3cret@127.0.0.1:${port}/nova`} where uuid = ${uuid}`;
      await page.goto('/overview');
      const notice = page.locator(`[data-cell-notice="${uuid}"]`);
      await expect(notice).toHaveAttribute('data-state', 'down');
      await expect(notice).toContainText('refused the connection');
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 4 cells answered');
      await expect(card).toHaveAttribute('data-state', 'stale');
      await expect(card).toContainText(/down \(refused\), last known figures \(stale, as of \d\d:\d\d:\d\d UTC\)/);
      expect(await tableRows(await openTable(card, `Capacity of ${name} as a table`))).toEqual(before);
      await expect(page.getByRole('region', { name: 'Capacity of cell1' })).toHaveAttribute('data-state', 'up');
      await expect(page.getByRole('table', { name: 'Unmapped computes per cell' }).getByRole('row').filter({ hasText: name })).toContainText('stale, as of');
      expect(await page.content()).not.toContain('overview-s3cret');
    } finally {
      await api`delete from cell_mappings where uuid = ${uuid}`;
      await api`delete from cellar.cell_figures where cell_uuid = ${uuid}`;
      await api`delete from cellar.cell_health where cell_uuid = ${uuid}`;
    }
  });

  test('a cell0 that stops answering leaves the rest of the page: its part says so with its last-known counts', async ({ page, api }) => {
    // An unfiltered read of cell0's fault groups keeps its counts.
    await page.goto('/cell0?view=groups');
    await expect(page.getByRole('table', { name: 'Fault groups' })).toBeVisible();
    const [cell0] = await api<{ database_connection: string }[]>`select database_connection from cell_mappings where uuid = ${CELL0_UUID}`;
    const port = await closedPort();
    await api`update cell_mappings set database_connection = ${`postgresql://nova:cell0-s3cret@127.0.0.1:${port}/nova_cell0`} where uuid = ${CELL0_UUID}`;
    try {
      await page.goto('/overview');
      const failures = page.getByRole('region', { name: 'cell0 failures' });
      await expect(failures.locator('[data-state="down"]')).toContainText('cell0 did not answer (refused)');
      await expect(failures.locator('[data-last-known]')).toContainText(/When it last answered it held \d+ failed boots in \d+ fault groups.*stale, as of/);
      await expect(page.locator(`[data-cell-notice="${CELL0_UUID}"]`)).toHaveAttribute('data-state', 'down');
      await expect(page.getByRole('region', { name: 'Capacity of cell1' })).toHaveAttribute('data-state', 'up');
      await expect(page.locator('figure[data-chart="build-request-ages"]')).toBeVisible();
      expect(await page.content()).not.toContain('cell0-s3cret');
    } finally {
      await api`update cell_mappings set database_connection = ${cell0!.database_connection} where uuid = ${CELL0_UUID}`;
    }
  });

  test('signing in lands on the overview; / is still the cells page', async ({ browser }) => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    try {
      const page = await context.newPage();
      await page.goto('/');
      await expect(page).toHaveURL(/\/sign-in$/);
      await page.getByLabel('User name').fill('viewer');
      await page.getByLabel('Password').fill(DEMO_USERS.viewer);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/overview$/);
      await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
      await page.goto('/');
      await expect(page.getByRole('heading', { name: 'Cells', level: 1 })).toBeVisible();
    } finally {
      await context.close();
    }
  });
});

test.describe('cell0 fault groups as an error tracker shows them', () => {
  test('each group has a trend over the window, its count in the window and its first and last seen, as cell0 holds them', async ({ page }) => {
    await page.goto('/cell0?view=groups');
    const table = page.getByRole('table', { name: 'Fault groups' });
    await expect(table.locator('[data-sparkline]').first()).toBeVisible();
    const failures = await cell0Failures();
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const start = today - 6 * 86_400_000;
    const end = today + 86_400_000;
    const keys = [...new Set(failures.map((f) => f.key))];
    expect(await table.locator('tbody tr').count()).toBe(keys.length);
    for (const key of keys) {
      const row = table.locator(`tr[data-group="${key.replace(/"/g, '\\"')}"]`);
      const mine = failures.filter((f) => f.key === key);
      const inWindow = mine.filter((f) => f.at.getTime() >= start && f.at.getTime() < end);
      await expect(row.locator('[data-in-window]')).toHaveText(String(inWindow.length));
      const spark = row.getByRole('img', { name: new RegExp(`^Trend of .* over the last 7 days: ${inWindow.length ? `${inWindow.length} failure` : 'none'}`) });
      await expect(spark).toBeVisible();
      const series = ((await spark.getAttribute('data-sparkline')) ?? '').split(',').map(Number);
      expect(series).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => inWindow.filter((f) => Math.floor((f.at.getTime() - start) / 86_400_000) === d).length));
      // First and last seen: the earliest and latest failure of the group, to the second (UTC on hover).
      const utc = (d: Date) => `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
      const times = mine.map((f) => f.at.getTime());
      await expect(row.locator('td time').nth(0)).toHaveAttribute('title', utc(new Date(Math.min(...times))));
      await expect(row.locator('td time').nth(1)).toHaveAttribute('title', utc(new Date(Math.max(...times))));
    }
    // The sparklines' numbers are a table too.
    await page.getByText('Show the trends as a table').click();
    await expect(page.getByRole('table', { name: 'Fault group trends over the last 7 days' }).locator('tbody tr')).toHaveCount(keys.length);

    // The window is in the URL and changes the trends.
    await page.getByRole('group', { name: 'Window of the trends' }).getByRole('button', { name: '30d' }).click();
    await expect(page).toHaveURL(/[?&]window=30d/);
    const nvh = table.locator('tr[data-group^="No valid host was found. There are not enough hosts"]');
    await expect(nvh.getByRole('img', { name: /over the last 30 days/ })).toHaveAttribute('data-sparkline', /^(\d+,){29}\d+$/);
  });

  test('a "No valid host" group leads to the room for its flavor in every cell, as the compute nodes hold it', async ({ page, api }) => {
    await page.goto('/cell0?view=groups');
    const nvh = page.getByRole('table', { name: 'Fault groups' }).locator('tr[data-group^="No valid host was found. There are not enough hosts"]');
    await nvh.getByRole('link', { name: 'Room for m1.xlarge per cell' }).click();
    await expect(page).toHaveURL(/\/overview\?flavor=m1\.xlarge#flavor-room$/);
    const roomTable = page.getByRole('table', { name: 'Room for m1.xlarge per cell' });
    await expect(roomTable).toBeVisible();
    await expect(roomTable).toBeInViewport();
    const [f] = await api<{ vcpus: number; memory_mb: number; root_gb: number; ephemeral_gb: number; swap: number }[]>`
      select vcpus, memory_mb, root_gb, ephemeral_gb, swap from flavors where name = 'm1.xlarge'`;
    const need: Record<ResourceKind, number> = { vcpus: f!.vcpus, memoryMb: f!.memory_mb, diskGb: f!.root_gb + f!.ephemeral_gb + Math.ceil(f!.swap / 1024) };
    const slotsOn = (n: Node) => Math.min(...KINDS.filter((k) => need[k] > 0).map((k) => Math.floor(room(n, k) / need[k])));
    const summary: string[] = [];
    for (const cell of ['cell1', 'cell2'] as const) {
      const nodes = await nodesOf(api, cell);
      const slots = nodes.filter((n) => n.placement === 'schedulable').reduce((s, n) => s + slotsOn(n), 0);
      const unmapped = nodes.filter((n) => n.placement === 'unmapped').reduce((s, n) => s + slotsOn(n), 0);
      const row = roomTable.getByRole('row').filter({ has: page.getByRole('rowheader', { name: cell }) });
      await expect(row.locator('td').nth(0)).toHaveText(String(slots));
      await expect(row.locator('td').nth(1)).toHaveText(String(unmapped));
      if (slots > 0) summary.push(`${cell} (${slots} slot${slots === 1 ? '' : 's'})`);
    }
    const status = page.getByRole('region', { name: /^Room for m1\.xlarge \(/ }).getByRole('status');
    await expect(status).toContainText(summary.length ? `Could hold it now: ${summary.join(', ')}.` : 'No enabled cell has room for it now');

    // A flavor deleted since its boots failed (the demo's m1.legacy) has no room anywhere, and the page says why.
    await page.goto('/overview?flavor=m1.legacy');
    await expect(page.getByRole('region', { name: 'Room for m1.legacy' })).toContainText('No enabled flavor is named m1.legacy now (deleted or disabled)');
  });
});

test.describe('accessibility of the overview and the fault groups', () => {
  for (const scheme of ['light', 'dark'] as const) {
    test(`no serious or critical axe violation, ${scheme}`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      for (const url of ['/overview', '/cell0?view=groups']) {
        await page.goto(url);
        await expect(page.locator('[data-sparkline], figure[data-chart="cell0-failures"] path.recharts-rectangle').first()).toBeVisible();
        for (const summary of await page.getByText(/^Show (as|the trends as a) table$/).all()) await summary.click();
        const result = await new AxeBuilder({ page }).analyze();
        const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(bad.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      }
    });
  }
});
