/**
 * Triage, as support staff do it: cell0 (group → open → delete, bulk delete with a typed
 * count, evidence exported first) and the pending build requests (stuck ones stand out).
 *
 * The demo is shared by every spec. This spec DELETES three demo cell0 instances, all with
 * the "No valid host was found. There are not enough hosts available." fault: the newest
 * m1.xlarge one (single delete) and the two newest g1.a100.xlarge ones (bulk delete). It
 * leaves the instance with two faults, the quota failure, the m1.legacy ones and every
 * other demo row alone. Build requests it needs it inserts itself and removes afterwards.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { buildRequestInstancePrimitive, flavorPrimitive } from '../server/nova/primitives';
import { apiSql, closedPort, expect, signedInAs, test } from './fixtures';

/** The e2e deployment's cell0 database, to check nova's end state where it is written. */
function cell0Sql(): postgres.Sql {
  const state = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database: 'cell0', max: 1, onnotice: () => {} });
}

const NVH = 'No valid host was found. There are not enough hosts available.';

async function listRows(page: Page) {
  const table = page.getByRole('table', { name: 'cell0 instances' });
  await expect(table).toBeVisible();
  return table.getByRole('row').filter({ has: page.getByRole('rowheader') });
}

async function uuidsOf(page: Page): Promise<string[]> {
  const rows = await listRows(page);
  return rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-uuid') ?? ''));
}

/** Wait until every listed row shows `text`: the previous page stays on screen while a new filter loads. */
async function everyRowShows(page: Page, ...texts: string[]) {
  const rows = await listRows(page);
  await expect(async () => {
    const all = await rows.allInnerTexts();
    expect(all.length).toBeGreaterThan(0);
    for (const t of all) for (const x of texts) expect(t).toContain(x);
  }).toPass();
}

test.describe.configure({ mode: 'serial' });

