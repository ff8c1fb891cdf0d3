/**
 * Read-only operation on a deployment nova made: Cellar's own role may only SELECT nova's
 * tables (api and cells) and owns the `cellar` schema. Every page's procedure works; every
 * write is refused before it starts, naming the missing privilege; nothing of nova's
 * changes. The grants are the README's, word for word.
 */
import crypto from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDatabase } from '@/db/connect';
import { applyMigrations } from '@/db/migrate';
import { CellRegistry } from '@/db/registry';
import { withCredentials } from '@/db/url';
import { withDatabase } from '@/db/testing/templates';
import { createNovaDeployment, type NovaDeployment } from '@/db/testing/nova/nova-deployment';
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

/** The README's read-only GRANTs, run as the databases' owner. */
const readOnlyGrants = (db: string, api: boolean) => [
  `GRANT CONNECT ON DATABASE "${db}" TO ${role}`,
  'GRANT USAGE ON SCHEMA public TO ' + role,
  'GRANT SELECT ON ALL TABLES IN SCHEMA public TO ' + role,
  ...(api ? [`CREATE SCHEMA IF NOT EXISTS cellar AUTHORIZATION ${role}`] : []),
];

async function asAdmin(database: string, statements: string[]) {
  const sql = postgres(withDatabase(nova.serverUrl, database), { max: 1, onnotice: () => {} });
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
    const c = await Promise.all(cells.map((sql) => sql`select
      (select json_agg(n order by id) from compute_nodes n) as nodes,
      (select json_agg(json_build_object('uuid', i.uuid, 'vm', i.vm_state, 'task', i.task_state, 'deleted', i.deleted, 'updated', i.updated_at) order by id) from instances i) as instances`));
    return JSON.stringify([a, c]);
  } finally {
    await Promise.all([api.end({ timeout: 2 }), ...cells.map((s) => s.end({ timeout: 2 }))]);
  }
}

beforeAll(async () => {
  nova = await createNovaDeployment();
  await asAdmin('postgres', [`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`]);
  await asAdmin(nova.api.database, readOnlyGrants(nova.api.database, true));
  for (const c of [nova.cell0, nova.cell1, nova.cell2]) await asAdmin(c.database, readOnlyGrants(c.database, false));
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

describe('a read-only database role on a nova-made deployment', () => {
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
      trpcError(caller.cells.create({ name: 'nope', transportUrl: 'rabbit://guest:guest@127.0.0.1:5672/nope', databaseConnection: nova.cell1.novaUrl.replace(/_cell1$/, '_nope') })),
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
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['hosts.discover', 'hosts.deleteMapping', 'cells.create', 'cells.rename', 'cells.setDisabled', 'cells.delete', 'triage.cell0.delete', 'triage.buildRequests.delete']));
  });
});
