import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { expect, test } from './fixtures';

const CELL0 = '00000000-0000-0000-0000-000000000000';
const DB = 'cellx_e2e';
// Expanded from the console's CELLAR_DATABASE_URL (the embedded cluster), so no password is typed here.
const DB_URL = `{scheme}://{username}:{password}@{hostname}:{port}/${DB}`;
const TRANSPORT = 'rabbit://nova:e2e-s3cret@rabbit.cellx.example.net:5672/nova_cellx';

/** A demo cell database, to count what nova counts there. */
function cellSql(database: string): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 1, onnotice: () => {} });
}

test.describe('Managing cells', () => {
  test('create a cell through the form (migrating its empty database), see it listed and on its page, rename it, delete it', async ({ page, api }) => {
    const cleanup = async () => {
      await api`delete from cell_mappings where database_connection = ${DB_URL}`;
      await api.unsafe(`drop database if exists "${DB}" with (force)`);
    };
    await cleanup();
    await api.unsafe(`create database "${DB}"`);
    try {
      await page.goto('/');
      await page.getByRole('link', { name: 'Create cell' }).click();
      await expect(page.getByRole('heading', { name: 'Create cell', level: 1 })).toBeVisible();
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('cellx');
      await page.getByRole('textbox', { name: 'Transport URL' }).fill(TRANSPORT);
      await page.getByRole('textbox', { name: 'Database URL' }).fill(DB_URL);
      await page.getByRole('button', { name: 'Create cell' }).click();

      // The database is empty: refused, with the offer to migrate it.
      await expect(page.getByRole('alert').filter({ hasText: 'Not created' })).toContainText(
        'The cell database is empty: it has no cell schema yet. Migrate it now, or create the cell disabled to save it as it is.',
      );
      expect(await api`select 1 from cell_mappings where database_connection = ${DB_URL}`).toHaveLength(0);
      await page.getByRole('button', { name: 'Migrate it now' }).click();

      const created = page.getByRole('region', { name: 'Cell created' });
      await expect(created.getByRole('status')).toContainText('Cell cellx created (its database schema was created first)');
      await expect(created.getByRole('note')).toContainText("nova's schedulers cache the cell list: send SIGHUP to every nova-scheduler");
      const [row] = await api<{ uuid: string; transport_url: string; database_connection: string; disabled: boolean }[]>`
        select uuid, transport_url, database_connection, disabled from cell_mappings where name = 'cellx'`;
      expect(row).toMatchObject({ transport_url: TRANSPORT, database_connection: DB_URL, disabled: false });

      await created.getByRole('link', { name: 'Open cell cellx' }).click();
      await expect(page).toHaveURL(new RegExp(`/cells/${row!.uuid}$`));
      await expect(page.getByRole('heading', { name: 'cellx', level: 1 })).toBeVisible();
      const main = page.getByRole('main');
      await expect(main).toContainText('rabbit://nova:****@rabbit.cellx.example.net:5672/nova_cellx');
      await expect(main).toContainText('schema is current');
      await expect(main).toContainText('● up');
      await expect(main).toContainText('No live compute nodes in this cell');
      await expect(main).toContainText('No host is mapped to this cell');

      // Listed on the home page, linked to its page, the secret nowhere.
      await page.goto('/');
      const table = page.getByRole('table', { name: 'Cells' });
      const listed = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'cellx' }) });
      await expect(listed).toContainText('● up');
      await expect(listed).toContainText('rabbit://nova:****@rabbit.cellx.example.net:5672/nova_cellx');
      expect(await page.content()).not.toContain('e2e-s3cret');
      await listed.getByRole('link', { name: 'cellx' }).click();
      await expect(page.getByRole('heading', { name: 'cellx', level: 1 })).toBeVisible();

      // Rename: only the name changes.
      await page.getByRole('button', { name: 'Rename' }).click();
      await page.getByRole('textbox', { name: 'New name' }).fill('cellx-renamed');
      await page.getByRole('button', { name: 'Save name' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Renamed' })).toHaveText('Renamed to cellx-renamed. Nothing else changed.');
      await expect(page.getByRole('heading', { name: 'cellx-renamed', level: 1 })).toBeVisible();
      const [renamed] = await api`select name, transport_url, database_connection, disabled from cell_mappings where uuid = ${row!.uuid}`;
      expect(renamed).toEqual({ name: 'cellx-renamed', transport_url: TRANSPORT, database_connection: DB_URL, disabled: false });

      // A mapped host: nova refuses the delete unless forced, and the dialog says so beside its disabled button.
      const [mapping] = await api<{ id: number }[]>`
        insert into host_mappings (cell_id, host, created_at)
        select id, 'cellx-e2e-host', now() at time zone 'utc' from cell_mappings where uuid = ${row!.uuid} returning id`;
      await page.reload();
      await page.getByRole('button', { name: 'Delete cell' }).click();
      const refusing = page.getByRole('dialog', { name: 'Delete cell cellx-renamed?' });
      await expect(refusing.getByRole('button', { name: 'Delete', exact: true })).toBeDisabled();
      await expect(refusing.locator('[data-refusal]')).toHaveText(
        'nova refuses this delete while 1 host is mapped to the cell (delete_cell exits 2): force it to delete the host mappings too.',
      );
      await refusing.getByRole('checkbox', { name: /^Force/ }).check();
      await expect(refusing.locator('[data-refusal]')).toHaveCount(0);
      await refusing.getByRole('button', { name: 'Cancel' }).click();
      await expect(refusing).toBeHidden();
      await api`delete from host_mappings where id = ${mapping!.id}`;
      await page.reload();

      // Delete: an empty cell goes without forcing; the notice says what nova needs.
      await page.getByRole('button', { name: 'Delete cell' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete cell cellx-renamed?' });
      await expect(dialog.locator('[data-refusal]')).toHaveCount(0);
      await expect(dialog).toContainText('This cannot be undone.');
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Cell cellx-renamed deleted' })).toBeVisible();
      await expect(page.getByRole('note')).toContainText('nova-api, nova-conductor and nova-scheduler cache the cell list');
      expect(await api`select 1 from cell_mappings where uuid = ${row!.uuid}`).toHaveLength(0);
    } finally {
      await cleanup();
    }
  });

  test('deleting cell1 is not offered while it has live instances: the button is disabled with the reason beside it', async ({ page, api }) => {
    const [cell1] = await api<{ id: number; uuid: string }[]>`select id, uuid from cell_mappings where name = 'cell1'`;
    const cellDb = cellSql('cell1');
    try {
      // nova's count: live is deleted = 0, whatever the vm_state.
      const live = (await cellDb<{ live: number }[]>`select count(*)::int as live from instances where deleted = 0`)[0]!.live;
      expect(live).toBeGreaterThan(0);
      await page.goto(`/cells/${cell1!.uuid}`);
      await expect(page.getByRole('heading', { name: 'cell1', level: 1 })).toBeVisible();
      const del = page.getByRole('button', { name: 'Delete cell' });
      await expect(del).toBeDisabled();
      const reason = page.locator('[data-refusal="delete"]');
      await expect(reason).toBeVisible();
      await expect(reason).toHaveText(
        `Delete is not offered: cell1 has ${live} live instance${live === 1 ? '' : 's'}: nova refuses to delete a cell with live instances, even forced (delete_cell exits 3). Delete them first.`,
      );
      // The reason is the button's description, for those who cannot see it beside it.
      await expect(del).toHaveAccessibleDescription(/nova refuses to delete a cell with live instances/);
      expect(await api`select 1 from cell_mappings where uuid = ${cell1!.uuid}`).toHaveLength(1);
    } finally {
      await cellDb.end({ timeout: 2 });
    }
  });

  test("cell0 cannot be disabled, as nova rules: the button is disabled with nova's reason beside it", async ({ page, api }) => {
    await page.goto(`/cells/${CELL0}`);
    await expect(page.getByRole('heading', { name: 'cell0', level: 1 })).toBeVisible();
    await expect(page.getByRole('main')).toContainText('cell0 holds no compute hosts');
    await expect(page.getByRole('button', { name: 'Disable cell' })).toBeDisabled();
    await expect(page.locator('[data-refusal="toggle"]')).toHaveText(
      'Disable is not offered: nova refuses to disable or enable cell0 ("Cell0 cannot be disabled.", nova-manage update_cell exits 5).',
    );
    const [row] = await api<{ disabled: boolean }[]>`select disabled from cell_mappings where uuid = ${CELL0}`;
    expect(row!.disabled).toBe(false);
  });

  test('disabling cell2 asks first and says what nova-scheduler will see; Cancel changes nothing; confirming disables it, audited; enabling asks too', async ({
    page,
    api,
  }) => {
    const [cell2] = await api<{ uuid: string }[]>`select uuid from cell_mappings where name = 'cell2'`;
    const disabled = async () => (await api<{ disabled: boolean }[]>`select disabled from cell_mappings where uuid = ${cell2!.uuid}`)[0]!.disabled;
    const audited = async () =>
      api<{ actor: string; outcome: string; input: { disabled?: boolean } }[]>`
        select actor, outcome, input from cellar.audit_log where action = 'cells.setDisabled' and target like ${`%${cell2!.uuid}%`} order by id`;
    const before = (await audited()).length;
    try {
      await page.goto(`/cells/${cell2!.uuid}`);
      await page.getByRole('button', { name: 'Disable cell' }).click();
      const ask = page.getByRole('dialog', { name: 'Disable cell cell2?' });
      await expect(ask).toContainText('This sets cell_mappings.disabled for cell2: nova-scheduler stops placing new instances in this cell.');
      await expect(ask).toContainText('this takes effect in the scheduler only after a SIGHUP or a restart of every nova-scheduler');
      await expect(ask).toContainText('Instances already in the cell keep running');

      // Cancel: the dialog goes, the mapping is as it was, nothing was attempted.
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await expect(ask).toBeHidden();
      expect(await disabled()).toBe(false);
      expect(await audited()).toHaveLength(before);
      await expect(page.getByRole('button', { name: 'Disable cell' })).toBeFocused();

      // Escape cancels as well.
      await page.getByRole('button', { name: 'Disable cell' }).click();
      await expect(ask).toBeVisible();
      await page.keyboard.press('Escape');
      await expect(ask).toBeHidden();
      expect(await disabled()).toBe(false);

      // Confirm: disabled, said, and in the audit log.
      await page.getByRole('button', { name: 'Disable cell' }).click();
      await ask.getByRole('button', { name: 'Disable cell' }).click();
      await expect(ask).toBeHidden();
      await expect(page.getByRole('status').filter({ hasText: 'now disabled' })).toHaveText('Cell cell2 is now disabled.');
      await expect(page.getByRole('note')).toContainText("nova's schedulers cache whether a cell is disabled");
      expect(await disabled()).toBe(true);
      const rows = await audited();
      expect(rows).toHaveLength(before + 1);
      expect(rows.at(-1)).toMatchObject({ actor: 'operator', outcome: 'done', input: { disabled: true } });

      await page.getByRole('button', { name: 'Enable cell' }).click();
      const enable = page.getByRole('dialog', { name: 'Enable cell cell2?' });
      await expect(enable).toContainText('nova-scheduler may place new instances in this cell again');
      await enable.getByRole('button', { name: 'Enable cell' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'now enabled' })).toHaveText('Cell cell2 is now enabled.');
      expect(await disabled()).toBe(false);
      expect((await audited()).at(-1)).toMatchObject({ outcome: 'done', input: { disabled: false } });
    } finally {
      await api`update cell_mappings set disabled = false where uuid = ${cell2!.uuid}`;
    }
  });

  test("cell1's page: compute nodes with their service state, host mappings, capacity; an unknown uuid is not found", async ({ page }) => {
    await page.goto('/');
    await page.getByRole('table', { name: 'Cells' }).getByRole('link', { name: 'cell1', exact: true }).click();
    const nodes = page.getByRole('table', { name: 'Compute nodes of cell cell1' });
    const node = (host: string) => nodes.getByRole('row').filter({ has: page.getByRole('rowheader', { name: host, exact: true }) });
    // The demo's one compute whose heartbeat is two hours old (the others' age with the demo, so are not asserted).
    await expect(node('cell1-cmp-004.dc1.example.net')).toContainText('● down');
    await expect(node('cell1-cmp-004.dc1.example.net')).toContainText('last seen 2 hours ago');
    await expect(node('cell1-cmp-001.dc1.example.net')).toContainText('mapped flag 1');
    await expect(nodes).toContainText('QEMU');
    const capacity = page.getByRole('table', { name: 'Capacity of cell cell1' });
    await expect(capacity.getByRole('rowheader', { name: 'vCPUs' })).toBeVisible();
    await expect(capacity).toContainText('MiB');
    const mappings = page.getByRole('table', { name: 'Host mappings of cell cell1' });
    await expect(mappings.getByRole('rowheader', { name: 'cell1-cmp-001.dc1.example.net' })).toBeVisible();

    await page.goto('/cells/f00f0000-0000-4000-8000-000000000000');
    await expect(page.getByRole('alert').filter({ hasText: 'Not found' })).toContainText('Cell with uuid f00f0000-0000-4000-8000-000000000000 was not found.');
  });
});