test.describe('cell0 triage', () => {
  let single: string;
  let bulk: string[];
  // Support staff do the triage: the role that may delete in cell0.
  let support: BrowserContext;
  test.beforeAll(async ({ browser }) => {
    support = await signedInAs(browser, 'support');
  });
  test.afterAll(async () => {
    await support?.close();
  });

  test('support flow: group "No valid host was found" → open one → see fault and flavor → delete it → it is gone', async ({ api }) => {
    const page = await support.newPage();
    await page.goto('/cell0');
    await expect(page.getByRole('heading', { name: 'cell0', level: 1 })).toBeVisible();
    await page.getByRole('button', { name: 'Grouped by fault' }).click();

    const groups = page.getByRole('table', { name: 'Fault groups' });
    const nvh = groups.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${NVH.replace(/\./g, '\\.')}`) }) });
    await expect(nvh).toHaveCount(1);
    // The breakdown shows a spike by flavor at a glance, the deleted m1.legacy included.
    const flavors = nvh.getByRole('list', { name: `Flavors of ${NVH}` });
    for (const f of ['m1.xlarge', 'g1.a100.xlarge', 'm1.legacy']) await expect(flavors).toContainText(f);

    await nvh.getByRole('button', { name: /^Show the \d+ instances with fault/ }).click();
    // The list is the default view, so the URL keeps only the group.
    await expect(page).toHaveURL(/[?&]group=No\+valid\+host/);
    await expect(page).not.toHaveURL(/view=groups/);
    await everyRowShows(page, NVH);

    await page.getByRole('textbox', { name: 'Flavor', exact: true }).fill('m1.xlarge');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/flavor=m1\.xlarge/);
    await everyRowShows(page, NVH, 'm1.xlarge');
    const rows = await listRows(page);
    const uuids = await uuidsOf(page);
    expect(uuids.length).toBeGreaterThanOrEqual(1);
    single = uuids[0]!;

    // Open it: the fault first, then the request with its embedded flavor, then its actions.
    await rows.first().getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`/cell0/${single}$`));
    const fault = page.getByRole('region', { name: 'Fault' });
    await expect(fault).toContainText(NVH);
    await expect(fault).toContainText('code 500');
    await fault.getByText('Details').click();
    await expect(fault.locator('pre')).toContainText('Traceback (most recent call last):');
    const request = page.getByRole('region', { name: 'Request' });
    await expect(request).toContainText('m1.xlarge');
    await expect(request).toContainText('8 vCPU, 16384 MB RAM');
    const actions = page.getByRole('table', { name: 'Instance actions' });
    await expect(actions.getByRole('row', { name: /create/ })).toContainText('conductor_schedule_and_build_instances: Error');

    await page.getByRole('button', { name: 'Delete instance…' }).click();
    const dialog = page.getByRole('dialog', { name: /^Delete cell0 instance/ });
    await expect(dialog).toContainText('cannot be undone');
    await dialog.getByRole('button', { name: 'Delete instance' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Deleted 1 instance.' })).toBeVisible();
    await expect(page.getByRole('note')).toContainText('Deleted');
    await expect(page.getByRole('button', { name: 'Delete instance…' })).toHaveCount(0);

    // Gone from the list, and nova's end state in the api database: the mapping kept, queued for delete.
    await page.goto(`/cell0?group=${encodeURIComponent(NVH)}&flavor=m1.xlarge`);
    await expect(page.getByRole('table', { name: 'cell0 instances' })).toBeVisible();
    expect(await uuidsOf(page)).not.toContain(single);
    const [m] = await api`select queued_for_delete from instance_mappings where instance_uuid = ${single}`;
    expect(m).toEqual({ queued_for_delete: true });
    const cell0 = cell0Sql();
    try {
      const [i] = await cell0`select deleted = id as soft_deleted, vm_state, task_state from instances where uuid = ${single}`;
      expect(i).toEqual({ soft_deleted: true, vm_state: 'deleted', task_state: null });
      const actions = await cell0`select action, user_id from instance_actions where instance_uuid = ${single} order by id`;
      // nova records no delete action for a local delete (a cell0 instance has no host); who
      // deleted it is in Cellar's audit log.
      expect(actions).toEqual([expect.objectContaining({ action: 'create' })]);
    } finally {
      await cell0.end({ timeout: 2 });
    }
    // Who deleted what is in the audit log.
    const audit = await api`select actor, role, outcome from cellar.audit_log where action = 'triage.cell0.delete' and target like ${`%${single}%`}`;
    expect(audit).toEqual([{ actor: 'support', role: 'support', outcome: 'done' }]);
  });

  test('bulk delete: export the evidence, then type the count to delete two', async () => {
    const page = await support.newPage();
    await page.goto(`/cell0?group=${encodeURIComponent(NVH)}&flavor=g1.a100.xlarge`);
    await everyRowShows(page, NVH, 'g1.a100.xlarge');
    const rows = await listRows(page);
    await expect(rows.nth(1)).toBeVisible();
    bulk = (await uuidsOf(page)).slice(0, 2);
    for (const u of bulk) await rows.filter({ hasText: u }).getByRole('checkbox').check();
    await expect(page.getByRole('toolbar', { name: 'Selection' })).toContainText('2 selected');

    // The fault evidence of the selection, before it is deleted.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('toolbar', { name: 'Selection' }).getByRole('link', { name: 'CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^cell0-faults-\d{8}-\d{6}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('uuid,name,project_id,user_id,flavor,image,fault_message,fault_code,fault_time,fault_details');
    for (const u of bulk) expect(csv).toContain(`${u},`);
    expect(csv).toContain(`g1.a100.xlarge,`);
    expect(csv).toContain(`"Traceback (most recent call last):\n`);

    await page.getByRole('button', { name: 'Delete selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete 2 cell0 instances?' });
    const listed = dialog.getByRole('list', { name: 'Instances to delete' });
    for (const u of bulk) await expect(listed).toContainText(u);
    const confirm = dialog.getByRole('button', { name: 'Delete 2 instances' });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel('Type 2 to confirm').fill('3');
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel('Type 2 to confirm').fill('2');
    await confirm.click();
    await expect(page.getByRole('status').filter({ hasText: 'Deleted 2 instances.' })).toBeVisible();
    await expect(dialog).toBeHidden();
    for (const u of bulk) await expect((await listRows(page)).filter({ hasText: u })).toHaveCount(0);
  });

  test('a viewer sees cell0 but is offered no delete, and the server refuses one anyway', async ({ browser }) => {
    const viewer = await signedInAs(browser, 'viewer');
    try {
      const page = await viewer.newPage();
      await page.goto(`/cell0?group=${encodeURIComponent(NVH)}`);
      await everyRowShows(page, NVH);
      const [target] = await uuidsOf(page);
      await expect(page.getByRole('button', { name: /^Delete/ })).toHaveCount(0);
      // No row can be selected for a delete (the page's one checkbox is its auto-refresh switch).
      await expect(page.getByRole('checkbox', { name: /^Select/ })).toHaveCount(0);
      await expect(page.getByRole('checkbox')).toHaveCount(1);
      await expect(page.getByText('need the support role')).toBeVisible();
      const res = await page.request.post('/api/trpc/triage.cell0.delete', { data: { json: { uuids: [target] } } });
      expect(res.status()).toBe(403);
      const exported = await page.request.get(`/api/cell0/export?format=csv&uuid=${target}`);
      expect(exported.status()).toBe(403);
      await page.reload();
      expect(await uuidsOf(page)).toContain(target);
    } finally {
      await viewer.close();
    }
  });

  test('the build-requests and instances pages agree: the deleted instances are not live anywhere', async ({ page, api }) => {
    const gone = [single, ...bulk];
    await page.goto('/build-requests');
    await expect(page.getByRole('table', { name: 'Pending build requests' })).toBeVisible();
    const html = await page.content();
    for (const u of gone) expect(html).not.toContain(u);

    // The instances page looks the uuid up across cells as verify_instance does.
    await page.goto(`/instances?lookup=${single}`);
    const result = page.getByRole('region', { name: 'Lookup result' });
    await expect(result).toContainText('Deleted');
    await expect(result).toContainText(single);

    const rows = await api`select instance_uuid, queued_for_delete from instance_mappings where instance_uuid = any(${gone}) order by instance_uuid`;
    expect(rows).toEqual(gone.sort().map((u) => ({ instance_uuid: u, queued_for_delete: true })));

    // The cell0 list, unfiltered, holds none of them either.
    await page.goto('/cell0?size=200');
    const live = await uuidsOf(page);
    for (const u of gone) expect(live).not.toContain(u);
  });
});

