import net from 'node:net';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequests, cellMappings, instanceMappings, requestSpecs } from '@/db/api/schema';
import { instanceActions, instanceActionsEvents, instanceExtra, instanceFaults, instances, services } from '@/db/cell/schema';
import { CELL0_UUID } from '../nova/constants';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { acceptBoot } from './accept-boot';
import { scheduleAndBuild, type ScheduleOutcome, type ScheduleStage } from './schedule-and-build';
import { type BootTestDeployment, bootDeployment, liveInstances, nodeUsage } from './testing';

let shared: BootTestDeployment;
beforeAll(async () => {
  shared = await bootDeployment({ deadlineMs: 1000 });
});
afterAll(async () => {
  await shared?.close();
});

/** Each test starts from a deployment with no computes (see reset); `fresh` for one that changes cell0 itself. */
async function withDeployment(fn: (t: BootTestDeployment) => Promise<void>, opts: { fresh?: boolean } = {}) {
  if (!opts.fresh) {
    await shared.reset();
    return fn(shared);
  }
  const t = await bootDeployment();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

const NVH = 'No valid host was found. There are not enough hosts available.';

async function apiState(t: BootTestDeployment, uuid: string) {
  const [br] = await t.dep.api.db.select().from(buildRequests).where(eq(buildRequests.instanceUuid, uuid));
  const [spec] = await t.dep.api.db.select().from(requestSpecs).where(eq(requestSpecs.instanceUuid, uuid));
  const [m] = await t.dep.api.sql<{ cell_uuid: string | null; queued_for_delete: boolean | null }[]>`
    select c.uuid as cell_uuid, m.queued_for_delete from instance_mappings m left join cell_mappings c on c.id = m.cell_id where m.instance_uuid = ${uuid}`;
  return { buildRequest: br ?? null, spec: spec ?? null, mapping: m ?? null };
}

function only(outcomes: ScheduleOutcome[]): ScheduleOutcome {
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe('scheduleAndBuild: success', () => {
  it('builds the instance in the cell with room, in nova’s shape, and finishes the bookkeeping', () =>
    withDeployment(async (t) => {
      const nodeId = await t.compute(t.cell1, 'cmp-1', { vcpus: 8, memoryMb: 16384, localGb: 200 });
      const {
        instanceUuids: [uuid],
      } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1, projectId: 'p1', userId: 'u1', name: 'web' });
      const r = await scheduleAndBuild(t.deps, [uuid!]);
      const o = only(r.outcomes);
      expect(o).toMatchObject({ instanceUuid: uuid, result: 'built', cell: { uuid: t.cell1.uuid, name: 'cell1' }, host: 'cmp-1', node: 'cmp-1' });
      expect(r.skippedCells).toEqual([]);

      const [row] = await t.cell1.handle.db.select().from(instances).where(eq(instances.uuid, uuid!));
      expect(row).toMatchObject({
        vmState: 'active',
        taskState: null,
        powerState: 1,
        host: 'cmp-1',
        node: 'cmp-1',
        computeId: nodeId,
        vcpus: 1,
        memoryMb: 2048,
        rootGb: 20,
        instanceTypeId: t.flavorId['m1.small'],
        projectId: 'p1',
        userId: 'u1',
        displayName: 'web',
        availabilityZone: 'nova',
        deleted: 0,
      });
      expect(row!.launchedAt).not.toBeNull();
      const [extra] = await t.cell1.handle.db.select().from(instanceExtra).where(eq(instanceExtra.instanceUuid, uuid!));
      expect(readFlavorFromPrimitive(extra!.flavor)).toMatchObject({ name: 'm1.small', vcpus: 1, memoryMb: 2048 });
      expect(JSON.parse(extra!.flavor!)).toMatchObject({ old: null, new: null });
      const actions = await t.cell1.handle.db.select().from(instanceActions).where(eq(instanceActions.instanceUuid, uuid!));
      expect(actions.map((a) => a.action)).toEqual(['create']);
      expect(actions[0]!.message).toBeNull();
      const events = await t.cell1.handle.db.select().from(instanceActionsEvents).where(eq(instanceActionsEvents.actionId, actions[0]!.id));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ event: 'compute__do_build_and_run_instance', result: 'Success', host: 'cmp-1' });

      expect(await nodeUsage(t.cell1, nodeId)).toEqual({
        vcpus_used: 1,
        memory_mb_used: 512 + 2048,
        local_gb_used: 20,
        running_vms: 1,
        free_ram_mb: 16384 - 512 - 2048,
        free_disk_gb: 180,
      });
      const s = await apiState(t, uuid!);
      expect(s.mapping).toEqual({ cell_uuid: t.cell1.uuid, queued_for_delete: false });
      expect(s.buildRequest).toBeNull();
      expect(s.spec).not.toBeNull();
      // Nothing in cell0.
      expect(await liveInstances(t.dep.cell0, [uuid!])).toEqual([]);
    }));

  it('uses only enabled cells and nodes whose nova-compute is up and enabled', () =>
    withDeployment(async (t) => {
      // The roomiest nodes are all unusable; the small one in cell1 is the only fit.
      const small = await t.compute(t.cell1, 'cmp-small', { vcpus: 2, memoryMb: 4096, localGb: 50 });
      await t.compute(t.cell1, 'cmp-down', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
      await t.cell1.handle.db
        .update(services)
        .set({ lastSeenUp: new Date(Date.now() - 3_600_000) })
        .where(eq(services.host, 'cmp-down'));
      await t.compute(t.cell1, 'cmp-disabled', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
      await t.cell1.handle.db.update(services).set({ disabled: true, disabledReason: 'maintenance' }).where(eq(services.host, 'cmp-disabled'));
      await t.compute(t.cell1, 'cmp-forced', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
      await t.cell1.handle.db.update(services).set({ forcedDown: true }).where(eq(services.host, 'cmp-forced'));
      await t.compute(t.cell2, 'cmp-in-disabled-cell', { vcpus: 64, memoryMb: 262144, localGb: 4000 });
      await t.dep.api.db.update(cellMappings).set({ disabled: true }).where(eq(cellMappings.uuid, t.cell2.uuid));

      const { instanceUuids } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1 });
      const o = only((await scheduleAndBuild(t.deps, instanceUuids)).outcomes);
      expect(o).toMatchObject({ result: 'built', host: 'cmp-small' });
      expect((await nodeUsage(t.cell1, small)).vcpus_used).toBe(1);
    }));

  it('spreads the servers of one request over the nodes by free room, as nova’s weighers do', () =>
    withDeployment(async (t) => {
      await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
      await t.compute(t.cell2, 'cmp-b', { vcpus: 8, memoryMb: 16384, localGb: 200 });
      const { instanceUuids } = await acceptBoot(t.deps, { flavor: 'm1.medium', count: 4 });
      const r = await scheduleAndBuild(t.deps, instanceUuids);
      const hosts = r.outcomes.map((o) => (o.result === 'built' ? o.host : o.result));
      expect(hosts.filter((h) => h === 'cmp-a')).toHaveLength(2);
      expect(hosts.filter((h) => h === 'cmp-b')).toHaveLength(2);
    }));
});

