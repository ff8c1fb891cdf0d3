/**
 * The demo deployment, checked the way an operator would check it in the console: by
 * querying the api database and the cell databases with nova's rules (cells-v2.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '../../db/testing/deployment';
import { type ComputeNodeInventoryRow, inventoryFromRow, nodeCapacity } from '../nova/capacity';
import { CELL0_UUID, FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { type DemoSummary, seedDemo } from './seed';

const SERVICE_DOWN_TIME_S = 60;
/** The single row of a one-row query. */
const first = <T>(rows: readonly T[]): T => rows[0]!;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A fixed instant (whole second) so two seeded deployments can be compared row for row.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const nowTs = NOW.toISOString();

let dep: TestDeployment;
let cell0: TestCell;
let cell1: TestCell;
let cell2: TestCell;
let summary: DemoSummary;

function seedInto(d: TestDeployment) {
  return seedDemo({ api: d.api, cells: { cell0: d.cell0, cell1: d.cells[0]!, cell2: d.cells[1]! }, now: NOW });
}

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  cell0 = dep.cell0;
  cell1 = dep.cells[0]!;
  cell2 = dep.cells[1]!;
  summary = await seedInto(dep);
});

afterAll(() => dep?.close());

const realCells = () => [
  { key: 'cell1' as const, cell: cell1 },
  { key: 'cell2' as const, cell: cell2 },
];

