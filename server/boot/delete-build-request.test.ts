import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildRequests, requestSpecs } from '@/db/api/schema';
import { instances } from '@/db/cell/schema';
import { isCellarError } from '../errors';
import { acceptBoot } from './accept-boot';
import { deleteBuildRequest } from './delete-build-request';
import { scheduleAndBuild, type ScheduleStage } from './schedule-and-build';
import { type BootTestDeployment, bootDeployment, liveInstances, nodeUsage } from './testing';

let t: BootTestDeployment;
let nodeId: number;
beforeAll(async () => {
  t = await bootDeployment();
});
afterAll(async () => {
  await t?.close();
});
/** A neighbour already runs on the node, so giving usage back twice would show (usage never goes below 0). */
const BASELINE = { vcpus_used: 1, memory_mb_used: 512 + 2048, local_gb_used: 20, running_vms: 1 };
beforeEach(async () => {
  await t.reset();
  nodeId = await t.compute(t.cell1, 'cmp-1', { vcpus: 8, memoryMb: 16384, localGb: 200 });
  const neighbour = await acceptBoot(t.deps, { flavor: 'm1.small', count: 1 });
  expect((await scheduleAndBuild(t.deps, neighbour.instanceUuids)).outcomes[0]!.result).toBe('built');
  expect(await nodeUsage(t.cell1, nodeId)).toMatchObject(BASELINE);
});

async function state(uuid: string) {
  const [br] = await t.dep.api.db.select().from(buildRequests).where(eq(buildRequests.instanceUuid, uuid));
  const [spec] = await t.dep.api.db.select().from(requestSpecs).where(eq(requestSpecs.instanceUuid, uuid));
  const [mapping] = await t.dep.api.sql<{ cell_uuid: string | null; queued_for_delete: boolean | null }[]>`
    select c.uuid as cell_uuid, m.queued_for_delete from instance_mappings m left join cell_mappings c on c.id = m.cell_id where m.instance_uuid = ${uuid}`;
  const live = [...(await liveInstances(t.cell1, [uuid])), ...(await liveInstances(t.cell2, [uuid])), ...(await liveInstances(t.dep.cell0, [uuid]))];
  return { buildRequest: br ?? null, spec: spec ?? null, mapping: mapping ?? null, live };
}

/** nova's end state after a delete that won, whatever the interleaving: nothing live, nothing pending, the claim back. */
async function expectGone(uuid: string) {
  const s = await state(uuid);
  expect(s.live).toEqual([]);
  expect(s.buildRequest).toBeNull();
  // Never a mapping with no cell left behind (an orphan): removed, or pointing at the cell of the deleted instance.
  if (s.mapping) {
    expect(s.mapping.cell_uuid).not.toBeNull();
    expect(s.mapping.queued_for_delete).toBe(true);
  }
  expect(s.spec).not.toBeNull();
  expect(await nodeUsage(t.cell1, nodeId)).toMatchObject(BASELINE);
}

async function boot(flavor = 'm1.small') {
  return (await acceptBoot(t.deps, { flavor, count: 1 })).instanceUuids[0]!;
}

describe('deleteBuildRequest (nova §5.4)', () => {
  it('deletes a pending build request, queues the mapping for delete and keeps the request spec', async () => {
    const uuid = await boot();
    const r = await deleteBuildRequest(t.deps, uuid);
    expect(r).toMatchObject({ result: 'deleted', instanceUuid: uuid, destroyedIn: null });
    const s = await state(uuid);
    expect(s.buildRequest).toBeNull();
    expect(s.mapping).toEqual({ cell_uuid: null, queued_for_delete: true });
    expect(s.spec).not.toBeNull();
    // The conductor, when it comes, removes the mapping and builds nothing.
    const o = (await scheduleAndBuild(t.deps, [uuid])).outcomes[0]!;
    expect(o.result).toBe('deleted');
    await expectGone(uuid);
  });

  it('reports "already scheduled", with the cell, once the conductor consumed the build request', async () => {
    const uuid = await boot();
    await scheduleAndBuild(t.deps, [uuid]);
    const r = await deleteBuildRequest(t.deps, uuid);
    expect(r).toMatchObject({ result: 'already-scheduled', cell: { uuid: t.cell1.uuid, name: 'cell1' } });
    expect(r.message).toContain('cell1');
    // The normal delete path owns it now: this did not touch the instance.
    expect((await state(uuid)).live).toHaveLength(1);
  });

  it('says "already deleted" the second time, and refuses a uuid it knows nothing of', async () => {
    const uuid = await boot();
    await deleteBuildRequest(t.deps, uuid);
    expect((await deleteBuildRequest(t.deps, uuid)).result).toBe('already-deleted');
    const unknown = crypto.randomUUID();
    const e = await deleteBuildRequest(t.deps, unknown).catch((err: unknown) => err);
    expect(isCellarError(e)).toBe(true);
    expect(e).toMatchObject({ kind: 'not_found', exitCode: 1, message: `BuildRequest not found for instance ${unknown}` });
  });

  it('two people deleting the same build request at once: one deletes, the other hears it was already deleted', async () => {
    const uuid = await boot();
    const results = (await Promise.all([deleteBuildRequest(t.deps, uuid), deleteBuildRequest(t.deps, uuid)])).map((r) => r.result).sort();
    expect(results).toEqual(['already-deleted', 'deleted']);
  });
});