describe('scheduleAndBuild: burial in cell0', () => {
  it('buries a boot that fits nowhere in cell0 exactly as nova does', () =>
    withDeployment(async (t) => {
      const nodeId = await t.compute(t.cell1, 'cmp-1', { vcpus: 8, memoryMb: 16384, localGb: 200 });
      const {
        instanceUuids: [uuid],
      } = await acceptBoot(t.deps, { flavor: 'm1.huge', count: 1, projectId: 'p1', userId: 'u1' });
      const o = only((await scheduleAndBuild(t.deps, [uuid!])).outcomes);
      expect(o).toMatchObject({ result: 'buried', cell: { uuid: CELL0_UUID }, fault: { code: 500, message: NVH } });

      const cell0 = t.dep.cell0.handle.db;
      const [row] = await cell0.select().from(instances).where(eq(instances.uuid, uuid!));
      expect(row).toMatchObject({
        vmState: 'error',
        taskState: null,
        host: null,
        node: null,
        computeId: null,
        powerState: 0,
        deleted: 0,
        vcpus: 64,
        projectId: 'p1',
      });
      const [extra] = await cell0.select().from(instanceExtra).where(eq(instanceExtra.instanceUuid, uuid!));
      expect(readFlavorFromPrimitive(extra!.flavor)?.name).toBe('m1.huge');
      const faults = await cell0.select().from(instanceFaults).where(eq(instanceFaults.instanceUuid, uuid!));
      expect(faults).toHaveLength(1);
      expect(faults[0]).toMatchObject({ code: 500, message: NVH, deleted: 0 });
      expect(faults[0]!.details).toContain('Traceback (most recent call last):');
      expect(faults[0]!.details).toContain(`nova.exception.NoValidHost: ${NVH}`);
      const [action] = await cell0.select().from(instanceActions).where(eq(instanceActions.instanceUuid, uuid!));
      expect(action).toMatchObject({ action: 'create', message: 'Error' });
      const [event] = await cell0.select().from(instanceActionsEvents).where(eq(instanceActionsEvents.actionId, action!.id));
      expect(event).toMatchObject({ event: 'conductor_schedule_and_build_instances', result: 'Error', details: NVH });
      expect(event!.traceback).toContain('_ensure_sufficient_hosts');
      expect(event!.finishTime).not.toBeNull();

      const s = await apiState(t, uuid!);
      expect(s.mapping).toEqual({ cell_uuid: CELL0_UUID, queued_for_delete: false });
      expect(s.buildRequest).toBeNull();
      expect(s.spec).not.toBeNull();
      expect(await liveInstances(t.cell1, [uuid!])).toEqual([]);
      expect((await nodeUsage(t.cell1, nodeId)).vcpus_used).toBe(0);
    }));

  it('places the servers of one request all or none: one that does not fit buries them all and gives the claims back', () =>
    withDeployment(async (t) => {
      // Room for two m1.small (disk 40 GB), three asked for.
      const nodeId = await t.compute(t.cell1, 'cmp-1', { vcpus: 8, memoryMb: 16384, localGb: 40 });
      const { instanceUuids } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 3 });
      const r = await scheduleAndBuild(t.deps, instanceUuids);
      expect(r.outcomes.map((o) => o.result)).toEqual(['buried', 'buried', 'buried']);
      expect(await nodeUsage(t.cell1, nodeId)).toMatchObject({ vcpus_used: 0, memory_mb_used: 512, local_gb_used: 0, running_vms: 0 });
      expect(await liveInstances(t.dep.cell0, instanceUuids)).toHaveLength(3);
    }));

  it("buries an instance whose chosen host has no host mapping, with nova's message", () =>
    withDeployment(async (t) => {
      const nodeId = await t.compute(t.cell1, 'cmp-new', { vcpus: 8, memoryMb: 16384, localGb: 200 }, { mapped: false });
      const {
        instanceUuids: [uuid],
      } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1 });
      const o = only((await scheduleAndBuild(t.deps, [uuid!])).outcomes);
      expect(o).toMatchObject({
        result: 'buried',
        cell: { uuid: CELL0_UUID },
        message: 'No host-to-cell mapping found for selected host cmp-new. Setup is incomplete.',
        // nova's fault is the HostMappingNotFound it caught, an Invalid (400).
        fault: { code: 400, message: "Host 'cmp-new' is not mapped to any cell" },
      });
      const [fault] = await t.dep.cell0.handle.db.select().from(instanceFaults).where(eq(instanceFaults.instanceUuid, uuid!));
      expect(fault).toMatchObject({ code: 400, message: "Host 'cmp-new' is not mapped to any cell", details: '' });
      expect((await apiState(t, uuid!)).mapping?.cell_uuid).toBe(CELL0_UUID);
      // The claim on the unmapped node was given back.
      expect(await nodeUsage(t.cell1, nodeId)).toMatchObject({ vcpus_used: 0, running_vms: 0, local_gb_used: 0 });
    }));

  it(
    'leaves the build request in place (a stuck BUILD) when there is no cell0 mapping, and says so',
    () =>
      withDeployment(
        async (t) => {
          await t.dep.api.db.delete(cellMappings).where(eq(cellMappings.uuid, CELL0_UUID));
          const {
            instanceUuids: [uuid],
          } = await acceptBoot(t.deps, { flavor: 'm1.huge', count: 1 });
          const o = only((await scheduleAndBuild(t.deps, [uuid!])).outcomes);
          expect(o.result).toBe('stuck');
          expect(o.message).toContain('No cell mapping found for cell0 while trying to record scheduling failure. Setup is incomplete.');
          const s = await apiState(t, uuid!);
          expect(s.buildRequest).not.toBeNull();
          expect(s.mapping).toEqual({ cell_uuid: null, queued_for_delete: false });
          expect(await liveInstances(t.dep.cell0, [uuid!])).toEqual([]);
        },
        { fresh: true },
      ),
    90_000,
  );
});

