/**
 * Test helpers for the archive area: soft-deleted instances written as nova's
 * instance.destroy() leaves them (deleted = id, deleted_at set, the related rows
 * soft-deleted, actions kept), with their api rows, in a nova-made cell database.
 * One statement per table, so a bench can write 100,000 of them.
 */
import type postgres from 'postgres';

export interface Seeded {
  tag: string;
  uuids: string[];
}

/** Rows per soft-deleted instance that archive moves: instances, extra, info cache, 2 sysmeta, fault, action, event. */
export const ROWS_PER_INSTANCE = 8;

export async function seedDeletedInstances(
  cell: postgres.Sql,
  api: postgres.Sql | null,
  opts: { tag: string; count: number; deletedAt?: string; cellId?: number; live?: boolean },
): Promise<Seeded> {
  const deletedAt = opts.deletedAt ?? '2020-01-01 00:00:00';
  const live = opts.live ?? false;
  const uuids = (
    await cell<{ uuid: string }[]>`
      insert into instances (uuid, project_id, user_id, vm_state, display_name, deleted, deleted_at, created_at)
      select md5(${opts.tag} || ':' || i)::uuid::text, 'p-' || ${opts.tag}, 'u', ${live ? 'active' : 'deleted'}, ${opts.tag} || '-' || i,
             0, ${live ? null : deletedAt}::timestamp, ${deletedAt}::timestamp - interval '1 day'
      from generate_series(1, ${opts.count}) as i
      returning uuid`
  ).map((r) => r.uuid);
  const del = live ? 'false' : 'true';
  await cell.unsafe(`update instances set deleted = id where uuid = any($1::varchar[]) and ${del}`, [uuids]);
  const d = live ? 'null' : '$2::timestamp';
  const args = live ? [uuids] : [uuids, deletedAt];
  await cell.unsafe(`insert into instance_extra (instance_uuid, deleted, deleted_at) select u, 0, ${d} from unnest($1::varchar[]) u`, args);
  await cell.unsafe(`insert into instance_info_caches (instance_uuid, deleted, deleted_at) select u, 0, ${d} from unnest($1::varchar[]) u`, args);
  await cell.unsafe(
    `insert into instance_system_metadata (instance_uuid, key, value, deleted, deleted_at) select u, k, 'v', 0, ${d} from unnest($1::varchar[]) u, unnest(array['a','b']) k`,
    args,
  );
  await cell.unsafe(
    `insert into instance_faults (instance_uuid, code, message, deleted, deleted_at) select u, 500, 'NoValidHost', 0, ${d} from unnest($1::varchar[]) u`,
    args,
  );
  // nova never soft-deletes actions and their events: they go with their instance.
  await cell.unsafe(
    `insert into instance_actions (instance_uuid, action, request_id, deleted) select uuid, 'create', 'req-' || display_name, 0 from instances where uuid = any($1::varchar[])`,
    [uuids],
  );
  await cell.unsafe(
    `insert into instance_actions_events (action_id, event, result, deleted)
     select a.id, 'compute__do_build_and_run_instance', 'Success', 0 from instance_actions a where a.instance_uuid = any($1::varchar[])`,
    [uuids],
  );
  if (!live) {
    for (const t of ['instance_extra', 'instance_info_caches', 'instance_system_metadata', 'instance_faults']) {
      await cell.unsafe(`update ${t} set deleted = id where instance_uuid = any($1::varchar[])`, [uuids]);
    }
  }
  if (api && opts.cellId !== undefined) {
    await api.unsafe(
      `insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
       select u, $2, 'p-' || $3, 'u', $4, now() at time zone 'utc' from unnest($1::varchar[]) u`,
      [uuids, opts.cellId, opts.tag, !live],
    );
    await api.unsafe(`insert into request_specs (instance_uuid, spec, created_at) select u, '{}', now() at time zone 'utc' from unnest($1::varchar[]) u`, [
      uuids,
    ]);
  }
  return { tag: opts.tag, uuids };
}

/** Rows of the tagged instances (and their related rows) in each table and its shadow table. */
export async function taggedCounts(cell: postgres.Sql, tag: string): Promise<Record<string, number>> {
  const q = (t: string, key: string) =>
    `(select count(*) from ${t} where ${key} in (select uuid from instances where display_name like $1 union all select uuid from shadow_instances where display_name like $1))::int as "${t}"`;
  const tables = ['instance_extra', 'instance_info_caches', 'instance_system_metadata', 'instance_faults', 'instance_actions'];
  const [row] = await cell.unsafe<Record<string, number>[]>(
    `select (select count(*) from instances where display_name like $1)::int as instances,
            (select count(*) from shadow_instances where display_name like $1)::int as shadow_instances,
            ${tables.map((t) => `${q(t, 'instance_uuid')}, ${q(`shadow_${t}`, 'instance_uuid')}`).join(', ')},
            (select count(*) from instance_actions_events e where e.action_id in (select id from instance_actions where request_id like $2))::int as instance_actions_events,
            (select count(*) from shadow_instance_actions_events e where e.action_id in (select id from shadow_instance_actions where request_id like $2))::int as shadow_instance_actions_events`,
    [`${tag}-%`, `req-${tag}-%`],
  );
  return row!;
}