test.describe('pending build requests', () => {
  const project = `e2e-triage-${crypto.randomBytes(3).toString('hex')}`;
  const old = crypto.randomUUID();
  const fresh = crypto.randomUUID();
  const doomed = crypto.randomUUID();

  test.beforeAll(async () => {
    const sql = apiSql();
    const flavor = flavorPrimitive({
      id: 2,
      name: 'm1.small',
      memoryMb: 2048,
      vcpus: 1,
      rootGb: 20,
      ephemeralGb: 0,
      flavorid: '2',
      swap: 0,
      rxtxFactor: 1,
      vcpuWeight: null,
      disabled: false,
      isPublic: true,
      description: null,
    });
    const json = (uuid: string, name: string) =>
      JSON.stringify(buildRequestInstancePrimitive({ uuid, displayName: name, projectId: project, userId: 'e2e-user', imageRef: 'e2e-image', flavor }));
    try {
      await sql`insert into build_requests (instance_uuid, project_id, instance, created_at) values
        (${old}, ${project}, ${json(old, 'e2e-old-boot')}, (now() at time zone 'utc') - interval '3 hours'),
        (${fresh}, ${project}, ${json(fresh, 'e2e-fresh-boot')}, (now() at time zone 'utc')),
        (${doomed}, ${project}, ${json(doomed, 'e2e-doomed-boot')}, (now() at time zone 'utc') - interval '1 minute')`;
      await sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete) values
        (${old}, null, ${project}, 'e2e-user', false), (${fresh}, null, ${project}, 'e2e-user', false), (${doomed}, null, ${project}, 'e2e-user', false)`;
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

  test('a stuck build request is highlighted; a fresh one is not; corrupt rows are shown as corrupt', async ({ page }) => {
    await page.goto('/build-requests');
    const table = page.getByRole('table', { name: 'Pending build requests' });
    const row = (uuid: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(uuid) }) });
    await expect(row(old)).toContainText('stuck');
    await expect(row(old)).toHaveAttribute('data-stuck', 'true');
    await expect(row(old)).toContainText('e2e-old-boot');
    await expect(row(old)).toContainText('m1.small');
    await expect(row(old)).toContainText(/3 h [0-2] min/);
    await expect(row(fresh)).not.toContainText('stuck');
    await expect(row(fresh)).not.toHaveAttribute('data-stuck', 'true');
    // The demo's unparseable and NULL rows.
    await expect(table.getByRole('row').filter({ hasText: 'corrupt' })).toHaveCount(2);
    await expect(table.getByRole('row').filter({ hasText: 'the instance column is NULL' })).toHaveCount(1);
    await expect(page.getByRole('table', { name: 'Orphaned instance mappings' })).toBeVisible();
    const html = await page.content();
    expect(html).not.toContain('INSTANCE_MIGRATION_MARKER');

    // The threshold lives in the URL: at 4 hours the 3-hour-old boot is no longer stuck.
    await page.getByLabel('Stuck after').selectOption({ label: '3 hours' });
    await expect(page).toHaveURL(/stuck=180/);
    await page.goto('/build-requests?stuck=240');
    await expect(row(old)).not.toContainText('stuck');
    await expect(page.getByRole('status').filter({ hasText: 'pending' })).toContainText('older than 4 hours');
  });

  test('deleting a build request the way nova does leaves its mapping queued for delete, shown as an orphan', async ({ page, api }) => {
    await page.goto('/build-requests');
    await page.getByRole('button', { name: `Delete build request ${doomed}` }).click();
    const dialog = page.getByRole('dialog', { name: /^Delete the build request of e2e-doomed-boot/ });
    await dialog.getByRole('button', { name: 'Delete build request' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Build request of instance ${doomed} deleted` })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Pending build requests' })).not.toContainText(doomed);
    await expect(page.getByRole('table', { name: 'Orphaned instance mappings' })).toContainText(doomed);
    const [m] = await api`select cell_id, queued_for_delete from instance_mappings where instance_uuid = ${doomed}`;
    expect(m).toEqual({ cell_id: null, queued_for_delete: true });
    expect(await api`select id from build_requests where instance_uuid = ${doomed}`).toHaveLength(0);
  });
});