describe('scheduleAndBuild: cells that do not answer', () => {
  it('skips a cell that refuses connections or stays silent, within the deadline, and builds in the others', () =>
    withDeployment(async (t) => {
      const silent = net.createServer(() => {});
      const sockets = new Set<net.Socket>();
      silent.on('connection', (s) => sockets.add(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        await t.dep.addCell({ name: 'hung', url: `postgresql://nova:secret@127.0.0.1:${port}/nova` });
        await t.dep.addCell({ name: 'refused', url: 'postgresql://nova:secret@127.0.0.1:1/nova' });
        await t.compute(t.cell2, 'cmp-2', { vcpus: 8, memoryMb: 16384, localGb: 200 });
        const { instanceUuids } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1 });
        const r = await scheduleAndBuild(t.deps, instanceUuids);
        expect(only(r.outcomes)).toMatchObject({ result: 'built', host: 'cmp-2', cell: { uuid: t.cell2.uuid } });
        const skipped = Object.fromEntries(r.skippedCells.map((s) => [s.name, s.reason]));
        expect(skipped).toEqual({ hung: 'timeout', refused: 'refused' });
        expect(JSON.stringify(r)).not.toContain('secret');
      } finally {
        for (const s of sockets) s.destroy();
        silent.close();
      }
    }));
});

