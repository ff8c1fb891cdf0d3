/**
 * The console on a deployment nova made itself (Debian's python3-nova, nova 26 "Zed"; see
 * e2e/nova/serve-nova.ts and db/testing/nova): every page shows nova's own rows, as an
 * operator reads them, and nothing in nova's schemas changes.
 *
 * Everything expected comes from test-results/nova-e2e.json (fill_nova.py's facts, the
 * clone's URLs, the users serve-nova made) or from the clone's databases themselves.
 * The spec only reads: it deletes, maps and discovers nothing.
 */
import fs from 'node:fs';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { NOVA_E2E_DUMPS_BEFORE, NOVA_E2E_START_LOG } from './nova/paths';
import { dumpPublicSchemas, lineDiff, ROLES, type SchemaDumps } from './nova/schema-dump';
import { databaseSql, masked, type NovaState, passwordOf, readNovaState, signedInAs } from './nova/state';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let nova: NovaState;
let operator: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser, baseURL }) => {
  nova = readNovaState();
  operator = await signedInAs(browser, nova.users.operator, baseURL!);
});
test.afterAll(async () => {
  await operator?.close();
});
test.beforeEach(async () => {
  page = await operator.newPage();
});
test.afterEach(async () => {
  await page?.close();
});

/** alembic_version of one of the clone's databases, as nova-manage left it. */
async function alembicRevision(role: keyof NovaState['databases']): Promise<string> {
  const sql = databaseSql(nova, role);
  try {
    const [r] = await sql<{ version_num: string }[]>`select version_num from alembic_version`;
    return r!.version_num;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

const novaMajor = () => nova.facts.novaVersion.split('.')[0]!;
const instanceName = (uuid: string) => nova.facts.instances.find((i) => i.uuid === uuid)!.displayName;

test('the cells page lists cell0, cell1 and cell2 at nova’s URLs, masked, all up, with nova’s schema', async () => {
  const cellRevision = await alembicRevision('cell1');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Cells', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'Cells' });
  const cells = Object.values(nova.facts.cells);
  await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText(`${cells.length} of ${cells.length} cells answered`);
  for (const cell of cells) {
    const role = cell.name as 'cell0' | 'cell1' | 'cell2';
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${escapeRegExp(cell.name)}`) }) });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(cell.uuid);
    // The database URL as nova stores it: the SQLAlchemy scheme kept, the password masked.
    const novaUrl = nova.databases[role].novaUrl;
    expect(novaUrl).toMatch(/^postgresql\+psycopg2:\/\//);
    await expect(row).toContainText(masked(novaUrl));
    await expect(row).toContainText(masked(cell.transportUrl));
    await expect(row).toContainText('● up');
    // Schema: current, and its summary is nova's revision, made by nova.
    const schema = row.getByTitle(new RegExp(`^nova schema ${escapeRegExp(await alembicRevision(role))} \\(nova ${novaMajor()}\\b.*\\), made by nova$`));
    await expect(schema).toHaveText('current');
    expect(await alembicRevision(role)).toBe(cellRevision);
  }
  await expect(table).not.toContainText('uninitialised');
  await expect(table).not.toContainText('behind');
  const html = await page.content();
  const password = passwordOf(nova.databases.cell1.url);
  if (password) expect(html.includes(password), 'the page shows the database password').toBe(false);
  for (const cell of cells) {
    const transportPassword = passwordOf(cell.transportUrl);
    if (transportPassword) expect(html).not.toContain(`:${transportPassword}@`);
  }
});

test('a viewer sees the same cells, masked, and the sign-in page offers no demo users', async ({ browser, baseURL }) => {
  const blank = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const p = await blank.newPage();
    await p.goto('/sign-in');
    await expect(p.getByRole('form', { name: 'Sign in' })).toBeVisible();
    await expect(p.getByText('Demo only')).toHaveCount(0);
  } finally {
    await blank.close();
  }
  const viewer = await signedInAs(browser, nova.users.viewer, baseURL!);
  try {
    const p = await viewer.newPage();
    const bodies: Promise<string>[] = [];
    p.on('response', (r) => {
      if (r.url().includes('/api/')) bodies.push(r.text().catch(() => ''));
    });
    await p.goto('/');
    const table = p.getByRole('table', { name: 'Cells' });
    for (const cell of Object.values(nova.facts.cells)) {
      const row = table.getByRole('row').filter({ has: p.getByRole('rowheader', { name: new RegExp(`^${escapeRegExp(cell.name)}`) }) });
      await expect(row).toContainText(masked(nova.databases[cell.name as 'cell1'].novaUrl));
    }
    await p.waitForLoadState('networkidle');
    const password = passwordOf(nova.databases.cell1.url);
    if (password) {
      expect((await p.content()).includes(password), 'the page shows the database password').toBe(false);
      expect((await Promise.all(bodies)).join('\n').includes(password), 'an API answer shows the database password').toBe(false);
    }
  } finally {
    await viewer.close();
  }
});

test('the host mappings page lists the hosts nova mapped; the unmapped computes page shows the one it did not', async () => {
  await page.goto('/hosts');
  await expect(page.getByRole('heading', { name: 'Host mappings', level: 1 })).toBeVisible();
  const mappings = page.getByRole('table', { name: 'Host mappings' });
  const mapped = nova.facts.computes.filter((c) => c.mapped);
  expect(mapped.map((c) => c.host).sort()).toEqual([...nova.facts.hosts.mapped].sort());
  await expect(page.getByRole('status').filter({ hasText: 'host mapping' })).toContainText(`${mapped.length} host mapping`);
  await expect(mappings.getByRole('rowheader')).toHaveText(mapped.map((c) => c.host).sort());
  for (const c of mapped) {
    const row = mappings.getByRole('row').filter({ has: page.getByRole('rowheader', { name: c.host, exact: true }) });
    await expect(row).toContainText(c.cell);
    await expect(row).toContainText(c.cellUuid);
  }
  for (const host of nova.facts.hosts.unmapped) await expect(mappings.getByRole('rowheader', { name: host, exact: true })).toHaveCount(0);

  await page.goto('/computes');
  await expect(page.getByRole('heading', { name: 'Unmapped computes', level: 1 })).toBeVisible();
  const unmapped = page.getByRole('table', { name: 'Unmapped computes' });
  await expect(unmapped).toBeVisible();
  await expect(unmapped.getByRole('rowheader')).toHaveText(nova.facts.hosts.unmapped);
  for (const host of nova.facts.hosts.unmapped) {
    const c = nova.facts.computes.find((x) => x.host === host)!;
    const row = unmapped.getByRole('row').filter({ has: page.getByRole('rowheader', { name: host, exact: true }) });
    await expect(row).toContainText(c.node);
    await expect(row).toContainText(c.cell);
  }
});

test('the cell0 page lists the boot nova buried there, with its fault and embedded flavor; its page shows the fault', async () => {
  const buried = nova.facts.buried;
  const flavor = nova.facts.flavors.find((f) => f.name === buried.flavor)!;
  await page.goto('/cell0');
  await expect(page.getByRole('heading', { name: 'cell0', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'cell0 instances' });
  const row = table.locator(`tr[data-uuid="${buried.uuid}"]`);
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('rowheader')).toContainText(instanceName(buried.uuid));
  await expect(row).toContainText(buried.fault.message);
  await expect(row).toContainText(`code ${buried.fault.code}`);
  await expect(row.locator('[data-column="flavor"]')).toHaveText(buried.flavor);

  await row.getByRole('link', { name: instanceName(buried.uuid) }).click();
  await expect(page).toHaveURL(new RegExp(`/cell0/${buried.uuid}$`));
  await expect(page.getByRole('heading', { name: instanceName(buried.uuid), level: 1 })).toBeVisible();
  const fault = page.getByRole('region', { name: 'Fault' });
  await expect(fault).toContainText(buried.fault.message);
  await expect(fault).toContainText(`code ${buried.fault.code}`);
  await expect(fault).toContainText(`on ${buried.fault.host}`);
  if (buried.fault.hasDetails) {
    await fault.getByText('Details').click();
    await expect(fault.locator('pre')).toContainText('Traceback (most recent call last):');
  }
  const request = page.getByRole('region', { name: 'Request' });
  await expect(request).toContainText(flavor.name);
  await expect(request).toContainText(`${flavor.vcpus} vCPU, ${flavor.memoryMb} MB RAM, ${flavor.rootGb} GB disk`);
  await expect(request).toContainText(`id ${flavor.flavorid}`);
  const inst = nova.facts.instances.find((i) => i.uuid === buried.uuid)!;
  await expect(request).toContainText(inst.projectId);
});

test('the build requests page shows the pending boot with its flavor', async () => {
  const pending = nova.facts.pending;
  await page.goto('/build-requests');
  const table = page.getByRole('table', { name: 'Pending build requests' });
  await expect(table).toBeVisible();
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${pending.buildRequestInstanceUuid}`) }) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(pending.displayName);
  await expect(row.getByRole('cell').nth(4)).toHaveText(pending.flavor);
  await expect(row).toContainText(pending.projectId.slice(0, 8));
  await expect(row).not.toContainText('corrupt');
  // nova's buried boot has no build request left (the conductor deleted it).
  await expect(table.getByRole('rowheader', { name: new RegExp(`^${nova.facts.buried.uuid}`) })).toHaveCount(0);
});