describe('deleteBuildRequest racing scheduleAndBuild', () => {
  it('delete first, conductor second: nothing is built, nothing is left pending', async () => {
    const uuid = await boot();
    await deleteBuildRequest(t.deps, uuid);
    await scheduleAndBuild(t.deps, [uuid]);
    await expectGone(uuid);
  });

  for (const stage of ['placed', 'created', 'mapped'] as ScheduleStage[]) {
    it(`conductor first, delete arriving at "${stage}": the instance is destroyed once and the claim given back once`, async () => {
      const uuid = await boot();
      let deleted: Awaited<ReturnType<typeof deleteBuildRequest>> | undefined;
      const r = await scheduleAndBuild(t.deps, [uuid], {
        afterStage: async (s) => {
          if (s === stage) deleted = await deleteBuildRequest(t.deps, uuid);
        },
      });
      expect(deleted?.result).toBe('deleted');
      // At "mapped" the delete finds the instance in its cell and soft-deletes it itself.
      if (stage === 'mapped') expect(deleted).toMatchObject({ destroyedIn: { uuid: t.cell1.uuid } });
      expect(r.outcomes[0]!.result).toBe('deleted');
      await expectGone(uuid);
      if (stage !== 'placed') {
        const [row] = await t.cell1.handle.db.select().from(instances).where(eq(instances.uuid, uuid));
        expect(row!.deleted).toBe(row!.id);
      }
    });
  }

  it('the same at the burial in cell0', async () => {
    const uuid = await boot('m1.huge');
    await scheduleAndBuild(t.deps, [uuid], {
      afterStage: async (s) => {
        if (s === 'created') await deleteBuildRequest(t.deps, uuid);
      },
    });
    await expectGone(uuid);
  });

  // The delete lands anywhere from before the conductor's first read to after it finished,
  // so rounds cover every path (removed before scheduling, before create, during the build, too late).
  it('truly concurrent, many times: whichever wins, the end state is consistent', async () => {
    const jitter = (ms: number) => new Promise((r) => setTimeout(r, Math.floor(Math.random() * ms)));
    for (let i = 0; i < 30; i++) {
      const uuid = await boot();
      const [sched, del] = await Promise.all([
        (async () => {
          await jitter(5);
          return scheduleAndBuild(t.deps, [uuid]);
        })(),
        (async () => {
          await jitter(60);
          return deleteBuildRequest(t.deps, uuid);
        })(),
      ]);
      if (del.result === 'deleted') {
        // The user's delete won: nothing may survive.
        expect(['deleted', 'already-scheduled']).toContain(sched.outcomes[0]!.result);
        await expectGone(uuid);
      } else {
        // The conductor finished first: a built server in cell1, deleted later the normal way.
        expect(del.result).toBe('already-scheduled');
        expect(sched.outcomes[0]!.result).toBe('built');
        const s = await state(uuid);
        expect(s.live).toHaveLength(1);
        expect(s.mapping).toEqual({ cell_uuid: t.cell1.uuid, queued_for_delete: false });
        // Clean up so the next round starts from an empty node.
        await t.cell1.handle.sql`update instances set deleted = id where uuid = ${uuid}`;
        await t.cell1.handle
          .sql`update compute_nodes set vcpus_used = 1, memory_mb_used = ${512 + 2048}, local_gb_used = 20, running_vms = 1 where id = ${nodeId}`;
      }
    }
  }, 90_000);
});
