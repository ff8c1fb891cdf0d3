import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { closedPort, expect, silentServer, test } from './fixtures';

/** The demo's compute hosts that no host mapping knows (server/demo/seed.ts). */
const UNMAPPED = {
  'cell1-cmp-006.dc1.example.net': 'cell1',
  'cell1-cmp-007.dc1.example.net': 'cell1',
  'cell2-cmp-005.dc1.example.net': 'cell2',
} as const;
const UNMAPPED_HOSTS = Object.keys(UNMAPPED);
/** Mapped, with active instances on it. */
const BUSY_HOST = 'cell1-cmp-001.dc1.example.net';
/** Mapped, its service long down, no instance ever placed on it. */
const IDLE_HOST = 'cell1-cmp-004.dc1.example.net';

/** A demo cell database, with the credentials the e2e console's embedded cluster uses. */
function cellSql(database: 'cell1' | 'cell2'): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 1, onnotice: () => {} });
}

/**
 * Discovery changes the demo every other spec shares: remember the host mappings and every
 * compute node's mapped flag, and put both back afterwards.
 */
async function preserveDemo(api: postgres.Sql) {
  const cells = { cell1: cellSql('cell1'), cell2: cellSql('cell2') };
  const mappingIds = (await api<{ id: number }[]>`select id from host_mappings`).map((r) => r.id);
  const flags = Object.fromEntries(
    await Promise.all(
      Object.entries(cells).map(
        async ([name, sql]) => [name, await sql<{ id: number; mapped: number | null }[]>`select id, mapped from compute_nodes`] as const,
      ),
    ),
  );
  return async () => {
    try {
      await api`delete from host_mappings where not (id = any(${mappingIds}::int[]))`;
      for (const [name, sql] of Object.entries(cells)) {
        const rows = flags[name]!;
        await sql`update compute_nodes n set mapped = f.mapped
          from unnest(${rows.map((r) => r.id)}::int[], ${rows.map((r) => r.mapped)}::int[]) as f(id, mapped)
          where n.id = f.id and n.mapped is distinct from f.mapped`;
      }
    } finally {
      await Promise.all(Object.values(cells).map((s) => s.end({ timeout: 2 })));
    }
  };
}