test('the instances page lists the live instances of cell1 and cell2, and not the deleted one', async () => {
  await page.goto('/instances');
  const table = page.getByRole('table', { name: 'Instances' });
  await expect(table).toBeVisible();
  const total = Object.keys(nova.facts.cells).length;
  await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText(`${total} of ${total} cells answered`);
  for (const uuid of nova.facts.byPurpose.live) {
    const i = nova.facts.instances.find((x) => x.uuid === uuid)!;
    expect(['cell1', 'cell2']).toContain(i.cell);
    const row = table.getByRole('row').filter({ has: page.locator(`[data-instance-uuid="${uuid}"]`) });
    await expect(row, `${i.displayName} (${i.cell})`).toHaveCount(1);
    await expect(row.getByRole('rowheader')).toHaveText(i.displayName);
    await expect(row).toContainText(i.cell);
    await expect(row).toContainText(i.flavor);
    await expect(row).toContainText(i.host!);
    await expect(row).not.toContainText('UNKNOWN');
  }
  const deleted = nova.facts.byPurpose.deleted;
  await expect(table.locator(`[data-instance-uuid="${deleted}"]`)).toHaveCount(0);
  await expect(table.getByRole('rowheader', { name: instanceName(deleted), exact: true })).toHaveCount(0);
});

