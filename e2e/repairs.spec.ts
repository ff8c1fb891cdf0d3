/**
 * Repairs from the console: an operator sees the dry run of "build requests of placed
 * instances" list the row this spec makes, runs it, the job's progress ends done, the row
 * is gone from the dry run and from the api database (its mapping and request spec stay),
 * and the audit log has one row for it. A viewer sees the dry run but no Run button.
 * The rows are the spec's own (a tagged project) and are removed at the end.
 */
import crypto from 'node:crypto';
import { expect, signedInAs, test } from './fixtures';

test.describe('repairs', () => {
  test('an operator runs placed_build_requests after its dry run: the row goes, one audit row says so', async ({ page, api, browser }) => {
    test.setTimeout(120_000);
    const tag = `e2e-repair-${crypto.randomBytes(4).toString('hex')}`;
    const uuid = crypto.randomUUID();
    const [cell1] = await api<{ id: number }[]>`select id from cell_mappings where name = 'cell1'`;
    const old = "(now() at time zone 'utc') - interval '1 hour'";
    await api.unsafe(`insert into instance_mappings (instance_uuid, cell_id, project_id, created_at) values ($1, $2, $3, ${old})`, [uuid, cell1!.id, tag]);
    await api.unsafe(`insert into build_requests (instance_uuid, project_id, instance, created_at) values ($1, $2, null, ${old})`, [uuid, tag]);
    try {
      await page.goto('/repairs?kind=placed_build_requests');
      const section = page.getByRole('region', { name: 'Build requests of placed instances' });
      const table = section.getByRole('table', { name: /dry run/ });
      await expect(table.getByRole('row').filter({ hasText: uuid })).toHaveCount(1);
      const rows = await table.locator('tbody tr').count();
      await expect(section.getByRole('status', { name: 'dry run' })).toContainText(`${rows} ${rows === 1 ? 'row' : 'rows'} found`);

      await section.getByRole('button', { name: /^Run on / }).click();
      const dialog = page.getByRole('dialog');
      if (rows > 1) await dialog.getByRole('textbox').fill(String(rows));
      await dialog.getByRole('button', { name: 'Run repair' }).click();

      const runs = page.getByRole('region', { name: 'Repair jobs' });
      await expect(runs.getByRole('status', { name: 'repair state' })).toHaveText('Done', { timeout: 60_000 });
      await expect(runs.getByRole('status', { name: 'repair counts' })).toContainText(`${rows} changed`);
      await expect(runs.getByRole('progressbar', { name: 'repair progress' })).toHaveAttribute('aria-valuetext', `${rows} of ${rows} rows`);
      await expect(table.getByRole('row').filter({ hasText: uuid })).toHaveCount(0);

      expect(await api`select 1 from build_requests where instance_uuid = ${uuid}`).toHaveLength(0);
      expect(await api`select 1 from instance_mappings where instance_uuid = ${uuid}`).toHaveLength(1);
      const audit = await api<{ actor: string; source: string; outcome: string }[]>`
        select actor, source, outcome from cellar.audit_log where action = 'repair placed_build_requests' and target like ${`instance ${uuid};%`}`;
      expect(audit).toEqual([{ actor: 'operator', source: 'console', outcome: 'done' }]);

      await page.goto('/audit?action=repair%20placed');
      await expect(page.getByRole('table').getByRole('row').filter({ hasText: uuid }).first()).toBeVisible();

      const viewer = await signedInAs(browser, 'viewer');
      const vp = await viewer.newPage();
      await vp.goto('/repairs?kind=placed_build_requests');
      await expect(vp.getByRole('status', { name: 'dry run' })).toBeVisible();
      await expect(vp.getByRole('button', { name: /^Run on / })).toHaveCount(0);
      await viewer.close();
    } finally {
      await api`delete from build_requests where instance_uuid = ${uuid}`;
      await api`delete from instance_mappings where instance_uuid = ${uuid}`;
    }
  });
});
