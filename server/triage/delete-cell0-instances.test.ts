import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequests, instanceMappings } from '@/db/api/schema';
import { instances } from '@/db/cell/schema';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { deleteCell0Instances } from './delete-cell0-instances';
import { buryInCell0, depsFor, takeCell0Down, one } from './testing';
import { refusal as refusalOf } from '@/server/testing';

let dep: TestDeployment;
let deps: Deps;
// A fixed clock: the end state can be compared to the second.
const NOW = new Date('2031-03-04T05:06:07.000Z');

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  deps = depsFor(dep, { now: () => NOW });
});

afterAll(() => dep?.close());

async function instanceRow(uuid: string) {
  const [r] = await dep.cell0.handle.sql`
    select id, deleted, deleted_at::text, vm_state, task_state, progress, terminated_at::text, updated_at::text
    from instances where uuid = ${uuid}`;
  return r!;
}

async function related(uuid: string) {
  const sql = dep.cell0.handle.sql;
  return {
    extra: await sql`select id, deleted, deleted_at::text from instance_extra where instance_uuid = ${uuid} order by id`,
    faults: await sql`select id, deleted, deleted_at::text from instance_faults where instance_uuid = ${uuid} order by id`,
    actions:
      await sql`select action, deleted, user_id, project_id, start_time::text, finish_time, request_id from instance_actions where instance_uuid = ${uuid} order by id`,
    events: await sql`select e.event, e.deleted from instance_actions_events e join instance_actions a on a.id = e.action_id where a.instance_uuid = ${uuid}`,
  };
}

async function mapping(uuid: string) {
  const [m] = await dep.api.sql`select cell_id, queued_for_delete from instance_mappings where instance_uuid = ${uuid}`;
  return m;
}