test('the checks page loads and nova-status’s Cells v2 check is not a failure', async () => {
  await page.goto('/checks');
  await expect(page.getByRole('heading', { name: 'Checks', level: 1 })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Could not run the checks' })).toHaveCount(0);
  const checks = page.getByRole('table', { name: 'Checks' });
  const cellsV2 = checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Cells v2', exact: true }) });
  await expect(cellsV2).toHaveCount(1);
  await expect(cellsV2.getByRole('cell').first()).toHaveText(/^(Success|Warning)$/);
  await expect(page.getByLabel('Overall result')).toBeVisible();
  // The hosts the checks count as unmapped are nova's.
  const unmapped = nova.facts.hosts.unmapped.length;
  await expect(page.getByText(`${unmapped} compute ${unmapped === 1 ? 'host has' : 'hosts have'} no host mapping yet`)).toBeVisible();
});

test('the start said one line per database: nova’s api schema, made by nova, and each cell left unchanged', async () => {
  const log = fs.readFileSync(NOVA_E2E_START_LOG, 'utf8');
  const lines = log.split('\n').filter((l) => l.startsWith('cellar: '));
  const apiRevision = await alembicRevision('api');
  const api = lines.filter((l) => l.startsWith('cellar: api database: '));
  expect(api, log).toHaveLength(1);
  expect(api[0]).toContain(`api database: nova schema ${apiRevision} (nova ${novaMajor()}`);
  expect(api[0]).toContain('made by nova');
  expect(api[0]).toMatch(/; Cellar schema current\b/);
  for (const cell of Object.values(nova.facts.cells)) {
    const said = lines.filter((l) => l.startsWith(`cellar: cell ${cell.name}: `));
    expect(said, log).toHaveLength(1);
    const revision = await alembicRevision(cell.name as 'cell0' | 'cell1' | 'cell2');
    expect(said[0]).toMatch(
      new RegExp(
        `^cellar: cell ${escapeRegExp(cell.name)}: nova schema ${revision} \\(nova ${novaMajor()}\\b[^)]*\\), made by nova; Cellar changes nothing in it$`,
      ),
    );
  }
});

// Last: after every page above was read (tests in a file run in order on the one worker).
test('pg_dump --schema-only --schema=public of the four databases is what it was before Cellar started', async () => {
  const before = JSON.parse(fs.readFileSync(NOVA_E2E_DUMPS_BEFORE, 'utf8')) as SchemaDumps;
  const after = await dumpPublicSchemas(nova.databases, before.method);
  test.info().annotations.push({ type: 'schema dump', description: `${before.method}: ${before.why}` });
  for (const role of ROLES) {
    expect(before.dumps[role].length, `${role}: the before dump is empty`).toBeGreaterThan(1000);
    expect(before.dumps[role]).toMatch(role === 'api' ? /cell_mappings/ : /instance_faults/);
    const diff = lineDiff(before.dumps[role], after[role]);
    expect(diff, `${role} (${nova.databases[role].database}): public schema changed`).toEqual({ onlyBefore: [], onlyAfter: [] });
  }
});
