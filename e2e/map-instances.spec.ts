/**
 * map_instances from a cell's page: an operator starts it, the progress bar runs to the
 * end, and the counts say what happened. The demo's instances are mapped already, so the
 * honest outcome is "nothing new" — except for the few mappings this spec takes away
 * first, which come back. A viewer sees the job but is not offered the button.
 */
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { expect, signedInAs, test } from './fixtures';

const FAKE_INSTANCE_UUID = '00000000-0000-0000-0000-000000000000';

/** cell1's own database in the e2e cluster: what map_instances reads. */
function cell1Sql(): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database: 'cell1', max: 1, onnotice: () => {} });
}

test.describe('map_instances on a cell', () => {
  test('an operator maps the instances of cell1 in the background; lost mappings come back, nothing is mapped twice', async ({ page, api, browser }) => {
    test.setTimeout(120_000);
    const [cell1] = await api<{ id: number; uuid: string }[]>`select id, uuid from cell_mappings where name = 'cell1'`;
    const cell = cell1Sql();
    let instances: { uuid: string; project_id: string | null }[];
    try {
      instances = await cell<{ uuid: string; project_id: string | null }[]>`select uuid, project_id from instances`;
    } finally {
      await cell.end({ timeout: 2 });
    }
    const total = instances.length;
    const skipped = instances.filter((i) => i.uuid === FAKE_INSTANCE_UUID || i.project_id === null).length;
    const mappable = instances.filter((i) => i.uuid !== FAKE_INSTANCE_UUID && i.project_id !== null).map((i) => i.uuid);

    // Three instances lose their mapping, as if map_instances had never seen them.
    const removed = await api<{ instance_uuid: string }[]>`
      delete from instance_mappings where id in (
        select id from instance_mappings where cell_id = ${cell1!.id} and instance_uuid = any(${mappable}) order by id limit 3)
      returning instance_uuid`;
    expect(removed).toHaveLength(3);
    const [{ unmapped }] = (await api<{ unmapped: number }[]>`
      select count(*)::int as unmapped from unnest(${mappable}::text[]) as u(uuid)
      where not exists (select 1 from instance_mappings m where m.instance_uuid = u.uuid)`) as unknown as [{ unmapped: number }];
    expect(unmapped).toBeGreaterThanOrEqual(3);

    await page.goto(`/cells/${cell1!.uuid}`);
    const panel = page.getByRole('region', { name: 'Map instances' });
    await panel.getByRole('button', { name: 'Map instances' }).click();
    const bar = panel.getByRole('progressbar', { name: 'map_instances progress' });
    await expect(panel.getByLabel('map_instances state')).toHaveText('Done', { timeout: 60_000 });
    await expect(bar).toHaveAttribute('aria-valuemax', String(total));
    await expect(bar).toHaveAttribute('aria-valuenow', String(total));
    await expect(panel).toContainText(`${total.toLocaleString('en')} of ${total.toLocaleString('en')} instances`);
    await expect(panel.getByLabel('map_instances counts')).toHaveText(
      `${unmapped} newly mapped, ${mappable.length - unmapped} already mapped` +
        (skipped ? `, ${skipped} skipped (the VIF migration's fake instance, or no project)` : ''),
    );
    await expect(panel).toContainText('started by operator');

    const back = await api<{ instance_uuid: string; cell_id: number }[]>`
      select instance_uuid, cell_id from instance_mappings where instance_uuid = any(${removed.map((r) => r.instance_uuid)})`;
    expect(back.map((b) => b.cell_id)).toEqual([cell1!.id, cell1!.id, cell1!.id]);
    const [{ markers }] = (await api<{ markers: number }[]>`
      select count(*)::int as markers from instance_mappings where project_id = 'INSTANCE_MIGRATION_MARKER'`) as unknown as [{ markers: number }];
    expect(markers).toBe(0);

    // Again: everything is mapped already, and the page says so.
    await panel.getByRole('button', { name: 'Map instances' }).click();
    await expect(panel.getByLabel('map_instances counts')).toHaveText(
      `0 newly mapped, ${mappable.length} already mapped${skipped ? `, ${skipped} skipped (the VIF migration's fake instance, or no project)` : ''}`,
      { timeout: 60_000 },
    );
    await expect(panel.getByLabel('map_instances state')).toHaveText('Done');
    const [{ rows, distinct }] = (await api<{ rows: number; distinct: number }[]>`
      select count(*)::int as rows, count(distinct instance_uuid)::int as distinct from instance_mappings
      where instance_uuid = any(${mappable})`) as unknown as [{ rows: number; distinct: number }];
    expect([rows, distinct]).toEqual([mappable.length, mappable.length]);
    await expect(panel.getByText('Earlier runs (1)')).toBeVisible();

    // A viewer sees the last run but is not offered the button (the server refuses it anyway).
    const viewer = await signedInAs(browser, 'viewer');
    try {
      const vpage = await viewer.newPage();
      await vpage.goto(`/cells/${cell1!.uuid}`);
      const vpanel = vpage.getByRole('region', { name: 'Map instances' });
      await expect(vpanel.getByLabel('map_instances state')).toHaveText('Done');
      await expect(vpanel.getByRole('button', { name: 'Map instances' })).toHaveCount(0);
    } finally {
      await viewer.close();
    }
  });
});
