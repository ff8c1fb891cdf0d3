/** Test helpers for the jobs area: deps over a test deployment, cells full of instances, polling. */
import type { TestCell, TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';

export function jobsTestDeps(dep: TestDeployment, deadlineMs = 10_000): Deps {
  return { api: dep.api, registry: dep.registry, deadlineMs, serviceDownTimeS: 60, now: () => new Date() };
}

let cells = 0;

/**
 * A new cell with `count` instances written in one statement: created one second apart
 * (uuids deliberately not in created_at order), every fourth one soft-deleted as nova does
 * (deleted = id), and, with `fake`, the VIF migration's fake instance too.
 */
export async function cellWithInstances(dep: TestDeployment, count: number, opts: { fake?: boolean } = {}): Promise<TestCell> {
  const n = ++cells;
  const cell = (await dep.addCell({ name: `jobs-${n}`, transportUrl: `rabbit://mq${n}.example.net/` })) as TestCell;
  await cell.handle.sql`
    insert into instances (uuid, project_id, user_id, vm_state, deleted, created_at)
    select md5(${`cell-${n}:`} || i)::uuid::text, 'project-' || (i % 7), 'user-' || (i % 11),
           case when i % 4 = 0 then 'deleted' else 'active' end, 0,
           timestamp '2026-01-01' + i * interval '1 second'
    from generate_series(1, ${count}) as i`;
  await cell.handle.sql`update instances set deleted = id where vm_state = 'deleted'`;
  if (opts.fake) {
    await cell.handle.sql`
      insert into instances (uuid, project_id, user_id, vm_state, deleted, created_at)
      values (${FAKE_INSTANCE_UUID}, ${FAKE_INSTANCE_UUID}, ${FAKE_INSTANCE_UUID}, 'deleted', 1, timestamp '2025-12-31')`;
  }
  return cell;
}

/** What a person would check after map_instances: mappings of the cell against its instances. */
export async function mappingState(dep: TestDeployment, cell: TestCell) {
  const instances = (await cell.handle.sql<{ uuid: string }[]>`select uuid from instances where uuid <> ${FAKE_INSTANCE_UUID}`).map((r) => r.uuid);
  const [row] = await dep.api.sql<{ rows: number; distinct: number; markers: number }[]>`
    select count(*)::int as rows, count(distinct instance_uuid)::int as distinct,
           (select count(*)::int from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER}) as markers
    from instance_mappings where cell_id = ${cell.id}`;
  const mapped = new Set(
    (await dep.api.sql<{ instance_uuid: string }[]>`select instance_uuid from instance_mappings where cell_id = ${cell.id}`).map((r) => r.instance_uuid),
  );
  return {
    instances: instances.length,
    mappingRows: row!.rows,
    distinctMappings: row!.distinct,
    markers: row!.markers,
    unmappedInstances: instances.filter((u) => !mapped.has(u)).length,
    fakeMapped: mapped.has(FAKE_INSTANCE_UUID),
  };
}

/** Poll until `fn` returns something other than undefined, or fail after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
