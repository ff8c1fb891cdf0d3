import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequests, flavors, instanceMappings, requestSpecs } from '@/db/api/schema';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { acceptBoot } from './accept-boot';
import { type BootTestDeployment, bootDeployment } from './testing';
import { refusal } from '@/server/testing';

let t: BootTestDeployment;
beforeAll(async () => {
  t = await bootDeployment();
});
afterAll(async () => {
  await t?.close();
});

describe('acceptBoot (the API side)', () => {
  it('writes, per instance, a build request, a request spec and a mapping with no cell', async () => {
    const r = await acceptBoot(t.deps, { flavor: 'm1.small', count: 3, projectId: 'proj-a', userId: 'user-a', imageRef: 'img-1', name: 'web' });
    expect(r.instanceUuids).toHaveLength(3);
    expect(new Set(r.instanceUuids).size).toBe(3);
    expect(r.displayNames).toEqual(['web-1', 'web-2', 'web-3']);

    const brs = await t.dep.api.db.select().from(buildRequests).where(inArray(buildRequests.instanceUuid, r.instanceUuids));
    expect(brs).toHaveLength(3);
    for (const br of brs) {
      expect(br.projectId).toBe('proj-a');
      const inst = JSON.parse(br.instance!);
      expect(inst['nova_object.name']).toBe('Instance');
      const d = inst['nova_object.data'];
      expect(d).toMatchObject({
        uuid: br.instanceUuid,
        vm_state: 'building',
        task_state: 'scheduling',
        project_id: 'proj-a',
        user_id: 'user-a',
        image_ref: 'img-1',
        reservation_id: r.reservationId,
        host: null,
      });
      expect(d.flavor['nova_object.name']).toBe('Flavor');
      expect(readFlavorFromPrimitive(br.instance)).toMatchObject({ name: 'm1.small', flavorid: '2', vcpus: 1, memoryMb: 2048, rootGb: 20 });
    }

    const specs = await t.dep.api.db.select().from(requestSpecs).where(inArray(requestSpecs.instanceUuid, r.instanceUuids));
    expect(specs).toHaveLength(3);
    for (const s of specs) {
      const d = JSON.parse(s.spec)['nova_object.data'];
      expect(d.num_instances).toBe(3);
      expect(d.flavor['nova_object.data'].name).toBe('m1.small');
      expect(d.image['nova_object.data'].id).toBe('img-1');
    }

    const maps = await t.dep.api.db.select().from(instanceMappings).where(inArray(instanceMappings.instanceUuid, r.instanceUuids));
    expect(maps).toHaveLength(3);
    for (const m of maps) expect(m).toMatchObject({ cellId: null, queuedForDelete: false, projectId: 'proj-a', userId: 'user-a' });
  });

  it('writes all three tables in one transaction: a failure leaves nothing behind', async () => {
    // Make the last of the three inserts fail for this project only.
    await t.dep.api.sql`alter table instance_mappings add constraint test_no_boom check (project_id <> 'boom')`;
    try {
      await expect(acceptBoot(t.deps, { flavor: 'm1.small', count: 2, projectId: 'boom' })).rejects.toThrow();
      const [counts] = await t.dep.api.sql<{ br: number; rs: number }[]>`
        select (select count(*)::int from build_requests where project_id = 'boom') as br,
               (select count(*)::int from request_specs where spec like '%"project_id":"boom"%') as rs`;
      expect(counts).toEqual({ br: 0, rs: 0 });
    } finally {
      await t.dep.api.sql`alter table instance_mappings drop constraint test_no_boom`;
    }
  });

  it("refuses an unknown flavor with nova's message and exit code 1", async () => {
    const e = await refusal(acceptBoot(t.deps, { flavor: 'm9.nope', count: 1 }));
    expect(e).toMatchObject({ kind: 'not_found', exitCode: 1, message: 'Flavor with name m9.nope could not be found.' });
  });

  it('refuses a disabled flavor', async () => {
    await t.dep.api.db.insert(flavors).values({ name: 'm1.retired', flavorid: 'retired', vcpus: 1, memoryMb: 512, rootGb: 1, disabled: true });
    const e = await refusal(acceptBoot(t.deps, { flavor: 'm1.retired', count: 1 }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain('disabled');
    const [n] = await t.dep.api.sql<{ n: number }[]>`select count(*)::int as n from build_requests where instance like '%m1.retired%'`;
    expect(n!.n).toBe(0);
  });

  it('refuses a count that is not a whole number from 1 to 1000, with a plain message', async () => {
    expect((await refusal(acceptBoot(t.deps, { flavor: 'm1.small', count: 0 }))).message).toBe('The count must be at least 1');
    expect((await refusal(acceptBoot(t.deps, { flavor: 'm1.small', count: 1001 }))).message).toBe('The count must be at most 1000');
    expect((await refusal(acceptBoot(t.deps, { flavor: 'm1.small', count: 1.5 }))).message).toBe('The count must be a whole number');
    expect((await refusal(acceptBoot(t.deps, { flavor: '  ', count: 1 }))).message).toBe('The flavor name must not be empty');
  });
});

describe('on a deployment nova made', () => {
  it('accepting, scheduling and registering are refused (precondition, exit 1) unless allowOnNova', async () => {
    const { scheduleAndBuild } = await import('./schedule-and-build');
    const { registerCompute } = await import('./register-compute');
    await t.dep.api.sql`create table public.alembic_version (version_num varchar(32) not null primary key)`;
    try {
      const before = (await t.dep.api.sql<{ n: number }[]>`select count(*)::int as n from build_requests`)[0]!.n;
      const e = await refusal(acceptBoot(t.deps, { flavor: 'm1.small' }));
      expect([e.kind, e.exitCode]).toEqual(['precondition', 1]);
      expect(e.message).toMatch(
        /^Booting servers is nova's job on a deployment nova made: Cellar does not stand in for nova-api\/nova-conductor\/nova-compute there\./,
      );
      expect((await t.dep.api.sql<{ n: number }[]>`select count(*)::int as n from build_requests`)[0]!.n).toBe(before);
      const s = await refusal(scheduleAndBuild(t.deps, [crypto.randomUUID()]));
      expect(s.message).toMatch(/^Scheduling and building servers is nova's job on a deployment nova made/);
      const r = await refusal(registerCompute(t.deps, { cellUuid: t.cell1.uuid, host: 'nova-made' }));
      expect(r.message).toMatch(/^Registering a compute host is nova's job on a deployment nova made: Cellar does not stand in for nova-compute there\./);

      const ok = await acceptBoot(t.deps, { flavor: 'm1.small', allowOnNova: true });
      expect(ok.instanceUuids).toHaveLength(1);
    } finally {
      await t.dep.api.sql`drop table public.alembic_version`;
    }
  });
});