describe('scheduleAndBuild: races (nova §5.6)', () => {
  it('never overcommits a node: 12 conductors at once for a node with room for 5 place exactly 5', () =>
    withDeployment(async (t) => {
      // Disk is the limit: 100 GB, 20 GB per m1.small.
      const nodeId = await t.compute(t.cell1, 'cmp-1', { vcpus: 64, memoryMb: 262144, localGb: 100 });
      const boots = await Promise.all(Array.from({ length: 12 }, () => acceptBoot(t.deps, { flavor: 'm1.small', count: 1 })));
      const uuids = boots.map((b) => b.instanceUuids[0]!);
      const results = await Promise.all(uuids.map((u) => scheduleAndBuild(t.deps, [u])));
      const outcomes = results.map((r) => only(r.outcomes));
      const built = outcomes.filter((o) => o.result === 'built');
      const buried = outcomes.filter((o) => o.result === 'buried');
      expect(built).toHaveLength(5);
      expect(buried).toHaveLength(7);
      for (const b of buried) expect(b).toMatchObject({ fault: { code: 500, message: NVH } });

      expect(await nodeUsage(t.cell1, nodeId)).toMatchObject({ local_gb_used: 100, vcpus_used: 5, memory_mb_used: 512 + 5 * 2048, running_vms: 5 });
      expect(await liveInstances(t.cell1, uuids)).toHaveLength(5);
      expect(await liveInstances(t.dep.cell0, uuids)).toHaveLength(7);
      const maps = await t.dep.api.db.select().from(instanceMappings).where(inArray(instanceMappings.instanceUuid, uuids));
      expect(maps.filter((m) => m.cellId === t.cell1.id)).toHaveLength(5);
      expect(maps.filter((m) => m.cellId === t.dep.cell0.id)).toHaveLength(7);
      const [left] = await t.dep.api.sql<{ n: number }[]>`select count(*)::int as n from build_requests where instance_uuid in ${t.dep.api.sql(uuids)}`;
      expect(left!.n).toBe(0);
    }));

  it('two conductors given the same request leave exactly one live instance and one claim', () =>
    withDeployment(async (t) => {
      const a = await t.compute(t.cell1, 'cmp-a', { vcpus: 8, memoryMb: 16384, localGb: 200 });
      const b = await t.compute(t.cell2, 'cmp-b', { vcpus: 8, memoryMb: 16384, localGb: 200 });
      const {
        instanceUuids: [uuid],
      } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1 });
      const [r1, r2] = await Promise.all([scheduleAndBuild(t.deps, [uuid!]), scheduleAndBuild(t.deps, [uuid!])]);
      const results = [only(r1.outcomes).result, only(r2.outcomes).result].sort();
      expect(results.filter((r) => r === 'built')).toHaveLength(1);
      const live = [...(await liveInstances(t.cell1, [uuid!])), ...(await liveInstances(t.cell2, [uuid!])), ...(await liveInstances(t.dep.cell0, [uuid!]))];
      expect(live).toHaveLength(1);
      const usage = (await nodeUsage(t.cell1, a)).vcpus_used + (await nodeUsage(t.cell2, b)).vcpus_used;
      expect(usage).toBe(1);
      const s = await apiState(t, uuid!);
      const cellOfLive = (await liveInstances(t.cell1, [uuid!])).length ? t.cell1.uuid : t.cell2.uuid;
      expect(s.mapping?.cell_uuid).toBe(cellOfLive);
      expect(s.buildRequest).toBeNull();
    }));

  it('a build request deleted before the conductor runs: nothing is built and the mapping is removed', () =>
    withDeployment(async (t) => {
      const nodeId = await t.compute(t.cell1, 'cmp-1', { vcpus: 8, memoryMb: 16384, localGb: 200 });
      const {
        instanceUuids: [uuid],
      } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1 });
      await t.dep.api.db.delete(buildRequests).where(eq(buildRequests.instanceUuid, uuid!));
      const o = only((await scheduleAndBuild(t.deps, [uuid!])).outcomes);
      expect(o.result).toBe('deleted');
      const s = await apiState(t, uuid!);
      expect(s.mapping).toBeNull();
      expect(s.spec).not.toBeNull();
      expect(await liveInstances(t.cell1, [uuid!])).toEqual([]);
      expect((await nodeUsage(t.cell1, nodeId)).vcpus_used).toBe(0);
    }));

  for (const stage of ['placed', 'created', 'mapped'] as ScheduleStage[]) {
    it(`a build request deleted while the conductor is at "${stage}": no live instance, no orphan mapping, the claim given back`, () =>
      withDeployment(async (t) => {
        const nodeId = await t.compute(t.cell1, 'cmp-1', { vcpus: 8, memoryMb: 16384, localGb: 200 });
        const {
          instanceUuids: [uuid],
        } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1 });
        const r = await scheduleAndBuild(t.deps, [uuid!], {
          afterStage: async (s) => {
            if (s === stage) await t.dep.api.db.delete(buildRequests).where(eq(buildRequests.instanceUuid, uuid!));
          },
        });
        expect(only(r.outcomes).result).toBe('deleted');
        expect(await liveInstances(t.cell1, [uuid!])).toEqual([]);
        expect(await liveInstances(t.dep.cell0, [uuid!])).toEqual([]);
        const s = await apiState(t, uuid!);
        expect(s.buildRequest).toBeNull();
        // Either removed (deleted before the instance existed) or pointing at the cell of the destroyed instance.
        if (stage === 'placed') expect(s.mapping).toBeNull();
        else expect(s.mapping?.cell_uuid).toBe(t.cell1.uuid);
        expect(await nodeUsage(t.cell1, nodeId)).toMatchObject({ vcpus_used: 0, memory_mb_used: 512, local_gb_used: 0, running_vms: 0 });
        if (stage !== 'placed') {
          const [row] = await t.cell1.handle.db.select().from(instances).where(eq(instances.uuid, uuid!));
          expect(row!.deleted).toBe(row!.id);
          expect(row!.deletedAt).not.toBeNull();
        }
      }));
  }

  it('a build request deleted while the instance is being buried: the cell0 instance is destroyed again', () =>
    withDeployment(async (t) => {
      const {
        instanceUuids: [uuid],
      } = await acceptBoot(t.deps, { flavor: 'm1.huge', count: 1 });
      const r = await scheduleAndBuild(t.deps, [uuid!], {
        afterStage: async (s) => {
          if (s === 'mapped') await t.dep.api.db.delete(buildRequests).where(eq(buildRequests.instanceUuid, uuid!));
        },
      });
      expect(only(r.outcomes).result).toBe('deleted');
      expect(await liveInstances(t.dep.cell0, [uuid!])).toEqual([]);
      const [fault] = await t.dep.cell0.handle.db.select().from(instanceFaults).where(eq(instanceFaults.instanceUuid, uuid!));
      expect(fault!.deleted).toBe(fault!.id);
      expect((await apiState(t, uuid!)).mapping?.cell_uuid).toBe(CELL0_UUID);
    }));

  it('reports uuids it has nothing to do for without touching them', () =>
    withDeployment(async (t) => {
      const nodeId = await t.compute(t.cell1, 'cmp-1', { vcpus: 8, memoryMb: 16384, localGb: 200 });
      const {
        instanceUuids: [uuid],
      } = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1 });
      await scheduleAndBuild(t.deps, [uuid!]);
      const corrupt = crypto.randomUUID();
      await t.dep.api.db.insert(buildRequests).values({ instanceUuid: corrupt, projectId: 'p', instance: '{"nova_object.name": "Inst' });
      await t.dep.api.db.insert(instanceMappings).values({ instanceUuid: corrupt, projectId: 'p' });
      const unknown = crypto.randomUUID();
      const r = await scheduleAndBuild(t.deps, [uuid!, corrupt, unknown]);
      expect(r.outcomes.map((o) => [o.instanceUuid, o.result])).toEqual([
        [uuid, 'already-scheduled'],
        [corrupt, 'unreadable'],
        [unknown, 'not-found'],
      ]);
      expect((await apiState(t, corrupt)).buildRequest).not.toBeNull();
      // The second call claimed nothing.
      expect((await nodeUsage(t.cell1, nodeId)).running_vms).toBe(1);
    }));
});