describe('seedDemo: flavors', () => {
  it('has the public catalogue, a GPU flavor with extra specs and a private flavor with projects', async () => {
    const rows = await dep.api.sql<{ id: number; name: string; is_public: boolean }[]>`select id, name, is_public from flavors order by id`;
    expect(rows.map((r) => r.name).sort()).toEqual(['g1.a100.xlarge', 'm1.large', 'm1.medium', 'm1.small', 'm1.tiny', 'm1.xlarge', 'p1.billing-db']);
    expect(summary.flavors.live.slice().sort()).toEqual(rows.map((r) => r.name).sort());

    const specs = await dep.api.sql<{ key: string; value: string }[]>`
      select s.key, s.value from flavor_extra_specs s join flavors f on f.id = s.flavor_id where f.name = ${summary.flavors.gpu}`;
    expect(Object.fromEntries(specs.map((s) => [s.key, s.value]))).toMatchObject({ 'resources:VGPU': '1', 'trait:CUSTOM_GPU_A100': 'required' });

    const priv = rows.find((r) => r.name === summary.flavors.private.name)!;
    expect(priv.is_public).toBe(false);
    const projects = await dep.api.sql<{ project_id: string }[]>`select project_id from flavor_projects where flavor_id = ${priv.id} order by project_id`;
    expect(projects.map((p) => p.project_id)).toEqual(summary.flavors.private.projects.slice().sort());
    for (const p of projects) expect(p.project_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('hard-deleted m1.legacy: absent from flavors, still embedded in instance_extra, instance_type_id dangling', async () => {
    const legacy = summary.flavors.deleted;
    expect(legacy.name).toBe('m1.legacy');
    const [gone] = await dep.api.sql`select
        (select count(*)::int from flavors where name = 'm1.legacy' or id = ${legacy.id}) as flavors,
        (select count(*)::int from flavor_extra_specs where flavor_id = ${legacy.id}) as specs,
        (select count(*)::int from flavor_projects where flavor_id = ${legacy.id}) as projects`;
    expect(gone).toEqual({ flavors: 0, specs: 0, projects: 0 });

    let found = 0;
    for (const { cell } of [{ cell: cell0 }, ...realCells()]) {
      const rows = await cell.handle.sql<{ uuid: string; instance_type_id: number; flavor: string }[]>`
        select i.uuid, i.instance_type_id, e.flavor from instances i join instance_extra e on e.instance_uuid = i.uuid
        where (e.flavor::jsonb #>> '{cur,nova_object.data,name}') = 'm1.legacy'`;
      for (const r of rows) {
        expect(r.instance_type_id).toBe(legacy.id);
        expect(readFlavorFromPrimitive(r.flavor)).toEqual({
          name: 'm1.legacy',
          flavorid: legacy.flavorid,
          vcpus: 2,
          memoryMb: 3072,
          rootGb: 30,
          ephemeralGb: 10,
          swap: 1024,
        });
      }
      found += rows.length;
      if (cell !== cell0) expect(rows.length).toBeGreaterThan(0);
    }
    expect(found).toBeGreaterThanOrEqual(summary.legacyInstanceUuids.length + 2);
  });
});

describe('seedDemo: compute hosts and services', () => {
  it('exactly three live compute hosts have no host mapping (two in cell1, one in cell2)', async () => {
    const mapped = new Set((await dep.api.sql<{ host: string }[]>`select host from host_mappings`).map((r) => r.host));
    const unmapped: Record<string, string[]> = {};
    for (const { key, cell } of realCells()) {
      const hosts = await cell.handle.sql<{ host: string }[]>`select distinct host from compute_nodes where deleted = 0 and host is not null`;
      unmapped[key] = hosts
        .map((h) => h.host)
        .filter((h) => !mapped.has(h))
        .sort();
    }
    expect(unmapped.cell1).toHaveLength(2);
    expect(unmapped.cell2).toHaveLength(1);
    expect(unmapped).toEqual({ cell1: summary.hosts.unmappedByCell.cell1.slice().sort(), cell2: summary.hosts.unmappedByCell.cell2.slice().sort() });
    expect([...unmapped.cell1!, ...unmapped.cell2!].sort()).toEqual(summary.hosts.unmapped.slice().sort());

    // They report like any compute: a nova-compute service and nodes left at mapped = 0.
    for (const { key, cell } of realCells()) {
      const hosts = unmapped[key]!;
      const nodes = await cell.handle.sql`select host, mapped from compute_nodes where host in ${cell.handle.sql(hosts)}`;
      expect(nodes.map((n) => n.mapped)).toEqual(hosts.map(() => 0));
      const svc = await cell.handle.sql`select host from services where "binary" = 'nova-compute' and deleted = 0 and host in ${cell.handle.sql(hosts)}`;
      expect(svc).toHaveLength(hosts.length);
    }
  });

  it('maps every other host to the cell that holds it; mapped = 1 except the ironic sibling node', async () => {
    const hm = await dep.api.sql<{ host: string; cell_id: number }[]>`select host, cell_id from host_mappings order by host`;
    expect(hm.map((h) => h.host)).toEqual(summary.hosts.mapped.slice().sort());
    for (const { cell } of realCells()) {
      const nodes = await cell.handle.sql<{ host: string; hypervisor_hostname: string; mapped: number }[]>`
        select host, hypervisor_hostname, mapped from compute_nodes where deleted = 0 order by host, hypervisor_hostname`;
      for (const n of nodes) {
        const m = hm.find((h) => h.host === n.host);
        if (!m) continue;
        expect(m.cell_id).toBe(cell.id);
        if (n.host !== summary.hosts.ironic.host) expect(n.mapped).toBe(1);
      }
    }
    const ironic = await cell2.handle.sql<{ hypervisor_hostname: string; mapped: number; hypervisor_type: string }[]>`
      select hypervisor_hostname, mapped, hypervisor_type from compute_nodes where host = ${summary.hosts.ironic.host} order by mapped desc`;
    expect(ironic).toHaveLength(2);
    expect(ironic.map((n) => n.mapped)).toEqual([1, 0]);
    expect(ironic[0]!.hypervisor_hostname).toBe(summary.hosts.ironic.mappedNode);
    expect(hm.filter((h) => h.host === summary.hosts.ironic.host)).toHaveLength(1);
  });

  it('has realistic QEMU nodes: allocation ratios, cpu_info JSON, host_ip', async () => {
    const ratios = new Set<string>();
    for (const { cell } of realCells()) {
      const nodes = await cell.handle.sql`
        select hypervisor_type, hypervisor_version, cpu_info, host(host_ip) as ip, cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, vcpus, memory_mb, local_gb
        from compute_nodes where hypervisor_type = 'QEMU'`;
      expect(nodes.length).toBeGreaterThanOrEqual(5);
      for (const n of nodes) {
        expect(n.hypervisor_version).toBe(8002002);
        expect(JSON.parse(n.cpu_info).arch).toBe('x86_64');
        expect(n.ip).toMatch(/^10\.\d+\.\d+\.\d+$/);
        ratios.add(JSON.stringify([n.cpu_allocation_ratio, n.ram_allocation_ratio, n.disk_allocation_ratio]));
      }
      expect(new Set(nodes.map((n) => n.vcpus)).size).toBeGreaterThan(1);
    }
    // Some nodes store their ratios (nova 26's initial 16/1.5/1, today's 4/1/1, an operator's 1.0),
    // some store none: NULL, or 0.0 as computes older than Stein wrote (nova's initial ratios apply).
    expect([...ratios].sort()).toEqual(['[0,0,0]', '[1,1,1]', '[16,1.5,1]', '[4,1,1]', '[null,null,null]']);
  });

  it("no schedulable node holds more than nova's capacity model allows", async () => {
    for (const { cell } of realCells()) {
      const nodes = await cell.handle.sql<
        Array<ComputeNodeInventoryRow & { host: string }>
      >`select host, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used, cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio
        from compute_nodes where deleted = 0`;
      for (const n of nodes) {
        const c = nodeCapacity(inventoryFromRow(n));
        for (const r of [c.vcpus, c.memoryMb, c.diskGb]) expect(r.free, n.host).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('one compute service down (old heartbeat), one disabled with a reason, everything else up', async () => {
    const rows: Array<{ cell: string; host: string; binary: string; disabled: boolean; disabled_reason: string | null; forced_down: boolean; age: number }> =
      [];
    for (const { key, cell } of [{ key: 'cell0', cell: cell0 }, ...realCells()]) {
      const svc = await cell.handle.sql<Array<Omit<(typeof rows)[number], 'cell'>>>`
        select host, "binary", disabled, disabled_reason, forced_down,
               extract(epoch from (${nowTs}::timestamp - coalesce(last_seen_up, created_at)))::float8 as age
        from services where deleted = 0`;
      rows.push(...svc.map((s) => ({ ...s, cell: key })));
    }
    const isDown = (s: (typeof rows)[number]) => s.forced_down || s.age > SERVICE_DOWN_TIME_S;
    const down = rows.filter(isDown);
    expect(down.map((s) => [s.host, s.binary])).toEqual([[summary.hosts.down, 'nova-compute']]);
    expect(down[0]!.age).toBeGreaterThan(2 * 3600 - 60);
    expect(down[0]!.age).toBeLessThan(2 * 3600 + 120);
    for (const s of rows.filter((x) => !isDown(x))) {
      expect(s.age).toBeGreaterThanOrEqual(0);
      expect(s.age).toBeLessThanOrEqual(10);
    }

    const disabled = rows.filter((s) => s.disabled);
    expect(disabled.map((s) => [s.host, s.binary])).toEqual([[summary.hosts.disabled.host, 'nova-compute']]);
    expect(disabled[0]!.disabled_reason).toBe(summary.hosts.disabled.reason);
    expect(disabled[0]!.disabled_reason).toMatch(/^Maintenance: .*OPS-\d+/);

    // cell0 holds the control plane (scheduler + super-conductor) and never a nova-compute.
    const cell0Binaries = new Set(rows.filter((s) => s.cell === 'cell0').map((s) => s.binary));
    expect([...cell0Binaries].sort()).toEqual(['nova-conductor', 'nova-scheduler']);
    for (const key of ['cell1', 'cell2']) {
      expect(rows.filter((s) => s.cell === key && s.binary === 'nova-conductor').length).toBeGreaterThan(0);
    }
    expect(rows.filter((s) => s.binary === 'nova-compute')).toHaveLength(14);
    const { n } = first(await cell0.handle.sql`select count(*)::int as n from compute_nodes`);
    expect(n).toBe(0);
  });

  it('vcpus_used (and memory, running_vms) on each compute node match the instances on it', async () => {
    let nonEmpty = 0;
    for (const { cell } of realCells()) {
      // Nova's resource tracker counts every instance on the node that is not deleted
      // (deleted = 0; a restorable soft-delete still holds its resources).
      const nodes = await cell.handle.sql<
        Array<{
          id: number;
          hypervisor_type: string;
          vcpus_used: number;
          memory_mb_used: number;
          running_vms: number;
          free_ram_mb: number;
          memory_mb: number;
          inst_vcpus: number;
          inst_mem: number;
          inst_count: number;
          by_compute_id: number;
        }>
      >`
        select n.id, n.hypervisor_type, n.vcpus_used, n.memory_mb_used, n.running_vms, n.free_ram_mb, n.memory_mb,
               coalesce(sum(i.vcpus), 0)::int as inst_vcpus, coalesce(sum(i.memory_mb), 0)::int as inst_mem, count(i.id)::int as inst_count,
               count(i.id) filter (where i.compute_id = n.id)::int as by_compute_id
        from compute_nodes n
        left join instances i on i.host = n.host and i.node = n.hypervisor_hostname and i.deleted = 0
        where n.deleted = 0
        group by n.id`;
      for (const n of nodes) {
        expect(n.vcpus_used).toBe(n.inst_vcpus);
        expect(n.running_vms).toBe(n.inst_count);
        expect(n.by_compute_id).toBe(n.inst_count);
        if (n.hypervisor_type === 'QEMU') {
          expect(n.memory_mb_used).toBe(n.inst_mem + 512);
          expect(n.free_ram_mb).toBe(n.memory_mb - n.memory_mb_used);
        }
        if (n.inst_count > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(6);

    // Instances sit only on mapped, up hosts.
    const allowed = new Set(summary.hosts.mapped.filter((h) => h !== summary.hosts.down));
    for (const { cell } of realCells()) {
      const hosts = await cell.handle.sql<{ host: string }[]>`select distinct host from instances where host is not null`;
      expect(hosts.length).toBeGreaterThan(0);
      for (const h of hosts) expect(allowed.has(h.host)).toBe(true);
    }
  });
});

describe('seedDemo: instances in cell1 and cell2', () => {
  it('has ~40 and ~30 live instances, a few stopped, one restorable soft-delete, some deleted with deleted = id', async () => {
    for (const { key, cell } of realCells()) {
      const [c] = await cell.handle.sql`select
          count(*)::int as rows,
          count(*) filter (where deleted = 0 and coalesce(vm_state, '') <> 'soft-delete')::int as live,
          count(*) filter (where deleted = 0 and vm_state = 'soft-delete')::int as soft,
          count(*) filter (where deleted <> 0)::int as deleted,
          count(*) filter (where deleted <> 0 and deleted <> id)::int as bad_deleted,
          count(*) filter (where deleted <> 0 and uuid <> ${FAKE_INSTANCE_UUID} and (vm_state <> 'deleted' or terminated_at is null or deleted_at is null))::int as bad_tomb,
          count(*) filter (where deleted = 0 and vm_state = 'stopped' and power_state = 4)::int as stopped,
          count(*) filter (where deleted = 0 and vm_state = 'active' and power_state = 1)::int as active
        from instances`;
      const s = summary.instances[key];
      expect(c).toMatchObject({ rows: s.rows, live: s.live, soft: s.softDeleted, deleted: s.deleted, bad_deleted: 0, bad_tomb: 0 });
      expect(c!.deleted).toBeGreaterThanOrEqual(2);
      expect(c!.stopped).toBeGreaterThanOrEqual(2);
      expect(c!.active).toBeGreaterThan(c!.live * 0.75);
    }
    expect(summary.instances.cell1.live).toBeGreaterThanOrEqual(35);
    expect(summary.instances.cell1.live).toBeLessThanOrEqual(45);
    expect(summary.instances.cell2.live).toBeGreaterThanOrEqual(25);
    expect(summary.instances.cell2.live).toBeLessThanOrEqual(35);
    expect(summary.instances.cell1.softDeleted + summary.instances.cell2.softDeleted).toBe(1);
  });

  it('each instance has its flavor embedded, a create action with a successful build event, a mapping and a request spec', async () => {
    const mappings = await dep.api.sql<{ instance_uuid: string; cell_id: number | null; project_id: string; user_id: string; queued_for_delete: boolean }[]>`
      select instance_uuid, cell_id, project_id, user_id, queued_for_delete from instance_mappings`;
    const byUuid = new Map(mappings.map((m) => [m.instance_uuid, m]));
    const specs = new Set((await dep.api.sql<{ instance_uuid: string }[]>`select instance_uuid from request_specs`).map((r) => r.instance_uuid));
    const projects = new Set(summary.projects.map((p) => p.id));

    for (const { cell } of realCells()) {
      const rows = await cell.handle.sql<
        Array<{
          uuid: string;
          project_id: string;
          user_id: string;
          vm_state: string;
          deleted: number;
          host: string | null;
          vcpus: number;
          memory_mb: number;
          flavor: string | null;
          built: number;
          created_at: string;
          age_days: number;
        }>
      >`
        select i.uuid, i.project_id, i.user_id, i.vm_state, i.deleted, i.host, i.vcpus, i.memory_mb, e.flavor,
               extract(epoch from (${nowTs}::timestamp - i.created_at))::float8 / 86400 as age_days,
               (select count(*)::int from instance_actions a join instance_actions_events ev on ev.action_id = a.id
                 where a.instance_uuid = i.uuid and a.action = 'create' and ev.event = 'compute__do_build_and_run_instance' and ev.result = 'Success') as built
        from instances i left join instance_extra e on e.instance_uuid = i.uuid
        where i.uuid <> ${FAKE_INSTANCE_UUID}`;
      for (const r of rows) {
        const m = byUuid.get(r.uuid);
        expect(m, r.uuid).toBeDefined();
        expect(m!.cell_id).toBe(cell.id);
        expect([m!.project_id, m!.user_id]).toEqual([r.project_id, r.user_id]);
        expect(projects.has(r.project_id)).toBe(true);
        expect(m!.queued_for_delete).toBe(r.deleted !== 0 || r.vm_state === 'soft-delete');
        const f = readFlavorFromPrimitive(r.flavor);
        expect(f, r.uuid).not.toBeNull();
        expect([f!.vcpus, f!.memoryMb]).toEqual([r.vcpus, r.memory_mb]);
        expect(r.age_days).toBeGreaterThan(0);
        expect(r.age_days).toBeLessThan(61);
        if (r.uuid === summary.quotaRecheckErrorUuid) {
          // The quota recheck (§5.2 step 3): ERROR in the real cell, no host, spec destroyed.
          expect([r.vm_state, r.host]).toEqual(['error', null]);
          expect(specs.has(r.uuid)).toBe(false);
          expect(r.built).toBe(0);
        } else {
          expect(specs.has(r.uuid), r.uuid).toBe(true);
          expect(r.host).not.toBeNull();
          expect(r.built).toBe(1);
        }
      }
    }
    const [q] = await cell1.handle.sql`select code, message from instance_faults where instance_uuid = ${summary.quotaRecheckErrorUuid}`;
    expect(q).toMatchObject({ code: 403 });
    expect(q!.message).toMatch(/^Quota exceeded for instances/);
  });

  it('the VIF migration fake instance is soft-deleted in cell1 and mapped to cell1', async () => {
    const fake = await cell1.handle.sql`select id, deleted, project_id, user_id from instances where uuid = ${FAKE_INSTANCE_UUID}`;
    expect(fake).toHaveLength(1);
    expect(fake[0]!.deleted).toBe(fake[0]!.id);
    expect(fake[0]!.deleted).not.toBe(0);
    expect([fake[0]!.project_id, fake[0]!.user_id]).toEqual([FAKE_INSTANCE_UUID, FAKE_INSTANCE_UUID]);
    const [m] = await dep.api.sql`select cell_id, project_id from instance_mappings where instance_uuid = ${FAKE_INSTANCE_UUID}`;
    expect(m).toEqual({ cell_id: cell1.id, project_id: FAKE_INSTANCE_UUID });
    expect(summary.fakeInstanceUuid).toBe(FAKE_INSTANCE_UUID);
    // Only cell1 has it; its mapping is the only one with the zero project.
    for (const c of [cell0, cell2]) expect(await c.handle.sql`select id from instances where uuid = ${FAKE_INSTANCE_UUID}`).toHaveLength(0);
    const zero = await dep.api.sql`select instance_uuid from instance_mappings where project_id = ${FAKE_INSTANCE_UUID}`;
    expect(zero).toEqual([{ instance_uuid: FAKE_INSTANCE_UUID }]);
    // The cell0 mapping row's uuid is the same string: keying cells by uuid and instances by uuid must not mix.
    const [c0map] = await dep.api.sql`select id from cell_mappings where uuid = ${CELL0_UUID}`;
    expect(c0map!.id).toBe(cell0.id);
  });
});

describe('seedDemo: cell0, the graveyard', () => {
  it('holds only errored, unscheduled instances, each with a latest fault, mapped to cell0', async () => {
    const live = await cell0.handle.sql<
      Array<{ uuid: string; vm_state: string; task_state: string | null; host: string | null; node: string | null; power_state: number; project_id: string }>
    >`
      select uuid, vm_state, task_state, host, node, power_state, project_id from instances where deleted = 0`;
    expect(live).toHaveLength(summary.cell0.failed);
    expect(live.length).toBeGreaterThanOrEqual(14);
    for (const i of live) expect(i).toMatchObject({ vm_state: 'error', task_state: null, host: null, node: null, power_state: 0 });
    expect(new Set(live.map((i) => i.project_id)).size).toBeGreaterThanOrEqual(4);

    const latest = await cell0.handle.sql<
      Array<{ instance_uuid: string; id: number; code: number; message: string; details: string; host: string; age_days: number }>
    >`
      select distinct on (instance_uuid) instance_uuid, id, code, message, details, host,
             extract(epoch from (${nowTs}::timestamp - created_at))::float8 / 86400 as age_days
      from instance_faults where deleted = 0 order by instance_uuid, id desc`;
    const faultOf = new Map(latest.map((f) => [f.instance_uuid, f]));
    for (const i of live) expect(faultOf.has(i.uuid), i.uuid).toBe(true);
    for (const f of latest) {
      expect(summary.hosts.conductorHosts).toContain(f.host);
      expect(f.age_days).toBeGreaterThan(0);
      expect(f.age_days).toBeLessThan(15);
      expect(f.message.length).toBeLessThanOrEqual(255);
      if (f.code === 500) expect(f.details).toMatch(/^Traceback \(most recent call last\):\n {2}File "/);
      else expect(f.details).toBe('');
    }
    const messages = latest.map((f) => f.message);
    expect(messages.some((m) => m === 'No valid host was found. There are not enough hosts available.')).toBe(true);
    expect(messages.some((m) => m.startsWith('No valid host was found. ') && m !== 'No valid host was found. There are not enough hosts available.')).toBe(
      true,
    );
    expect(
      messages.some((m) =>
        /^Exceeded maximum number of retries\. Exhausted all hosts available for retrying build failures for instance [0-9a-f-]{36}\.$/.test(m),
      ),
    ).toBe(true);
    expect(messages.some((m) => /^Build of instance [0-9a-f-]{36} aborted: Failed to allocate the network\(s\), not rescheduling\.$/.test(m))).toBe(true);
    expect(latest.some((f) => f.code === 403 && f.message.startsWith('Quota exceeded'))).toBe(true);

    // One instance has two faults; nova shows the latest (MAX(id)).
    const two = await cell0.handle.sql`select id, message, created_at from instance_faults where instance_uuid = ${summary.cell0.twoFaultsUuid} order by id`;
    expect(two).toHaveLength(2);
    expect(two[0]!.message).toBe('No valid host was found. There are not enough hosts available.');
    expect(faultOf.get(summary.cell0.twoFaultsUuid)!.message).toMatch(/^Exceeded maximum number of retries/);

    const mapped = await dep.api.sql<{ instance_uuid: string }[]>`select instance_uuid from instance_mappings where cell_id = ${cell0.id}`;
    const all = await cell0.handle.sql<{ uuid: string }[]>`select uuid from instances`;
    expect(mapped.map((m) => m.instance_uuid).sort()).toEqual(all.map((i) => i.uuid).sort());
    const { n: specs } = first(await dep.api.sql`select count(*)::int as n from request_specs where instance_uuid in ${dep.api.sql(all.map((i) => i.uuid))}`);
    expect(specs).toBe(all.length);
  });

  it('"not enough hosts" failures span several flavors, including the GPU one and the deleted m1.legacy', async () => {
    const rows = await cell0.handle.sql<{ name: string }[]>`
      select distinct e.flavor::jsonb #>> '{cur,nova_object.data,name}' as name
      from instances i
      join instance_extra e on e.instance_uuid = i.uuid and e.deleted = 0
      join instance_faults f on f.instance_uuid = i.uuid and f.deleted = 0
      where i.deleted = 0 and f.message = 'No valid host was found. There are not enough hosts available.'`;
    const names = rows.map((r) => r.name).sort();
    expect(names).toEqual(expect.arrayContaining(['g1.a100.xlarge', 'm1.legacy', 'm1.xlarge']));
    expect(names).toEqual(summary.cell0.notEnoughHostsFlavors);
    expect(names.length).toBeGreaterThanOrEqual(3);
  });

  it('records the create action with a failed conductor_schedule_and_build_instances event', async () => {
    const rows = await cell0.handle.sql`
      select i.uuid, a.message, ev.result, ev.finish_time is not null as finished, ev.traceback is not null as has_tb,
             ev.host = (select f.host from instance_faults f where f.instance_uuid = i.uuid order by f.id limit 1) as same_conductor
      from instances i
      join instance_actions a on a.instance_uuid = i.uuid and a.action = 'create'
      join instance_actions_events ev on ev.action_id = a.id and ev.event = 'conductor_schedule_and_build_instances'
      where i.deleted = 0`;
    expect(rows).toHaveLength(summary.cell0.failed);
    for (const r of rows) expect(r).toMatchObject({ message: 'Error', result: 'Error', finished: true, has_tb: true, same_conductor: true });
  });

  it('one cell0 instance is already deleted: deleted = id, faults soft-deleted, mapping queued for delete', async () => {
    const [i] = await cell0.handle
      .sql`select id, deleted, vm_state, terminated_at is not null as terminated from instances where uuid = ${summary.cell0.deletedUuid}`;
    expect(i!.deleted).toBe(i!.id);
    expect(i).toMatchObject({ vm_state: 'deleted', terminated: true });
    const faults = await cell0.handle.sql`select id, deleted from instance_faults where instance_uuid = ${summary.cell0.deletedUuid}`;
    expect(faults.length).toBeGreaterThan(0);
    for (const f of faults) expect(f.deleted).toBe(f.id);
    const [m] = await dep.api.sql`select cell_id, queued_for_delete from instance_mappings where instance_uuid = ${summary.cell0.deletedUuid}`;
    expect(m).toEqual({ cell_id: cell0.id, queued_for_delete: true });
    expect(summary.instances.cell0).toMatchObject({ live: summary.cell0.failed, deleted: 1, rows: summary.cell0.failed + 1 });
  });
});

describe('seedDemo: the api database beyond the cells', () => {
  it('has pending build requests: 3 fresh, 2 stuck, 1 unparseable, 1 with NULL instance', async () => {
    const rows = await dep.api.sql<
      Array<{ instance_uuid: string; project_id: string; instance: string | null; age: number; cell_id: number | null; qfd: boolean; has_spec: boolean }>
    >`
      select b.instance_uuid, b.project_id, b.instance,
             extract(epoch from (${nowTs}::timestamp - b.created_at))::float8 as age,
             m.cell_id, m.queued_for_delete as qfd,
             exists (select 1 from request_specs s where s.instance_uuid = b.instance_uuid) as has_spec
      from build_requests b left join instance_mappings m on m.instance_uuid = b.instance_uuid`;
    const kinds: Record<string, string[]> = { fresh: [], stuck: [], unparseable: [], nullInstance: [] };
    for (const r of rows) {
      expect(r).toMatchObject({ cell_id: null, qfd: false, has_spec: true });
      if (r.instance === null) {
        kinds.nullInstance!.push(r.instance_uuid);
        continue;
      }
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(r.instance);
      } catch {
        kinds.unparseable!.push(r.instance_uuid);
        expect(readFlavorFromPrimitive(r.instance)).toBeNull();
        continue;
      }
      expect(parsed['nova_object.name']).toBe('Instance');
      expect(parsed['nova_object.data']).toMatchObject({
        uuid: r.instance_uuid,
        project_id: r.project_id,
        vm_state: 'building',
        task_state: 'scheduling',
        locked_by: null,
      });
      expect(readFlavorFromPrimitive(r.instance)).not.toBeNull();
      if (r.age >= 10 && r.age <= 180) kinds.fresh!.push(r.instance_uuid);
      else if (r.age > 3600) kinds.stuck!.push(r.instance_uuid);
      else throw new Error(`build request ${r.instance_uuid} is neither fresh nor stuck (${r.age} s)`);
    }
    const sorted = (xs: string[]) => xs.slice().sort();
    expect({ fresh: sorted(kinds.fresh!), stuck: sorted(kinds.stuck!), unparseable: kinds.unparseable, nullInstance: kinds.nullInstance }).toEqual({
      fresh: sorted(summary.buildRequests.fresh),
      stuck: sorted(summary.buildRequests.stuck),
      unparseable: summary.buildRequests.unparseable,
      nullInstance: summary.buildRequests.nullInstance,
    });
    expect(kinds.fresh).toHaveLength(3);
    expect(kinds.stuck).toHaveLength(2);
    expect(kinds.unparseable).toHaveLength(1);
    expect(kinds.nullInstance).toHaveLength(1);
    const stuckAges = rows.filter((r) => kinds.stuck!.includes(r.instance_uuid)).map((r) => Math.round(r.age / 3600));
    expect(stuckAges.sort((a, b) => a - b)).toEqual([2, 26]);
  });

  it('has one orphaned instance mapping (no cell, no build request, queued for delete) with its request spec left behind', async () => {
    const rows = await dep.api.sql`
      select m.instance_uuid, m.queued_for_delete,
             exists (select 1 from request_specs s where s.instance_uuid = m.instance_uuid) as has_spec
      from instance_mappings m
      where m.cell_id is null and m.project_id <> ${INSTANCE_MIGRATION_MARKER}
        and not exists (select 1 from build_requests b where b.instance_uuid = m.instance_uuid)`;
    expect(rows).toEqual([{ instance_uuid: summary.orphanMappingUuid, queued_for_delete: true, has_spec: true }]);
  });

  it('has the map_instances marker row', async () => {
    const rows = await dep.api.sql`select instance_uuid, cell_id, user_id from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER}`;
    expect(rows).toHaveLength(1);
    const m = rows[0]!;
    expect(m).toMatchObject({ cell_id: null, user_id: INSTANCE_MIGRATION_MARKER, instance_uuid: summary.markerInstanceUuid });
    expect(m.instance_uuid).not.toContain('-');
    expect(m.instance_uuid.replace(/ /g, '-')).toMatch(UUID_RE);
  });

  it('every instance mapping with a cell points at an instance in that cell', async () => {
    const mappings = await dep.api.sql<
      { instance_uuid: string; cell_id: number }[]
    >`select instance_uuid, cell_id from instance_mappings where cell_id is not null`;
    for (const { cell } of [{ cell: cell0 }, ...realCells()]) {
      const uuids = mappings.filter((m) => m.cell_id === cell.id).map((m) => m.instance_uuid);
      expect(uuids.length).toBeGreaterThan(0);
      const { n } = first(await cell.handle.sql`select count(*)::int as n from instances where uuid in ${cell.handle.sql(uuids)}`);
      expect(n).toBe(uuids.length);
    }
    const cellIds = new Set([cell0.id, cell1.id, cell2.id]);
    for (const m of mappings) expect(cellIds.has(m.cell_id)).toBe(true);
  });
});

describe('seedDemo: determinism and re-runs', () => {
  it('a fresh deployment seeded with the same clock holds the same rows', async () => {
    const other = await createTestDeployment({ cells: ['cell1', 'cell2'] });
    try {
      const again = await seedInto(other);
      expect(JSON.parse(JSON.stringify(again))).toEqual(JSON.parse(JSON.stringify(summary)));
      const dump = async (d: TestDeployment) => {
        const out: Record<string, unknown> = {};
        for (const [key, c] of [
          ['cell0', d.cell0],
          ['cell1', d.cells[0]!],
          ['cell2', d.cells[1]!],
        ] as const) {
          out[`${key}.instances`] = await c.handle
            .sql`select uuid, display_name, host, node, vm_state, deleted, instance_type_id, created_at from instances order by id`;
          out[`${key}.nodes`] = await c.handle.sql`select uuid, host, hypervisor_hostname, vcpus_used, mapped from compute_nodes order by id`;
          out[`${key}.faults`] = await c.handle.sql`select instance_uuid, message, host, created_at from instance_faults order by id`;
        }
        out.mappings = await d.api.sql`select instance_uuid, project_id, queued_for_delete, created_at from instance_mappings order by instance_uuid`;
        out.builds = await d.api.sql`select instance_uuid, instance, created_at from build_requests order by instance_uuid`;
        out.specs = await d.api.sql`select instance_uuid, spec from request_specs order by instance_uuid`;
        return JSON.parse(JSON.stringify(out));
      };
      expect(await dump(other)).toEqual(await dump(dep));
    } finally {
      await other.close();
    }
  });

  it('refuses to seed a deployment twice and writes nothing', async () => {
    const before = await dep.api.sql`select (select count(*)::int from flavors) as f, (select count(*)::int from instance_mappings) as m`;
    const { n: inst1 } = first(await cell1.handle.sql`select count(*)::int as n from instances`);
    await expect(seedInto(dep)).rejects.toThrow(/already seeded/);
    expect(await dep.api.sql`select (select count(*)::int from flavors) as f, (select count(*)::int from instance_mappings) as m`).toEqual(before);
    const { n: inst2 } = first(await cell1.handle.sql`select count(*)::int as n from instances`);
    expect(inst2).toBe(inst1);
  });
});

describe('readFlavorFromPrimitive on what the demo stores and on bad input', () => {
  it('reads the flavor from a request spec and returns null (never throws) for junk', async () => {
    const [row] = await dep.api.sql<{ spec: string }[]>`select spec from request_specs where instance_uuid = ${summary.orphanMappingUuid}`;
    expect(readFlavorFromPrimitive(row!.spec)).toMatchObject({ name: 'm1.small', flavorid: '2', vcpus: 1, memoryMb: 2048 });
    for (const bad of [
      null,
      undefined,
      '',
      'null',
      '[]',
      '42',
      'not json',
      '{"cur": null}',
      '{"cur": {"nova_object.name": "Flavor", "nova_object.data": {"name": "x"}}}',
      '{"nova_object.name": "Instance", "nova_object.da',
    ]) {
      expect(readFlavorFromPrimitive(bad)).toBeNull();
    }
    // Very old rows: a flavor dict without the envelope, numbers as strings.
    expect(readFlavorFromPrimitive('{"cur": {"name": "m1.old", "vcpus": "2", "memory_mb": 1024, "flavorid": 9}}')).toEqual({
      name: 'm1.old',
      flavorid: '9',
      vcpus: 2,
      memoryMb: 1024,
      rootGb: 0,
      ephemeralGb: 0,
      swap: 0,
    });
  });
});