test.describe('cell0 not answering', () => {
  test('the page shows the notice, a plain message and the count of UNKNOWN instances, and no rows', async ({ page, api }) => {
    const port = await closedPort();
    const [cell0] = await api<
      { database_connection: string }[]
    >`select database_connection from cell_mappings where uuid = '00000000-0000-0000-0000-000000000000'`;
    const [count] = await api<{ n: number }[]>`
      select count(*)::int as n from instance_mappings m join cell_mappings c on c.id = m.cell_id
      where c.uuid = '00000000-0000-0000-0000-000000000000' and m.queued_for_delete is not true`;
    const n = count!.n;
    await api`update cell_mappings set database_connection = ${`postgresql://nova:sekrit-cell0@127.0.0.1:${port}/nova_cell0`} where uuid = '00000000-0000-0000-0000-000000000000'`;
    try {
      await page.goto('/cell0');
      await expect(page.getByRole('alert').filter({ hasText: 'cell0' })).toContainText('refused the connection');
      await expect(page.getByText(`The api database maps ${n} instance${n === 1 ? '' : 's'} to cell0`)).toBeVisible();
      await expect(page.getByRole('table', { name: 'cell0 instances' })).toHaveCount(0);
      await page.getByRole('button', { name: 'Grouped by fault' }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'cell0' })).toBeVisible();
      expect(await page.content()).not.toContain('sekrit');
    } finally {
      await api`update cell_mappings set database_connection = ${cell0!.database_connection} where uuid = '00000000-0000-0000-0000-000000000000'`;
    }
  });
});