describe('deleteCell0Instances: nova §5.5 end state', () => {
  it('soft-deletes the instance and its extra and faults with deleted = id, keeps actions and events, queues the mapping, records no delete action (a local delete)', async () => {
    const uuid = await buryInCell0(dep, {
      projectId: 'proj-a',
      faults: [
        { message: 'No valid host was found. There are not enough hosts available.', details: 'tb one' },
        { message: 'Exceeded maximum number of retries.', details: 'tb two' },
      ],
    });
    const specBefore = await dep.api.sql`select spec from request_specs where instance_uuid = ${uuid}`;

    const result = await deleteCell0Instances(deps, [uuid], { actor: 'support-alice' });
    expect(result).toEqual({ deleted: [uuid], alreadyDeleted: [], notFound: [] });

    const at = '2031-03-04 05:06:07';
    const i = await instanceRow(uuid);
    expect(i).toEqual({
      id: i.id,
      deleted: i.id,
      deleted_at: at,
      vm_state: 'deleted',
      task_state: null,
      progress: 0,
      terminated_at: at,
      updated_at: at,
    });
    const r = await related(uuid);
    expect(r.extra).toHaveLength(1);
    for (const row of [...r.extra, ...r.faults]) expect(row).toEqual({ id: row.id, deleted: row.id, deleted_at: at });
    expect(r.faults).toHaveLength(2);
    // instance_actions and their events are kept for audit (§2.6). nova records a `delete`
    // action only when the delete goes to a compute that is up; a cell0 instance's is local.
    expect(r.actions.map((a) => [a.action, a.deleted])).toEqual([['create', 0]]);
    expect(r.events).toEqual([{ event: 'conductor_schedule_and_build_instances', deleted: 0 }]);
    // The mapping stays, queued for delete; the request spec stays until archive.
    expect(await mapping(uuid)).toEqual({ cell_id: dep.cell0.id, queued_for_delete: true });
    expect(await dep.api.sql`select spec from request_specs where instance_uuid = ${uuid}`).toEqual(specBefore);
  });

  it('passes through task_state deleting before the final state (nova saves it first)', async () => {
    const uuid = await buryInCell0(dep);
    // A trigger records every task_state the row goes through: the order of nova's saves is observable.
    const sql = dep.cell0.handle.sql;
    await sql`create table if not exists task_state_log (id serial, uuid varchar(36), task_state varchar(255), vm_state varchar(255), deleted int)`;
    await sql.unsafe(`
      create or replace function log_task_state() returns trigger language plpgsql as $$
      begin insert into task_state_log (uuid, task_state, vm_state, deleted) values (new.uuid, new.task_state, new.vm_state, new.deleted); return new; end $$;
      drop trigger if exists log_task_state on instances;
      create trigger log_task_state after update on instances for each row execute function log_task_state();`);
    try {
      await deleteCell0Instances(deps, [uuid]);
      const log = await sql`select task_state, vm_state, deleted <> 0 as deleted from task_state_log where uuid = ${uuid} order by id`;
      expect(log).toEqual([
        { task_state: 'deleting', vm_state: 'error', deleted: false },
        { task_state: null, vm_state: 'deleted', deleted: false },
        { task_state: null, vm_state: 'deleted', deleted: true },
      ]);
    } finally {
      await sql.unsafe('drop trigger if exists log_task_state on instances; drop function if exists log_task_state(); drop table if exists task_state_log;');
    }
  });

  it('is idempotent: a second delete reports "already deleted" and changes nothing', async () => {
    const uuid = await buryInCell0(dep);
    const first = await deleteCell0Instances(deps, [uuid]);
    expect(first.deleted).toEqual([uuid]);
    const snapshot = async () => ({
      i: await dep.cell0.handle.sql`select * from instances where uuid = ${uuid}`,
      r: await related(uuid),
      m: await dep.api.sql`select * from instance_mappings where instance_uuid = ${uuid}`,
    });
    const before = await snapshot();
    const later = depsFor(dep, { now: () => new Date(NOW.getTime() + 60_000) });
    expect(await deleteCell0Instances(later, [uuid])).toEqual({ deleted: [], alreadyDeleted: [uuid], notFound: [] });
    expect(await snapshot()).toEqual(before);
  });

  it('two people deleting the same instance at once: exactly one deletes it, the other is told "already deleted"', async () => {
    for (let round = 0; round < 5; round++) {
      const uuid = await buryInCell0(dep);
      const [a, b] = await Promise.all([deleteCell0Instances(deps, [uuid]), deleteCell0Instances(deps, [uuid])]);
      const outcomes = [a, b].map((r) => (r.deleted.includes(uuid) ? 'deleted' : r.alreadyDeleted.includes(uuid) ? 'already' : 'other'));
      expect(outcomes.sort()).toEqual(['already', 'deleted']);
      const r = await related(uuid);
      expect(r.actions.map((x) => x.action)).toEqual(['create']);
      const i = await instanceRow(uuid);
      expect(i.deleted).toBe(i.id);
      for (const row of r.faults) expect(row.deleted).toBe(row.id);
    }
  });

  it('overlapping bulk deletes in opposite orders finish without a deadlock and delete each instance once', async () => {
    const uuids = await Promise.all(Array.from({ length: 8 }, () => buryInCell0(dep)));
    const [a, b] = await Promise.all([deleteCell0Instances(deps, uuids), deleteCell0Instances(deps, [...uuids].reverse())]);
    expect([...a.deleted, ...b.deleted].sort()).toEqual([...uuids].sort());
    expect([...a.alreadyDeleted, ...b.alreadyDeleted].sort()).toEqual([...uuids].sort());
    const { n } = await one(dep.cell0.handle.sql<{ n: number }[]>`select count(*)::int as n from instances where deleted = id and uuid = any(${uuids})`);
    expect(n).toBe(uuids.length);
  });

  it('overlapping bulk deletes by four callers at once converge: each instance goes through nova’s steps once, ends with no task state, deleted by one caller', async () => {
    const sql = dep.cell0.handle.sql;
    // Every update of every row, in the order made: a step run twice, or a step of a caller
    // that lost the race written over the winner's final state, shows here.
    await sql.unsafe(`
      create table race_log (id serial, uuid varchar(36), task_state varchar(255), vm_state varchar(255), deleted boolean);
      create function log_race() returns trigger language plpgsql as $$
      begin insert into race_log (uuid, task_state, vm_state, deleted) values (new.uuid, new.task_state, new.vm_state, new.deleted <> 0); return new; end $$;
      create trigger log_race after update on instances for each row execute function log_race();`);
    try {
      const shuffled = <T>(xs: readonly T[]) =>
        xs
          .map((x) => ({ x, k: Math.random() }))
          .sort((a, b) => a.k - b.k)
          .map((e) => e.x);
      // Each caller its own clock, so the end state tells whose steps wrote it.
      const clocks = [1, 2, 3, 4].map((s) => new Date(NOW.getTime() + s * 1000));
      const callers = clocks.map((c) => depsFor(dep, { now: () => c }));
      const bad: string[] = [];
      const tally = { leftDeleting: 0, notOnce: 0, stepsRepeated: 0 };
      let total = 0;
      for (let round = 0; round < 5; round++) {
        const uuids = await Promise.all(Array.from({ length: 40 }, () => buryInCell0(dep)));
        const sets = [uuids, [...uuids].reverse(), shuffled(uuids.slice(0, 30)), shuffled(uuids.slice(10))];
        const results = await Promise.all(sets.map((s, n) => deleteCell0Instances(callers[n]!, s)));

        const rows = await sql<
          {
            uuid: string;
            id: number;
            deleted: number;
            vm_state: string;
            task_state: string | null;
            terminated_at: string;
            updated_at: string;
            deleted_at: string;
          }[]
        >`select uuid, id, deleted, vm_state, task_state, terminated_at::text, updated_at::text, deleted_at::text from instances where uuid = any(${uuids})`;
        const log = await sql<{ uuid: string; task_state: string | null; vm_state: string; deleted: boolean }[]>`
          select uuid, task_state, vm_state, deleted from race_log where uuid = any(${uuids}) order by id`;
        total += uuids.length;
        for (const u of uuids) {
          const winners = results.flatMap((r, n) => (r.deleted.includes(u) ? [n] : []));
          const asked = sets.flatMap((s, n) => (s.includes(u) ? [n] : []));
          const told = results.flatMap((r, n) => (r.alreadyDeleted.includes(u) ? [n] : []));
          const i = rows.find((r) => r.uuid === u)!;
          const steps = log.filter((l) => l.uuid === u).map((l) => [l.task_state, l.vm_state, l.deleted]);
          const at = winners.length === 1 ? clocks[winners[0]!]!.toISOString().replace('T', ' ').replace('.000Z', '') : 'no single winner';
          const final = i.deleted === i.id && i.vm_state === 'deleted' && i.task_state === null;
          const once = winners.length === 1 && [...winners, ...told].sort().join() === asked.join();
          const stepsOnce =
            i.terminated_at === at &&
            i.updated_at === at &&
            i.deleted_at === at &&
            JSON.stringify(steps) ===
              JSON.stringify([
                ['deleting', 'error', false],
                [null, 'deleted', false],
                [null, 'deleted', true],
              ]);
          if (i.task_state !== null) tally.leftDeleting++;
          if (!once) tally.notOnce++;
          if (!stepsOnce) tally.stepsRepeated++;
          if (!(final && once && stepsOnce))
            bad.push(`round ${round} ${u}: deleted by ${JSON.stringify(winners)}, task_state ${i.task_state}, steps ${JSON.stringify(steps)}`);
        }
        for (const r of results) expect(r.notFound).toEqual([]);
        const { n } = await one(
          dep.api.sql<{ n: number }[]>`select count(*)::int as n from instance_mappings where instance_uuid = any(${uuids}) and queued_for_delete`,
        );
        expect(n).toBe(uuids.length);
      }
      expect(
        bad,
        `${bad.length} of ${total}: ${tally.leftDeleting} left with a task state, ${tally.notOnce} not reported deleted by exactly one caller, ${tally.stepsRepeated} with a step written twice or by two callers`,
      ).toEqual([]);
    } finally {
      await sql.unsafe('drop trigger if exists log_race on instances; drop function if exists log_race(); drop table if exists race_log;');
    }
  }, 20_000);

  it('bulk: deletes N at once, reporting the one already deleted and the unknown uuid separately', async () => {
    const uuids = await Promise.all(Array.from({ length: 5 }, () => buryInCell0(dep)));
    await deleteCell0Instances(deps, [uuids[2]!]);
    const unknown = crypto.randomUUID();
    const result = await deleteCell0Instances(deps, [...uuids, unknown, uuids[0]!]);
    expect(result.deleted.sort()).toEqual(uuids.filter((_, n) => n !== 2).sort());
    expect(result.alreadyDeleted).toEqual([uuids[2]]);
    expect(result.notFound).toEqual([unknown]);
    for (const u of uuids) {
      const i = await instanceRow(u);
      expect(i.deleted).toBe(i.id);
      expect(await mapping(u)).toEqual({ cell_id: dep.cell0.id, queued_for_delete: true });
    }
    const { n } = await one(
      dep.cell0.handle.sql<{ n: number }[]>`select count(*)::int as n from instance_actions where action = 'delete' and instance_uuid = any(${uuids})`,
    );
    expect(n).toBe(0);
  });

  it("in a cell database that has nova's other instance tables, soft-deletes and hard-deletes them as instance_destroy does", async () => {
    const uuid = await buryInCell0(dep);
    const sql = dep.cell0.handle.sql;
    // A few of the tables a cell database nova made has and Cellar's does not, nova's columns.
    await sql.unsafe(`
      create table instance_info_caches (id serial primary key, instance_uuid varchar(36), network_info text,
        created_at timestamp, updated_at timestamp, deleted_at timestamp, deleted integer);
      create table instance_system_metadata (id serial primary key, instance_uuid varchar(36), key varchar(255), value varchar(255),
        created_at timestamp, updated_at timestamp, deleted_at timestamp, deleted integer);
      create table tags (resource_id varchar(36), tag varchar(80), primary key (resource_id, tag));
      create table console_auth_tokens (id serial primary key, instance_uuid varchar(36), token_hash varchar(255));`);
    try {
      await sql`insert into instance_info_caches (instance_uuid, network_info, updated_at, deleted) values (${uuid}, '[]', '2030-01-01 00:00:00', 0)`;
      await sql`insert into instance_system_metadata (instance_uuid, key, value, deleted) values (${uuid}, 'image_base_image_ref', 'img-1', 0), (${uuid}, 'old', 'x', 7)`;
      await sql`insert into tags (resource_id, tag) values (${uuid}, 'a'), (${uuid}, 'b'), ('other', 'a')`;
      await sql`insert into console_auth_tokens (instance_uuid, token_hash) values (${uuid}, 'h')`;

      expect((await deleteCell0Instances(deps, [uuid])).deleted).toEqual([uuid]);
      const at = '2031-03-04 05:06:07';
      const [cache] = await sql`select id, deleted, deleted_at::text, updated_at::text from instance_info_caches`;
      // soft_delete keeps updated_at as it was.
      expect(cache).toEqual({ id: cache!.id, deleted: cache!.id, deleted_at: at, updated_at: '2030-01-01 00:00:00' });
      const meta = await sql<{ key: string; deleted: number; id: number }[]>`select id, key, deleted from instance_system_metadata order by id`;
      expect(meta.map((m) => [m.key, m.deleted === m.id])).toEqual([
        ['image_base_image_ref', true],
        ['old', false],
      ]);
      expect(meta[1]!.deleted).toBe(7);
      expect(await sql`select resource_id, tag from tags order by 1, 2`).toEqual([{ resource_id: 'other', tag: 'a' }]);
      expect(await sql`select id from console_auth_tokens`).toEqual([]);
    } finally {
      await sql.unsafe('drop table instance_info_caches; drop table instance_system_metadata; drop table tags; drop table console_auth_tokens;');
    }
  });

  it('each step is one statement for the whole selection, not one per instance', async () => {
    const uuids = await Promise.all(Array.from({ length: 20 }, () => buryInCell0(dep)));
    const sql = dep.cell0.handle.sql;
    // Statement-level triggers fire once per statement, however many rows it touches.
    await sql.unsafe(`
      create table stmt_log (id serial, tbl text, op text);
      create function log_stmt() returns trigger language plpgsql as $$
      begin insert into stmt_log (tbl, op) values (tg_table_name, tg_op); return null; end $$;
      create trigger s1 after update on instances for each statement execute function log_stmt();
      create trigger s2 after update on instance_extra for each statement execute function log_stmt();
      create trigger s3 after update on instance_faults for each statement execute function log_stmt();
      create trigger s4 after insert on instance_actions for each statement execute function log_stmt();`);
    try {
      const result = await deleteCell0Instances(deps, uuids);
      expect(result.deleted).toHaveLength(20);
      const log = await sql`select tbl, op from stmt_log order by id`;
      expect(log).toEqual([
        { tbl: 'instances', op: 'UPDATE' },
        { tbl: 'instances', op: 'UPDATE' },
        { tbl: 'instances', op: 'UPDATE' },
        // instance_destroy's order: instance_faults before instance_extra; no instance action.
        { tbl: 'instance_faults', op: 'UPDATE' },
        { tbl: 'instance_extra', op: 'UPDATE' },
      ]);
    } finally {
      await sql.unsafe(
        'drop trigger s1 on instances; drop trigger s2 on instance_extra; drop trigger s3 on instance_faults; drop trigger s4 on instance_actions; drop function log_stmt(); drop table stmt_log;',
      );
    }
  });
});