test.describe('Unmapped computes', () => {
  test("lists the demo's three unmapped hosts with their cell, service state and how long they have waited", async ({ page }) => {
    // The demo's heartbeats were written when it was generated and nothing renews them, so
    // after service_down_time (60 s) every service reads as down: report in for these three.
    for (const database of ['cell1', 'cell2'] as const) {
      const sql = cellSql(database);
      try {
        await sql`update services set last_seen_up = (now() at time zone 'utc')
          where "binary" = 'nova-compute' and host = any(${UNMAPPED_HOSTS}::text[])`;
      } finally {
        await sql.end({ timeout: 2 });
      }
    }
    await page.goto('/computes');
    await expect(page.getByRole('heading', { name: 'Unmapped computes', level: 1 })).toBeVisible();
    const table = page.getByRole('table', { name: 'Unmapped computes' });
    await expect(table.getByRole('rowheader')).toHaveText(UNMAPPED_HOSTS);
    for (const [host, cell] of Object.entries(UNMAPPED)) {
      const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: host }) });
      await expect(row).toContainText(cell);
      await expect(row).toContainText('● up');
      // Relative time, absolute UTC on hover.
      await expect(row.locator('time')).toHaveAttribute('title', / UTC$/);
    }
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('2 of 2 cells answered');
  });

  test("a cell that does not answer shows its notice while the other cells' hosts are listed", async ({ page, api }) => {
    const silent = await silentServer();
    const refused = await closedPort();
    const uuids = [crypto.randomUUID(), crypto.randomUUID()];
    await api`insert into cell_mappings (uuid, name, transport_url, database_connection, disabled) values
      (${uuids[0]!}, 'cell-refusing', 'rabbit://nova:pw@127.0.0.1:5672/', ${`postgresql://nova:hosts-s3cret@127.0.0.1:${refused}/nova_cell8`}, false),
      (${uuids[1]!}, 'cell-hanging', 'rabbit://nova:pw@127.0.0.1:5672/', ${`postgresql://nova:hosts-s3cret@127.0.0.1:${silent.port}/nova_cell9`}, false)`;
    try {
      await page.goto('/computes');
      await expect(page.getByRole('alert').filter({ hasText: 'cell-refusing' })).toContainText('refused the connection');
      await expect(page.getByRole('alert').filter({ hasText: 'cell-hanging' })).toContainText('did not answer in time');
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('2 of 4 cells answered');
      await expect(page.getByRole('table', { name: 'Unmapped computes' }).getByRole('rowheader')).toHaveText(UNMAPPED_HOSTS);
      expect(await page.content()).not.toContain('hosts-s3cret');
    } finally {
      await api`delete from cell_mappings where uuid = any(${uuids}::text[])`;
      await silent.close();
    }
  });

  test('a dry run lists what would be mapped and maps nothing', async ({ page, api }) => {
    const restore = await preserveDemo(api);
    try {
      await page.goto('/computes');
      // A click before hydration is lost (the button is the server's HTML until then).
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      const panel = page.getByRole('region', { name: 'Discover hosts' });
      await panel.getByRole('button', { name: 'Dry run' }).click();
      const result = panel.getByRole('region', { name: 'Discovery result' });
      await expect(result).toContainText('Dry run: 3 hosts would be mapped. Nothing was written.');
      await expect(result.getByRole('table', { name: 'Hosts that would be mapped' }).getByRole('rowheader')).toHaveText(UNMAPPED_HOSTS);
      await expect(result.getByRole('note')).toHaveCount(0);
      await expect(panel.getByRole('region', { name: 'Last discovery' })).toContainText(/Last dry run: by operator, .*3 would be mapped/);
      expect(await api`select host from host_mappings where host = any(${UNMAPPED_HOSTS}::text[])`).toHaveLength(0);
      await expect(page.getByRole('table', { name: 'Unmapped computes' }).getByRole('rowheader')).toHaveText(UNMAPPED_HOSTS);
    } finally {
      await restore();
    }
  });

  test('discover maps them, says to SIGHUP the schedulers, and they appear in host mappings', async ({ page, api }) => {
    const restore = await preserveDemo(api);
    try {
      await page.goto('/computes');
      // A click before hydration is lost (the button is the server's HTML until then).
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      const panel = page.getByRole('region', { name: 'Discover hosts' });
      await panel.getByRole('button', { name: 'Discover', exact: true }).click();
      const result = panel.getByRole('region', { name: 'Discovery result' });
      await expect(result).toContainText('Mapped 3 hosts.');
      const newly = result.getByRole('table', { name: 'Newly mapped hosts' });
      await expect(newly.getByRole('rowheader')).toHaveText(UNMAPPED_HOSTS);
      await expect(newly.getByRole('row').filter({ hasText: 'cell2-cmp-005' })).toContainText('cell2');
      await expect(result.getByRole('note')).toContainText("nova's schedulers cache host-to-cell mappings: send SIGHUP to every nova-scheduler");
      await expect(page.getByText('No unmapped computes: every compute host is mapped')).toBeVisible();
      await expect(panel.getByRole('region', { name: 'Last discovery' })).toContainText(
        /Last discovery: by operator, .*per-node: 3 newly mapped, 0 already mapped by someone else/,
      );

      const mapped = await api<{ host: string; name: string }[]>`
        select h.host, c.name from host_mappings h join cell_mappings c on c.id = h.cell_id where h.host = any(${UNMAPPED_HOSTS}::text[]) order by h.host`;
      expect(mapped.map((m) => [m.host, m.name])).toEqual(Object.entries(UNMAPPED));

      await page.goto('/hosts?host=cmp-00');
      const hosts = page.getByRole('table', { name: 'Host mappings' });
      for (const [host, cell] of Object.entries(UNMAPPED)) {
        await expect(hosts.getByRole('row').filter({ has: page.getByRole('rowheader', { name: host }) })).toContainText(cell);
      }
    } finally {
      await restore();
    }
  });
});

test.describe('Host mappings', () => {
  test('filters by cell and host text from the URL, and pages with keyset markers', async ({ page, api }) => {
    const [cell2] = await api<{ id: number; uuid: string }[]>`select id, uuid from cell_mappings where name = 'cell2'`;
    const extra = Array.from({ length: 30 }, (_, i) => `zz-e2e-page-${String(i).padStart(2, '0')}`);
    await api`insert into host_mappings (cell_id, host) select ${cell2!.id}, h from unnest(${extra}::text[]) h`;
    try {
      await page.goto(`/hosts?cell=${cell2!.uuid}&host=zz-e2e&size=25`);
      const table = page.getByRole('table', { name: 'Host mappings' });
      await expect(page.getByRole('status').filter({ hasText: 'host mappings' })).toHaveText('30 host mappings match');
      await expect(table.getByRole('rowheader')).toHaveText(extra.slice(0, 25));
      // The markers are the list's own (they carry the order they were made under).
      const pager = page.getByRole('navigation', { name: 'Pages of Host mappings' });
      await pager.getByRole('button', { name: 'Next page' }).click();
      await expect(page).toHaveURL(/after=/);
      await expect(table.getByRole('rowheader')).toHaveText(extra.slice(25));
      await expect(pager.getByText('Next page')).toHaveAttribute('aria-disabled', 'true');
      await pager.getByRole('button', { name: 'Previous page' }).click();
      await expect(page).toHaveURL(/before=/);
      await expect(table.getByRole('rowheader')).toHaveText(extra.slice(0, 25));

      // The text filter goes to the URL; a link reproduces the view.
      await page.getByRole('searchbox', { name: 'Host contains' }).fill('page-1');
      await expect(page).toHaveURL(/host=page-1/);
      await expect(table.getByRole('rowheader')).toHaveText(extra.slice(10, 20));
      await page.getByRole('combobox', { name: 'Cell' }).selectOption({ label: 'cell1' });
      await expect(page.getByText('No host mappings match these filters.')).toBeVisible();
    } finally {
      await api`delete from host_mappings where host = any(${extra}::text[])`;
    }
  });

  test('deleting a host mapping that has live instances is refused with the plain message', async ({ page, api }) => {
    await page.goto(`/hosts?host=${BUSY_HOST}`);
    await page.getByRole('button', { name: `Delete host mapping ${BUSY_HOST}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete host mapping' });
    await expect(dialog).toContainText('refused while instances are on the host');
    await dialog.getByRole('button', { name: 'Delete mapping' }).click();
    await expect(dialog.getByRole('alert')).toHaveText(`There are instances on the host ${BUSY_HOST}.`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await api`select 1 from host_mappings where host = ${BUSY_HOST}`).toHaveLength(1);
  });

  test('deleting a mapping of a host without instances unmaps it, resets its node and says to SIGHUP', async ({ page, api }) => {
    const restore = await preserveDemo(api);
    const [before] = await api<{ cell_id: number }[]>`select cell_id from host_mappings where host = ${IDLE_HOST}`;
    try {
      await page.goto(`/hosts?host=${IDLE_HOST}`);
      await page.getByRole('button', { name: `Delete host mapping ${IDLE_HOST}` }).click();
      await page.getByRole('dialog', { name: 'Delete host mapping' }).getByRole('button', { name: 'Delete mapping' }).click();
      const done = page.getByRole('region', { name: 'Deleted host mapping' });
      await expect(done).toContainText(`Deleted the mapping of ${IDLE_HOST} to cell cell1; 1 compute node set back to mapped = 0.`);
      await expect(done.getByRole('note')).toContainText(
        "nova's schedulers cache host-to-cell mappings: send SIGHUP to every nova-scheduler so they stop routing",
      );
      await expect(page.getByText('No host mappings match these filters.')).toBeVisible();
      expect(await api`select 1 from host_mappings where host = ${IDLE_HOST}`).toHaveLength(0);

      // It is an unmapped compute now.
      await page.goto('/computes');
      await expect(page.getByRole('table', { name: 'Unmapped computes' }).getByRole('rowheader', { name: IDLE_HOST })).toBeVisible();
    } finally {
      await restore();
      await api`insert into host_mappings (cell_id, host) values (${before!.cell_id}, ${IDLE_HOST}) on conflict (host) do nothing`;
    }
  });
});
