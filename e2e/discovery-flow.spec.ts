import { cellarCli, expect, test } from './fixtures';

/**
 * The operator's whole path for a new cell (issue 3's acceptance): create the cell in the
 * console → its computes register and appear as unmapped → a dry run lists them without
 * mapping → discover maps them → they appear in host mappings.
 */
const DB = 'cell_flow_e2e';
const DB_URL = `{scheme}://{username}:{password}@{hostname}:{port}/${DB}`;
const HOSTS = ['flow-cmp-001', 'flow-cmp-002'];

test('create a cell, see its computes unmapped, dry run, discover, find them in host mappings', async ({ page, api }) => {
  const cleanup = async () => {
    await api`delete from host_mappings where host = any(${HOSTS})`;
    await api`delete from cell_mappings where database_connection = ${DB_URL}`;
    await api.unsafe(`drop database if exists "${DB}" with (force)`);
  };
  await cleanup();
  await api.unsafe(`create database "${DB}"`);
  try {
    await page.goto('/cells/new');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('cell-flow');
    await page.getByRole('textbox', { name: 'Transport URL' }).fill('rabbit://nova:flow-pw@rabbit.flow.example.net:5672/nova_flow');
    await page.getByRole('textbox', { name: 'Database URL' }).fill(DB_URL);
    await page.getByRole('button', { name: 'Create cell' }).click();
    await page.getByRole('button', { name: 'Migrate it now' }).click();
    await expect(page.getByRole('region', { name: 'Cell created' }).getByRole('status')).toContainText('Cell cell-flow created');
    const [cell] = await api<{ uuid: string }[]>`select uuid from cell_mappings where name = 'cell-flow'`;

    // Two computes of the new cell register themselves, as nova-compute does on start.
    for (const host of HOSTS) {
      const r = cellarCli(['register_compute', '--cell_uuid', cell!.uuid, '--host', host, '--vcpus', '32', '--memory_mb', '65536', '--local_gb', '500']);
      expect(r.code, r.stderr).toBe(0);
    }

    await page.goto('/computes');
    const unmapped = page.getByRole('table', { name: 'Unmapped computes' });
    for (const host of HOSTS) {
      await expect(unmapped.getByRole('row').filter({ has: page.getByRole('rowheader', { name: host }) })).toContainText('cell-flow');
    }

    const panel = page.getByRole('region', { name: 'Discover hosts' });
    await panel.getByRole('combobox', { name: 'Cell' }).selectOption({ label: 'cell-flow' });
    await panel.getByRole('button', { name: 'Dry run' }).click();
    const result = panel.getByRole('region', { name: 'Discovery result' });
    await expect(result.getByRole('table', { name: 'Hosts that would be mapped' }).getByRole('rowheader')).toHaveText(HOSTS);
    expect(await api`select 1 from host_mappings where host = any(${HOSTS})`).toHaveLength(0);

    await panel.getByRole('button', { name: 'Discover', exact: true }).click();
    await expect(result.getByRole('table', { name: 'Newly mapped hosts' }).getByRole('rowheader')).toHaveText(HOSTS);

    await page.goto('/hosts?host=flow-cmp');
    const mappings = page.getByRole('table', { name: 'Host mappings' });
    for (const host of HOSTS) {
      await expect(mappings.getByRole('row').filter({ has: page.getByRole('rowheader', { name: host }) })).toContainText('cell-flow');
    }
    await page.goto('/computes');
    await expect(page.getByRole('table', { name: 'Unmapped computes' }).getByRole('rowheader', { name: HOSTS[0] })).toHaveCount(0);
  } finally {
    await cleanup();
  }
});
