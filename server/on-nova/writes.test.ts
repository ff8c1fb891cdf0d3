/**
 * Every write Cellar makes on a deployment nova made is one nova would make: after each,
 * nova's own nova-manage (list_cells, list_hosts, verify_instance, map_instances,
 * discover_hosts) and the Cells v2 check of nova-status read it back with nova's exit
 * codes, and nova's schemas stay byte for byte as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVA_TEST_TIMEOUT_MS } from '@/db/testing/nova/nova-deployment';
import postgres from 'postgres';
import { withDatabase } from '@/db/testing/templates';
import { NOVA_TEMPLATES_ENV, type NovaTemplates } from '@/db/testing/nova/templates';
import { toNovaUrl } from '@/db/testing/nova/templates';
import { runCli } from '../cli/testing';
import { CELL0_UUID } from '../nova/constants';
import { trpcError } from '../testing';
import { cellarOnNova, type CellarOnNova } from './testing';

let t: CellarOnNova;
let before: Record<string, string>;
const extraDatabases: string[] = [];
beforeAll(async () => {
  t = await cellarOnNova();
  before = await t.nova.dumpPublicSchemas();
});
afterAll(async () => {
  await t?.close();
  if (extraDatabases.length) {
    const admin = postgres(withDatabase(t.nova.serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
    for (const d of extraDatabases) await admin.unsafe(`drop database if exists "${d}" with (force)`);
    await admin.end({ timeout: 2 });
  }
});

const nova = (...args: string[]) => t.nova.novaManage(['cell_v2', ...args]);
const cellsV2 = async () => (await t.nova.novaStatusCellsV2()).result;

describe('writes on a nova-made deployment, read back by nova', { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it('discover hosts: nova lists the new host mapping; delete host: nova no longer does, and its own discover_hosts maps it again', async () => {
    const [host] = t.nova.facts.hosts.unmapped;
    const r = await t.caller.hosts.discover({});
    expect(r.newlyMapped.map((m) => m.host)).toEqual([host]);
    let hosts = await nova('list_hosts');
    expect(hosts.code).toBe(0);
    expect(hosts.stdout).toContain(host!);
    expect(await cellsV2()).toBe('Success');

    await t.caller.hosts.deleteMapping({ cellUuid: t.nova.cell1.uuid, host: host! });
    hosts = await nova('list_hosts');
    expect(hosts.stdout).not.toContain(host!);
    // delete_host set the node's mapped back to 0, as nova's does: nova's per-node scan finds it again.
    const again = await nova('discover_hosts', '--cell_uuid', t.nova.cell1.uuid, '--strict');
    expect(again.code).toBe(0);
    expect((await nova('list_hosts')).stdout).toContain(host!);
    expect(await t.nova.dumpPublicSchemas()).toEqual(before);
  });

  it('map_instances: Cellar begins with --max-count, nova-manage finishes from the same marker, every instance mapped once', async () => {
    const [a, b] = t.nova.facts.byPurpose.unmapped;
    const first = await runCli(['map_instances', '--cell_uuid', t.nova.cell1.uuid, '--max-count', '1'], { apiUrl: t.nova.api.url });
    expect(first.code).toBe(1); // more to do: the marker is saved
    const rest = await nova('map_instances', '--cell_uuid', t.nova.cell1.uuid);
    expect(rest.code).toBe(0);
    for (const uuid of [a!, b!]) {
      const v = await nova('verify_instance', '--uuid', uuid);
      expect(v.code, v.stdout).toBe(0);
      expect(v.stdout).toContain(t.nova.cell1.uuid);
    }
    const [n] = await t.deps.api.sql<{ dupes: number; markers: number }[]>`
      select (select count(*)::int from (select instance_uuid from instance_mappings group by instance_uuid having count(*) > 1) d) as dupes,
             (select count(*)::int from instance_mappings where project_id = 'INSTANCE_MIGRATION_MARKER') as markers`;
    expect(n).toEqual({ dupes: 0, markers: 0 });
    expect(await t.nova.dumpPublicSchemas()).toEqual(before);
  });

  it('create, rename, disable, enable and delete a cell: nova-manage list_cells shows each step', async () => {
    // A new cell database as nova makes one: a clone of the nova-made cell0 template, empty of hosts.
    const templates = JSON.parse(process.env[NOVA_TEMPLATES_ENV]!) as NovaTemplates;
    const admin = postgres(withDatabase(t.nova.serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
    const db = `${t.nova.cell0.database}_new`;
    await admin.unsafe(`create database "${db}" template "${templates.databases.cell0}"`);
    await admin.end({ timeout: 2 });
    extraDatabases.push(db);
    const url = toNovaUrl(withDatabase(t.nova.serverUrl, db));

    const created = await t.caller.cells.create({ name: 'cell3', transportUrl: 'rabbit://guest:guest@127.0.0.1:5672/cell3', databaseConnection: url });
    const uuid = created.cell.uuid;
    let list = await nova('list_cells');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`\\| cell3 +\\| ${uuid} \\|.*\\| +False +\\|`));

    await t.caller.cells.rename({ uuid, name: 'cell3-renamed' });
    await t.caller.cells.setDisabled({ uuid, disabled: true });
    list = await nova('list_cells');
    expect(list.stdout).toMatch(new RegExp(`\\| cell3-renamed +\\| ${uuid} \\|.*\\| +True +\\|`));
    await t.caller.cells.setDisabled({ uuid, disabled: false });
    expect((await nova('list_cells')).stdout).toMatch(new RegExp(`\\| cell3-renamed +\\| ${uuid} \\|.*\\| +False +\\|`));
    // nova's own update_cell on a cell Cellar made: the two tools take turns. (With --name
    // alone nova would fill the URLs from its nova.conf, cell1's, and refuse with 3.)
    const upd = await nova(
      'update_cell',
      '--cell_uuid',
      uuid,
      '--name',
      'cell3-by-nova',
      '--transport-url',
      'rabbit://guest:guest@127.0.0.1:5672/cell3',
      '--database_connection',
      url,
    );
    expect(upd.code, upd.stdout + upd.stderr).toBe(0);
    const [renamed] = await t.deps.api.sql<{ name: string }[]>`select name from cell_mappings where uuid = ${uuid}`;
    expect(renamed!.name).toBe('cell3-by-nova');

    await t.caller.cells.delete({ uuid });
    list = await nova('list_cells');
    expect(list.stdout).not.toContain(uuid);
    expect(await cellsV2()).toBe('Success');
    expect(await t.nova.dumpPublicSchemas()).toEqual(before);
  });

  it("refuses, as nova does, a cell whose database is another's written as a template (nova's exit code 2)", async () => {
    const stored = new URL(t.nova.cell2.novaUrl);
    const template = `{scheme}://{username}:{password}@{hostname}:{port}${stored.pathname}`;
    const e = await trpcError(
      t.caller.cells.create({ name: 'again', transportUrl: 'rabbit://guest:guest@127.0.0.1:5672/again', databaseConnection: template }),
    );
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain('The specified transport_url and/or database_connection combination already exists for another cell');
    expect((await nova('list_cells')).stdout).not.toContain('again');
  });

  it('delete the boot buried in cell0: nova sees it deleted and still mapped (verify_instance exit 3)', async () => {
    const { buried } = t.nova.facts;
    expect(await t.caller.triage.cell0.delete({ uuids: [buried.uuid] })).toEqual({ deleted: [buried.uuid], alreadyDeleted: [], notFound: [] });
    const v = await nova('verify_instance', '--uuid', buried.uuid);
    expect(v.code, v.stdout).toBe(3);
    expect(v.stdout).toContain('has been deleted');
    const cell0 = t.deps.registry.handleFor({ id: 0, uuid: CELL0_UUID, name: 'cell0', databaseConnection: t.nova.cell0.novaUrl }).sql;
    const [row] = await cell0<{ vm_state: string; task_state: string | null; gone: boolean; faults: number; extra: number }[]>`
      select vm_state, task_state, deleted = id as gone,
             (select count(*)::int from instance_faults f where f.instance_uuid = i.uuid and f.deleted = 0) as faults,
             (select count(*)::int from instance_extra x where x.instance_uuid = i.uuid and x.deleted = 0) as extra
      from instances i where uuid = ${buried.uuid}`;
    expect(row).toEqual({ vm_state: 'deleted', task_state: null, gone: true, faults: 0, extra: 0 });
    expect(await t.nova.dumpPublicSchemas()).toEqual(before);
  });

  it('delete the pending build request: nova finds its mapping queued for delete with no cell (verify_instance exit 2)', async () => {
    const { pending } = t.nova.facts;
    await t.caller.triage.buildRequests.delete({ instanceUuid: pending.buildRequestInstanceUuid });
    const v = await nova('verify_instance', '--uuid', pending.buildRequestInstanceUuid);
    expect(v.code, v.stdout).toBe(2);
    const [m] = await t.deps.api.sql<{ qfd: boolean; br: number }[]>`
      select queued_for_delete as qfd, (select count(*)::int from build_requests where instance_uuid = ${pending.buildRequestInstanceUuid}) as br
      from instance_mappings where instance_uuid = ${pending.buildRequestInstanceUuid}`;
    expect(m).toEqual({ qfd: true, br: 0 });
    expect(await t.nova.dumpPublicSchemas()).toEqual(before);
  });

  it("refuses the verbs that stand in for nova's services, saying why, and writes nothing", async () => {
    const reg = await runCli(['register_compute', '--cell_uuid', t.nova.cell1.uuid, '--host', 'not-nova'], { apiUrl: t.nova.api.url });
    expect(reg.code).toBe(1);
    expect(reg.stderr).toMatch(/nova/);
    expect(reg.stderr).toContain('--allow-on-nova');
    const boot = await runCli(['boot', '--flavor', t.nova.facts.flavors[0]!.name, '--name', 'not-nova'], { apiUrl: t.nova.api.url });
    expect(boot.code).toBe(1);
    expect(boot.stderr).toContain('--allow-on-nova');
    const [n] = await t.deps.api.sql<{ n: number }[]>`select count(*)::int as n from build_requests`;
    expect(n!.n).toBe(0);
    expect((await nova('list_hosts')).stdout).not.toContain('not-nova');
  });
});
