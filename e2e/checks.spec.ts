import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { browserOrder, columnTexts, exportBoth, recordCalls, sortButton } from './export-files';
import { cellarCli, closedPort, expect, signedInAs, test } from './fixtures';

/** A demo cell's own database on the e2e console's embedded cluster, to arrange what nova-compute would write there. */
function cellSql(database: 'cell0' | 'cell1' | 'cell2'): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 1, onnotice: () => {} });
}

interface StatusJson {
  /** nova-status's JSON: `check` is the name, `result` its code, `status` its word. */
  checks: { id: string; check: string; result: number; status: 'success' | 'warning' | 'failure'; details: string | null }[];
  drift: {
    staleHostMappings: { host: string }[];
    misplacedHostMappings: { host: string }[];
    cell0ComputeServices: { host: string }[];
    downCells: { uuid: string }[];
  };
}

test.describe('Checks', () => {
  test("shows nova-status's checks passing on the demo deployment, sorted by a header as the browser sorts them", async ({ page }) => {
    await page.goto('/checks');
    await expect(page.getByRole('heading', { name: 'Checks', level: 1 })).toBeVisible();
    const checks = page.getByRole('table', { name: 'Checks', exact: true });
    const row = (name: string) => checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await expect(row('Cells v2')).toContainText('Success');
    await expect(row('Older than N-1 computes')).toContainText('Success');
    // The demo has one compute a release behind (72, Gazpacho): supported.
    await expect(page.getByText('Minimum nova-compute service version counted: 72')).toBeVisible();
    for (const name of ['Stale host mappings', 'Host mappings to the wrong cell', 'Hosts in more than one cell', 'Compute services in cell0']) {
      await expect(row(name)).toContainText('Success');
    }
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('as of');

    // The same checks, in nova-status's order, as `cellar status` prints them.
    const cli = JSON.parse(cellarCli(['status', '--json']).stdout) as StatusJson;
    const names = cli.checks.map((c) => c.check);
    expect(await columnTexts(checks, 'Check')).toEqual(names);
    await sortButton(checks, 'Check').click();
    await expect(page).toHaveURL(/check_sort=name&check_dir=asc|check_dir=asc&check_sort=name/);
    expect(await columnTexts(checks, 'Check')).toEqual([...names].sort(browserOrder.compare));
    await expect(checks.getByRole('columnheader', { name: /^Check/ })).toHaveAttribute('aria-sort', 'ascending');
    await sortButton(checks, 'Check').click();
    expect(await columnTexts(checks, 'Check')).toEqual([...names].sort(browserOrder.compare).reverse());
    // A link keeps the order.
    await page.reload();
    expect(await columnTexts(checks, 'Check')).toEqual([...names].sort(browserOrder.compare).reverse());
  });

  test('a viewer may run the checks: they only read', async ({ browser }) => {
    const context = await signedInAs(browser, 'viewer');
    try {
      const page = await context.newPage();
      await page.goto('/checks');
      const checks = page.getByRole('table', { name: 'Checks', exact: true });
      await expect(checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Cells v2', exact: true }) })).toContainText('Success');
      await page.getByRole('button', { name: 'Run the checks again' }).click();
      await expect(page.getByLabel('Overall result')).toBeVisible();
      await expect(page.getByRole('alert').filter({ hasText: 'Could not run the checks' })).toHaveCount(0);
    } finally {
      await context.close();
    }
  });

  test('lists each kind of drift added to the deployment, a down cell with its notice, searches and exports them, and clears after a re-run', async ({
    page,
    api,
  }) => {
    const cell0 = cellSql('cell0');
    const cell2 = cellSql('cell2');
    const refused = await closedPort();
    const deadUuid = crypto.randomUUID();
    const ghosts: [string, string, string] = ['e2e-ghost-cmp-2.dc1.example.net', 'e2e-ghost-cmp-10.dc1.example.net', 'e2e-ghost-cmp-1.dc1.example.net'];
    const moved = 'e2e-moved-cmp.dc1.example.net';
    const inCell0 = 'e2e-cmp-in-cell0.dc1.example.net';
    const [cell1] = await api<{ id: number; uuid: string }[]>`select id, uuid from cell_mappings where name = 'cell1'`;
    const cleanup = async () => {
      await api`delete from host_mappings where host = any(${[...ghosts, moved]}::text[])`;
      await api`delete from cell_mappings where uuid = ${deadUuid}`;
      await cell2`delete from compute_nodes where host = ${moved}`;
      await cell2`delete from services where host = ${moved}`;
      await cell0`delete from services where host = ${inCell0}`;
    };
    try {
      // Stale: host mappings whose host no cell has.
      for (const ghost of ghosts) await api`insert into host_mappings (cell_id, host) values (${cell1!.id}, ${ghost})`;
      // Wrong cell: a compute that lives in cell2, mapped to cell1.
      await cell2`insert into services (host, "binary", topic, version, last_seen_up) values (${moved}, 'nova-compute', 'compute', 73, now() at time zone 'utc')`;
      await cell2`insert into compute_nodes (host, hypervisor_hostname, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used, hypervisor_type, hypervisor_version, cpu_info)
        values (${moved}, ${moved}, 8, 16384, 100, 0, 512, 0, 'QEMU', 8002000, '{}')`;
      await api`insert into host_mappings (cell_id, host) values (${cell1!.id}, ${moved})`;
      // A nova-compute whose [database]/connection points at cell0.
      await cell0`insert into services (host, "binary", topic, version, last_seen_up) values (${inCell0}, 'nova-compute', 'compute', 73, now() at time zone 'utc')`;
      // A cell that refuses connections.
      await api`insert into cell_mappings (uuid, name, transport_url, database_connection, disabled)
        values (${deadUuid}, 'e2e-cell-unreachable', 'rabbit://nova:pw@127.0.0.1:5672/', ${`postgresql://nova:sekrit-checks@127.0.0.1:${refused}/nova_cell9`}, false)`;

      await page.goto('/checks?refresh=false');
      const checks = page.getByRole('table', { name: 'Checks', exact: true });
      const row = (name: string) => checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
      await expect(page.getByLabel('Overall result')).toContainText('Warning');
      // A cell down does not stop nova's checks.
      await expect(row('Cells v2')).toContainText('Success');
      await expect(row('Cells answering')).toContainText('Warning');
      await expect(row('Stale host mappings')).toContainText(ghosts[0]!);

      const stale = page.getByRole('table', { name: 'Stale host mappings' });
      const staleRow = stale.getByRole('row').filter({ hasText: ghosts[0]! });
      await expect(staleRow.getByRole('link', { name: ghosts[0]! })).toHaveAttribute('href', `/hosts?host=${ghosts[0]}`);
      await expect(staleRow.getByRole('link', { name: 'cell1' })).toHaveAttribute('href', `/cells/${cell1!.uuid}`);
      // Sorted by host as the browser sorts text (numbers in names as numbers), both ways.
      const staleInDb = (await api<{ host: string }[]>`select host from host_mappings where host like 'e2e-ghost-%'`).map((r) => r.host);
      await sortButton(stale, 'Host').click();
      expect(await columnTexts(stale, 'Host')).toEqual([...staleInDb].sort(browserOrder.compare));
      expect(await columnTexts(stale, 'Host')).toEqual([ghosts[2], ghosts[0], ghosts[1]]);
      await sortButton(stale, 'Host').click();
      expect(await columnTexts(stale, 'Host')).toEqual([...staleInDb].sort(browserOrder.compare).reverse());
      await expect(page).toHaveURL(/stale_sort=host/);

      const wrong = page.getByRole('table', { name: 'Host mappings to the wrong cell' }).getByRole('row').filter({ hasText: moved });
      await expect(wrong.getByRole('rowheader')).toHaveText(moved);
      await expect(wrong.getByRole('cell').nth(0)).toHaveText('cell1');
      await expect(wrong.getByRole('cell').nth(1)).toHaveText('cell2');

      await expect(page.getByRole('table', { name: 'Compute services in cell0' })).toContainText(inCell0);

      const down = page.getByRole('table', { name: 'Cells that do not answer' }).getByRole('row').filter({ hasText: 'e2e-cell-unreachable' });
      await expect(down).toContainText('refused');
      await expect(page.getByRole('alert').filter({ hasText: 'e2e-cell-unreachable' })).toContainText('refused the connection');
      expect(await page.content()).not.toContain('sekrit-checks');

      // The CLI reads the same: a warning, exit 1, with the findings for scripts.
      const cli = cellarCli(['status', '--json']);
      expect(cli.code).toBe(1);
      const body = JSON.parse(cli.stdout) as StatusJson;
      expect(body.drift.staleHostMappings.map((m) => m.host)).toEqual(expect.arrayContaining(ghosts));
      expect(body.drift.misplacedHostMappings.map((m) => m.host)).toContain(moved);
      expect(body.drift.cell0ComputeServices.map((s) => s.host)).toContain(inCell0);
      expect(body.drift.downCells.map((c) => c.uuid)).toContain(deadUuid);
      expect(cli.stdout).not.toContain('sekrit-checks');

      // Export: the rows in view, in order, and the cell that did not answer named in the file.
      const { csv, json } = await exportBoth(page, 'Checks');
      expect(csv[0]![0]).toBe('# Incomplete view — cells that did not answer: e2e-cell-unreachable (refused)');
      expect(csv[1]).toEqual(['Check', 'Result', 'Details']);
      expect(csv.slice(2).map((r) => r[0])).toEqual(await columnTexts(checks, 'Check'));
      expect(csv.slice(2).map((r) => r[1])).toEqual(await columnTexts(checks, 'Result'));
      expect(json.notAnswered.map((c) => [c.uuid, c.name, c.reason])).toEqual([[deadUuid, 'e2e-cell-unreachable', 'refused']]);
      expect(json.rows.map((r) => r.name)).toEqual(body.checks.map((c) => c.check));
      expect(json.rows.map((r) => r.result)).toEqual(body.checks.map((c) => ({ success: 'Success', warning: 'Warning', failure: 'Failure' })[c.status]));
      expect(JSON.stringify(json)).not.toContain('sekrit-checks');
      const staleFile = await exportBoth(page, 'Stale host mappings');
      expect(staleFile.csv.slice(2).map((r) => r[0])).toEqual(await columnTexts(stale, 'Host'));

      // The search: warnings only; one check's list; one cell's rows; an unknown key refused.
      const box = page.getByRole('searchbox', { name: 'Search the checks' });
      await box.fill('status:warning');
      await box.press('Enter');
      await expect(page).toHaveURL(/status=warning/);
      await expect.poll(() => columnTexts(checks, 'Check')).toEqual(body.checks.filter((c) => c.status === 'warning').map((c) => c.check));
      await expect(page.getByLabel('Overall result')).toContainText('Warning');

      await box.fill('check:stale');
      await box.press('Enter');
      await expect(page).not.toHaveURL(/status=/);
      await expect.poll(() => columnTexts(checks, 'Check')).toEqual(['Stale host mappings']);
      await expect(stale).toBeVisible();
      await expect(page.getByRole('table', { name: 'Host mappings to the wrong cell' })).toHaveCount(0);

      await box.fill('cell:cell2');
      await box.press('Enter');
      await expect(page.getByRole('heading', { name: /Stale host mappings/ })).toContainText(`0 of ${staleInDb.length} shown`);
      await expect(page.getByRole('table', { name: 'Host mappings to the wrong cell' })).toContainText(moved);
      await expect(page.getByRole('table', { name: 'Compute services in cell0' })).toHaveCount(0);

      await box.fill('host:ghost-cmp-1');
      await box.press('Enter');
      await expect.poll(() => columnTexts(stale, 'Host')).toEqual([ghosts[2], ghosts[1]].sort(browserOrder.compare).reverse());

      const url = page.url();
      await box.fill('severity:high');
      await box.press('Enter');
      await expect(page.getByRole('alert').filter({ hasText: 'Unknown key "severity:"' })).toBeVisible();
      await box.fill('status:bad');
      await box.press('Enter');
      await expect(page.getByRole('alert').filter({ hasText: '"status:bad" is not a result' })).toBeVisible();
      expect(page.url()).toBe(url);
      await page.getByRole('button', { name: 'Clear the search' }).click();
      await expect(box).toHaveValue('');
      await expect(page.getByRole('table', { name: 'Compute services in cell0' })).toContainText(inCell0);

      await cleanup();
      await page.getByRole('button', { name: 'Run the checks again' }).click();
      await expect(page.getByRole('table', { name: 'Stale host mappings' })).toHaveCount(0);
      await expect(page.getByText('No stale host mappings: every mapped host is live in its cell.')).toBeVisible();
      await expect(page.getByText('Every cell answered.')).toBeVisible();
      await expect(page.getByRole('alert').filter({ hasText: 'e2e-cell-unreachable' })).toHaveCount(0);
      await expect(row('Compute services in cell0')).toContainText('Success');
    } finally {
      await cleanup();
      await cell0.end({ timeout: 2 });
      await cell2.end({ timeout: 2 });
    }
  });

  test('auto-refresh runs the checks again on its own; switched off it stays off in the URL and runs nothing', async ({ page }) => {
    await page.clock.install();
    await page.goto('/checks');
    const control = page.locator('[data-auto-refresh]');
    await expect(control).toHaveAttribute('data-auto-refresh', 'running');
    await expect(page.getByLabel('Overall result')).toContainText('Success');
    await expect(control).toContainText(/as of \d\d:\d\d:\d\d UTC/);
    const calls = recordCalls(page);
    await page.clock.fastForward('00:16');
    // The api side and every cell (cell0, cell1, cell2), each on its own.
    await expect.poll(() => calls.filter((c) => c.path === 'checks.run').length).toBeGreaterThanOrEqual(4);

    await control.getByRole('checkbox', { name: 'Auto-refresh' }).uncheck();
    await expect(page).toHaveURL(/refresh=false/);
    await page.waitForTimeout(300);
    calls.length = 0;
    await page.clock.fastForward('01:00');
    await page.waitForTimeout(1000);
    expect(calls.filter((c) => c.path === 'checks.run')).toEqual([]);
    await page.reload();
    await expect(control.getByRole('checkbox', { name: 'Auto-refresh' })).not.toBeChecked();
    await expect(control).toHaveAttribute('data-auto-refresh', 'off');
  });
});
