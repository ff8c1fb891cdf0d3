import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { cellarCli, closedPort, expect, signedInAs, test } from './fixtures';

/** A demo cell's own database on the e2e console's embedded cluster, to arrange what nova-compute would write there. */
function cellSql(database: 'cell0' | 'cell1' | 'cell2'): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 1, onnotice: () => {} });
}

test.describe('Checks', () => {
  test("shows nova-status's checks passing on the demo deployment", async ({ page }) => {
    await page.goto('/checks');
    await expect(page.getByRole('heading', { name: 'Checks', level: 1 })).toBeVisible();
    const checks = page.getByRole('table', { name: 'Checks' });
    const row = (name: string) => checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await expect(row('Cells v2')).toContainText('Success');
    await expect(row('Older than N-1 computes')).toContainText('Success');
    // The demo has one compute a release behind (72, Gazpacho): supported.
    await expect(page.getByText('Minimum nova-compute service version counted: 72')).toBeVisible();
    for (const name of ['Stale host mappings', 'Host mappings to the wrong cell', 'Hosts in more than one cell', 'Compute services in cell0']) {
      await expect(row(name)).toContainText('Success');
    }
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('as of');
  });

  test('a viewer may run the checks: they only read', async ({ browser }) => {
    const context = await signedInAs(browser, 'viewer');
    try {
      const page = await context.newPage();
      await page.goto('/checks');
      const checks = page.getByRole('table', { name: 'Checks' });
      await expect(checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Cells v2', exact: true }) })).toContainText('Success');
      await page.getByRole('button', { name: 'Run the checks again' }).click();
      await expect(page.getByLabel('Overall result')).toBeVisible();
      await expect(page.getByRole('alert').filter({ hasText: 'Could not run the checks' })).toHaveCount(0);
    } finally {
      await context.close();
    }
  });

  test('lists each kind of drift added to the deployment, a down cell with its notice, and clears after a re-run', async ({ page, api }) => {
    const cell0 = cellSql('cell0');
    const cell2 = cellSql('cell2');
    const refused = await closedPort();
    const deadUuid = crypto.randomUUID();
    const ghost = 'e2e-ghost-cmp.dc1.example.net';
    const moved = 'e2e-moved-cmp.dc1.example.net';
    const inCell0 = 'e2e-cmp-in-cell0.dc1.example.net';
    const [cell1] = await api<{ id: number; uuid: string }[]>`select id, uuid from cell_mappings where name = 'cell1'`;
    const cleanup = async () => {
      await api`delete from host_mappings where host in (${ghost}, ${moved})`;
      await api`delete from cell_mappings where uuid = ${deadUuid}`;
      await cell2`delete from compute_nodes where host = ${moved}`;
      await cell2`delete from services where host = ${moved}`;
      await cell0`delete from services where host = ${inCell0}`;
    };
    try {
      // Stale: a host mapping whose host no cell has.
      await api`insert into host_mappings (cell_id, host) values (${cell1!.id}, ${ghost})`;
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

      await page.goto('/checks');
      const checks = page.getByRole('table', { name: 'Checks' });
      const row = (name: string) => checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
      await expect(page.getByLabel('Overall result')).toContainText('Warning');
      // A cell down does not stop nova's checks.
      await expect(row('Cells v2')).toContainText('Success');
      await expect(row('Cells answering')).toContainText('Warning');
      await expect(row('Stale host mappings')).toContainText(ghost);

      const stale = page.getByRole('table', { name: 'Stale host mappings' });
      const staleRow = stale.getByRole('row').filter({ hasText: ghost });
      await expect(staleRow.getByRole('link', { name: ghost })).toHaveAttribute('href', `/hosts?host=${ghost}`);
      await expect(staleRow.getByRole('link', { name: 'cell1' })).toHaveAttribute('href', `/cells/${cell1!.uuid}`);

      const wrong = page.getByRole('table', { name: 'Host mappings to the wrong cell' }).getByRole('row').filter({ hasText: moved });
      await expect(wrong.getByRole('cell').nth(0)).toHaveText('cell1');
      await expect(wrong.getByRole('cell').nth(2)).toHaveText('cell2');

      await expect(page.getByRole('table', { name: 'Compute services in cell0' })).toContainText(inCell0);

      const down = page.getByRole('table', { name: 'Cells that do not answer' }).getByRole('row').filter({ hasText: 'e2e-cell-unreachable' });
      await expect(down).toContainText('refused');
      await expect(page.getByRole('alert').filter({ hasText: 'e2e-cell-unreachable' })).toContainText('refused the connection');
      expect(await page.content()).not.toContain('sekrit-checks');

      // The CLI reads the same: a warning, exit 1, with the findings for scripts.
      const cli = cellarCli(['status', '--json']);
      expect(cli.code).toBe(1);
      const body = JSON.parse(cli.stdout);
      expect(body.drift.staleHostMappings.map((m: { host: string }) => m.host)).toContain(ghost);
      expect(body.drift.misplacedHostMappings.map((m: { host: string }) => m.host)).toContain(moved);
      expect(body.drift.cell0ComputeServices.map((s: { host: string }) => s.host)).toContain(inCell0);
      expect(body.drift.downCells.map((c: { uuid: string }) => c.uuid)).toContain(deadUuid);
      expect(cli.stdout).not.toContain('sekrit-checks');

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
});