describe('deleteCell0Instances: refusals', () => {
  it('refuses an instance that lives in a real cell, and deletes nothing of the selection', async () => {
    const cell1 = dep.cells[0]!;
    const elsewhere = crypto.randomUUID();
    await cell1.handle.db.insert(instances).values({ uuid: elsewhere, projectId: 'p', vmState: 'active', host: 'cmp-1' });
    await dep.api.db.insert(instanceMappings).values({ instanceUuid: elsewhere, cellId: cell1.id, projectId: 'p' });
    const mine = await buryInCell0(dep);

    const e = await refusalOf(deleteCell0Instances(deps, [mine, elsewhere]));
    expect(e.kind).toBe('conflict');
    expect(e.message).toContain(`${elsewhere} is in cell cell1, not in cell0`);
    expect(e.message).toContain('nothing was deleted');
    expect((await instanceRow(mine)).deleted).toBe(0);
    expect(await mapping(mine)).toEqual({ cell_id: dep.cell0.id, queued_for_delete: false });
    const [c1] = await cell1.handle.sql`select deleted, task_state from instances where uuid = ${elsewhere}`;
    expect(c1).toEqual({ deleted: 0, task_state: null });
  });

  it('refuses a build request (mapping without a cell) and a cell0 row without a mapping', async () => {
    const pending = crypto.randomUUID();
    await dep.api.db.insert(instanceMappings).values({ instanceUuid: pending, cellId: null, projectId: 'p' });
    await dep.api.db.insert(buildRequests).values({ instanceUuid: pending, projectId: 'p', instance: null });
    const e1 = await refusalOf(deleteCell0Instances(deps, [pending]));
    expect(e1.message).toContain('is not scheduled yet: it is a build request');

    const unmapped = await buryInCell0(dep, { unmapped: true });
    const e2 = await refusalOf(deleteCell0Instances(deps, [unmapped]));
    expect(e2.message).toContain('has no instance mapping');
    expect((await instanceRow(unmapped)).deleted).toBe(0);
  });

  it('reports an unknown uuid as not found without touching anything', async () => {
    const unknown = crypto.randomUUID();
    expect(await deleteCell0Instances(deps, [unknown])).toEqual({ deleted: [], alreadyDeleted: [], notFound: [unknown] });
  });

  it('refuses plainly when cell0 does not answer, and the api database is left alone', async () => {
    const uuid = await buryInCell0(dep);
    const down = await takeCell0Down(dep);
    try {
      const e = await refusalOf(deleteCell0Instances(deps, [uuid]));
      expect(e.kind).toBe('unavailable');
      expect(e.message).toMatch(/^Cell cell0 does not answer \(refused: connection refused\); nothing was deleted\. Try again when it answers\.$/);
      expect(e.message).not.toContain('s3cret');
      expect(await mapping(uuid)).toEqual({ cell_id: dep.cell0.id, queued_for_delete: false });
    } finally {
      await down.restore();
    }
    expect((await instanceRow(uuid)).deleted).toBe(0);
  });
});
