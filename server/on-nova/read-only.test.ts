/**
 * Read-only operation on a deployment nova made: Cellar's own role may only SELECT nova's
 * tables (api and cells) and owns the `cellar` schema. Every page's procedure works; every
 * write is refused before it starts, naming the missing privilege; nothing of nova's
 * changes. The grants are the README's, word for word.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDatabase } from '@/db/connect';
import { applyMigrations } from '@/db/migrate';
import { CellRegistry } from '@/db/registry';
import { withCredentials } from '@/db/url';
import { withDatabase } from '@/db/testing/templates';
import { createNovaDeployment, NOVA_TEST_TIMEOUT_MS, type NovaDeployment } from '@/db/testing/nova/nova-deployment';
import type { Deps } from '../deps';
import { runCli } from '../cli/testing';
import { createCaller } from '../root';
import { trpcError } from '../testing';

const role = `cellar_ro_${crypto.randomBytes(4).toString('hex')}`;
const password = crypto.randomBytes(12).toString('hex');
let nova: NovaDeployment;
let deps: Deps;
let caller: ReturnType<typeof createCaller>;
let before: Record<string, string>;
let rowsBefore: string;

/**
 * A GRANT block of the README ("Point Cellar at your nova deployment"), word for word,
 * for one database: its role `cellar`, password and database names made this test's.
 */
function readmeGrants(title: string, database: string, who: { role: string; password: string }): string[] {
  const readme = fs.readFileSync(path.resolve('README.md'), 'utf8');
  const block = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith(`-- ${title}`));
  if (!block) throw new Error(`README has no GRANT block "${title}"`);
  return block
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('--'))
    .map((l) =>
      l
        .replace(/\bcellar\b(?=;| LOGIN| $)/g, who.role)
        .replace(/ TO cellar;/g, ` TO ${who.role};`)
        .replace(/AUTHORIZATION cellar;/, `AUTHORIZATION ${who.role};`)
        .replace("PASSWORD 'secret'", `PASSWORD '${who.password}'`)
        .replace(/\bnova_(api|cell1)\b/, `"${database}"`),
    );
}

