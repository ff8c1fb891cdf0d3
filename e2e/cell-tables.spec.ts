/**
 * A cell's two lists, compute nodes and host mappings: two tables on one page, each with
 * its own sort and columns in the URL, sorted by a header as the browser sorts them, and
 * exported as shown.
 */
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { browserOrder, columnTexts, exportBoth, sortButton } from './export-files';
import { expect, test } from './fixtures';

function cell1Sql(): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database: 'cell1', max: 1, onnotice: () => {} });
}

test.describe("A cell's compute nodes and host mappings", () => {
  test('sort by a header each on its own, keep their columns apart in the URL, and export what is shown', async ({ page, api }) => {
    const [cell1] = await api<{ id: number; uuid: string }[]>`select id, uuid from cell_mappings where name = 'cell1'`;
    const mapped = (await api<{ host: string }[]>`select host from host_mappings where cell_id = ${cell1!.id}`).map((r) => r.host);
    const sql = cell1Sql();
    let nodes: { host: string }[];
    try {
      nodes = await sql<{ host: string }[]>`select host from compute_nodes where deleted = 0 and host is not null`;
    } finally {
      await sql.end({ timeout: 2 });
    }
    expect(nodes.length).toBeGreaterThan(1);
    expect(mapped.length).toBeGreaterThan(1);

    await page.goto(`/cells/${cell1!.uuid}?refresh=false`);
    const nodeTable = page.getByRole('table', { name: 'Compute nodes of cell cell1' });
    const mapTable = page.getByRole('table', { name: 'Host mappings of cell cell1' });
    await expect(nodeTable.locator('tbody tr')).toHaveCount(nodes.length);
    await expect(mapTable.locator('tbody tr')).toHaveCount(mapped.length);

    await sortButton(nodeTable, 'Host').click();
    await expect(page).toHaveURL(/node_sort=host/);
    expect(await columnTexts(nodeTable, 'Host')).toEqual(nodes.map((n) => n.host).sort(browserOrder.compare));
    await sortButton(nodeTable, 'Host').click();
    expect(await columnTexts(nodeTable, 'Host')).toEqual(
      nodes
        .map((n) => n.host)
        .sort(browserOrder.compare)
        .reverse(),
    );
    // The other table keeps its own order.
    await sortButton(mapTable, 'Host').click();
    await expect(page).toHaveURL(/map_sort=host&map_dir=asc|map_dir=asc&map_sort=host/);
    await expect(page).toHaveURL(/node_dir=desc/);
    expect(await columnTexts(mapTable, 'Host')).toEqual([...mapped].sort(browserOrder.compare));

    // vCPUs sort by what is free, most first.
    await sortButton(nodeTable, 'vCPUs').click();
    const free = (await columnTexts(nodeTable, 'vCPUs')).map((t) => Number(t.split(' ')[0]!.replace(/,/g, '')));
    expect(free).toEqual([...free].sort((a, b) => b - a));

    // Columns: a hidden one shown in one table only.
    await page.getByText('Columns of Compute nodes of cell cell1', { exact: true }).click();
    await page.getByRole('group', { name: 'Columns shown in Compute nodes of cell cell1' }).getByRole('checkbox', { name: 'Mapped flag' }).check();
    await expect(page).toHaveURL(/node_cols=/);
    await expect(nodeTable.getByRole('columnheader', { name: 'Mapped flag' })).toBeVisible();

    const nodesFile = await exportBoth(page, 'Compute nodes of cell cell1');
    expect(nodesFile.csv[0]).toContain('Mapped flag');
    expect(nodesFile.csv[0]![0]).toBe('Host');
    expect(nodesFile.csv.slice(1).map((r) => r[0])).toEqual(await columnTexts(nodeTable, 'Host'));
    expect(nodesFile.json.complete).toBe(true);
    expect(nodesFile.json.rows.map((r) => r.vcpus_free)).toEqual(free);
    const mapsFile = await exportBoth(page, 'Host mappings of cell cell1');
    expect(mapsFile.csv[0]).toEqual(['Host', 'Mapped', 'In the cell database']);
    expect(mapsFile.csv.slice(1).map((r) => r[0])).toEqual(await columnTexts(mapTable, 'Host'));
    expect(mapsFile.json.rows.every((r) => r.in_cell_database === 'yes' || typeof r.in_cell_database === 'string')).toBe(true);
  });
});