async function asAdmin(database: string, statements: string[]) {
  const sql = postgres(withDatabase(nova.serverUrl, database), { max: 1, onnotice: () => {} });
  // The README's first line makes the role; here each block runs in its database in turn.
  try {
    for (const s of statements) await sql.unsafe(s);
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/** nova's rows that any write would change, as one text. */
async function novaRows(): Promise<string> {
  const api = postgres(nova.api.url, { max: 1, onnotice: () => {} });
  const cells = [nova.cell0, nova.cell1, nova.cell2].map((c) => postgres(c.url, { max: 1, onnotice: () => {} }));
  try {
    const a = await api`select
      (select json_agg(c order by id) from cell_mappings c) as cells,
      (select json_agg(h order by id) from host_mappings h) as hosts,
      (select json_agg(m order by id) from instance_mappings m) as mappings,
      (select json_agg(b order by id) from build_requests b) as builds`;
    const c = await Promise.all(
      cells.map(
        (sql) => sql`select
      (select json_agg(n order by id) from compute_nodes n) as nodes,
      (select json_agg(json_build_object('uuid', i.uuid, 'vm', i.vm_state, 'task', i.task_state, 'deleted', i.deleted, 'updated', i.updated_at) order by id) from instances i) as instances`,
      ),
    );
    return JSON.stringify([a, c]);
  } finally {
    await Promise.all([api.end({ timeout: 2 }), ...cells.map((s) => s.end({ timeout: 2 }))]);
  }
}

beforeAll(async () => {
  nova = await createNovaDeployment();
  const who = { role, password };
  await asAdmin(nova.api.database, readmeGrants('read-only, api database', nova.api.database, who));
  for (const c of [nova.cell0, nova.cell1, nova.cell2]) await asAdmin(c.database, readmeGrants('read-only, each cell database', c.database, who));
  before = await nova.dumpPublicSchemas();

  const apiUrl = withCredentials(nova.api.url, role, password);
  const api = openApiDatabase(apiUrl, { max: 3 });
  // Cell mappings name nova's own role; Cellar connects to the cells as its own (CELLAR_CELL_DATABASE_USER).
  const registry = new CellRegistry({ baseUrl: apiUrl, cellCredentials: { user: role, password } });
  deps = { api, registry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
  // The start, as the read-only role: Cellar's schema is the role's own.
  await applyMigrations(api, 'api');
  caller = createCaller({ requestId: 'read-only', deps: () => deps });
  rowsBefore = await novaRows();
});

afterAll(async () => {
  await deps?.registry.closeAll();
  await deps?.api.close();
  await nova?.close();
  await asAdmin('postgres', [`DROP ROLE IF EXISTS ${role}`]).catch(() => {});
});

describe('a read-only database role on a nova-made deployment', { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it("reads every page's data", async () => {
    const cells = await caller.cells.list();
    expect(cells.cells.map((c) => [c.name, c.status])).toEqual([
      ['cell0', 'up'],
      ['cell1', 'up'],
      ['cell2', 'up'],
    ]);
    expect((await caller.cells.detail({ uuid: nova.cell1.uuid })).status).toBe('up');
    expect((await caller.hosts.mappings({})).rows).toHaveLength(nova.facts.hosts.mapped.length);
    expect((await caller.hosts.unmapped()).computes.map((c) => c.host)).toEqual(nova.facts.hosts.unmapped);
    const cell0 = await caller.triage.cell0.list({});
    expect(cell0.state === 'up' && cell0.data.rows.map((r) => r.uuid)).toEqual([nova.facts.buried.uuid]);
    expect((await caller.triage.buildRequests.list({})).buildRequests).toHaveLength(1);
    expect((await caller.instances.list({})).rows.length).toBe(nova.facts.instances.filter((i) => !i.deleted).length);
    expect((await caller.checks.run()).checks.find((c) => c.id === 'cells_v2')?.result).toBe('success');
    const dry = await caller.hosts.discover({ dryRun: true });
    expect(dry.wouldMap.map((h) => h.host)).toEqual(nova.facts.hosts.unmapped);
  });

  it('refuses every write before it starts, naming the privilege, and changes nothing of nova', async () => {
    const refusals = await Promise.all([
      trpcError(caller.hosts.discover({})),
      trpcError(caller.hosts.deleteMapping({ cellUuid: nova.cell1.uuid, host: nova.facts.hosts.cell1[0]! })),
      trpcError(
        caller.cells.create({
          name: 'nope',
          transportUrl: 'rabbit://guest:guest@127.0.0.1:5672/nope',
          databaseConnection: nova.cell1.novaUrl.replace(/_cell1$/, '_nope'),
        }),
      ),
      trpcError(caller.cells.rename({ uuid: nova.cell2.uuid, name: 'renamed' })),
      trpcError(caller.cells.setDisabled({ uuid: nova.cell2.uuid, disabled: true })),
      trpcError(caller.cells.delete({ uuid: nova.cell2.uuid, force: true })),
      trpcError(caller.triage.cell0.delete({ uuids: [nova.facts.buried.uuid] })),
      trpcError(caller.triage.buildRequests.delete({ instanceUuid: nova.facts.pending.buildRequestInstanceUuid })),
    ]);
    for (const e of refusals) {
      expect(e.code, e.message).toBe('FORBIDDEN');
      expect(e.message).toContain(`Cellar's database role "${role}" may not`);
      expect(e.message).toMatch(/GRANT (INSERT|UPDATE|DELETE|USAGE)/);
      expect(e.message).toContain('Nothing was changed.');
    }
    expect(refusals[0]!.message).toContain('host_mappings');
    expect(refusals[6]!.message).toMatch(/instances|instance_mappings/);
    expect(await novaRows()).toBe(rowsBefore);
    expect(await nova.dumpPublicSchemas()).toEqual(before);
  });

  it('the CLI, configured with the read-only role, refuses map_instances with the privilege named and exit 1', async () => {
    process.env.CELLAR_CELL_DATABASE_USER = role;
    process.env.CELLAR_CELL_DATABASE_PASSWORD = password;
    try {
      const r = await runCli(['map_instances', '--cell_uuid', nova.cell1.uuid], { apiUrl: withCredentials(nova.api.url, role, password) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('may not INSERT into instance_mappings');
      expect(r.stderr).toContain('Nothing was changed.');
    } finally {
      delete process.env.CELLAR_CELL_DATABASE_USER;
      delete process.env.CELLAR_CELL_DATABASE_PASSWORD;
    }
    expect(await novaRows()).toBe(rowsBefore);
  });

  it('audits each refusal in its own schema', async () => {
    const rows = await deps.api.sql<{ action: string; outcome: string }[]>`select action, outcome from cellar.audit_log where outcome <> 'done' order by id`;
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'hosts.discover',
        'hosts.deleteMapping',
        'cells.create',
        'cells.rename',
        'cells.setDisabled',
        'cells.delete',
        'triage.cell0.delete',
        'triage.buildRequests.delete',
      ]),
    );
  });
});

describe("a read-write database role with the README's grants", { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  const rw = { role: `cellar_rw_${crypto.randomBytes(4).toString('hex')}`, password: crypto.randomBytes(12).toString('hex') };
  let rwNova: NovaDeployment;
  let rwDeps: Deps;
  let rwCaller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    rwNova = await createNovaDeployment();
    await asAdmin(rwNova.api.database, [
      ...readmeGrants('read-only, api database', rwNova.api.database, rw),
      ...readmeGrants('read-write, api database', rwNova.api.database, rw),
    ]);
    for (const c of [rwNova.cell0, rwNova.cell1, rwNova.cell2]) {
      await asAdmin(c.database, [
        ...readmeGrants('read-only, each cell database', c.database, rw),
        ...readmeGrants('read-write, each cell database', c.database, rw),
      ]);
    }
    const apiUrl = withCredentials(rwNova.api.url, rw.role, rw.password);
    const api = openApiDatabase(apiUrl, { max: 3 });
    rwDeps = {
      api,
      registry: new CellRegistry({ baseUrl: apiUrl, cellCredentials: { user: rw.role, password: rw.password } }),
      deadlineMs: 5000,
      serviceDownTimeS: 60,
      now: () => new Date(),
    };
    await applyMigrations(api, 'api');
    rwCaller = createCaller({ requestId: 'read-write', deps: () => rwDeps });
  });
  afterAll(async () => {
    await rwDeps?.registry.closeAll();
    await rwDeps?.api.close();
    await rwNova?.close();
    await asAdmin('postgres', [`DROP ROLE IF EXISTS ${rw.role}`]).catch(() => {});
  });

  it('every write succeeds, and nova reads it back', async () => {
    const r = await rwCaller.hosts.discover({});
    expect(r.newlyMapped.map((h) => h.host)).toEqual(rwNova.facts.hosts.unmapped);
    await rwCaller.hosts.deleteMapping({ cellUuid: rwNova.cell1.uuid, host: rwNova.facts.hosts.unmapped[0]! });
    expect((await rwCaller.triage.cell0.delete({ uuids: [rwNova.facts.buried.uuid] })).deleted).toEqual([rwNova.facts.buried.uuid]);
    await rwCaller.triage.buildRequests.delete({ instanceUuid: rwNova.facts.pending.buildRequestInstanceUuid });
    await rwCaller.cells.rename({ uuid: rwNova.cell2.uuid, name: 'cell2-renamed' });
    await rwCaller.cells.setDisabled({ uuid: rwNova.cell2.uuid, disabled: true });
    process.env.CELLAR_CELL_DATABASE_USER = rw.role;
    process.env.CELLAR_CELL_DATABASE_PASSWORD = rw.password;
    try {
      const m = await runCli(['map_instances', '--cell_uuid', rwNova.cell1.uuid], { apiUrl: withCredentials(rwNova.api.url, rw.role, rw.password) });
      expect(m.code, m.stderr).toBe(0);
    } finally {
      delete process.env.CELLAR_CELL_DATABASE_USER;
      delete process.env.CELLAR_CELL_DATABASE_PASSWORD;
    }
    // cell2 has live instances: nova's delete_cell refuses even with --force, and so does Cellar
    // (by nova's guard, not for want of a privilege: the read-write role has them all).
    const refused = await trpcError(rwCaller.cells.delete({ uuid: rwNova.cell2.uuid, force: true }));
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect(refused.message).toContain('live instances');
    const list = await rwNova.novaManage(['cell_v2', 'list_cells']);
    expect(list.stdout).toMatch(/cell2-renamed .*\| +True +\|/);
    expect((await rwNova.novaManage(['cell_v2', 'verify_instance', '--uuid', rwNova.facts.byPurpose.unmapped[0]!])).code).toBe(0);
    expect((await rwNova.novaManage(['cell_v2', 'verify_instance', '--uuid', rwNova.facts.buried.uuid])).code).toBe(3);
  });
});
