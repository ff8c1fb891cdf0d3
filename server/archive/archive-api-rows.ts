import 'server-only';
/**
 * The api database's rows of archived instances, removed as nova's _do_archive removes them
 * (InstanceMappingList.destroy_bulk, RequestSpec.destroy_bulk,
 * InstanceGroup.destroy_members_bulk): in one api transaction, so a kill never leaves a
 * mapping without its spec gone or the other way round. Build requests are not touched
 * (nova does not touch them either).
 */
import type postgres from 'postgres';
import type { ApiHandle } from '@/db/connect';

export const API_TABLES = ['instance_mappings', 'request_specs', 'instance_group_member'] as const;
export type ApiTable = (typeof API_TABLES)[number];

/** Which of nova's api tables this api database has (Cellar's own api schema has no instance_group_member). */
async function present(sql: postgres.Sql | postgres.TransactionSql): Promise<ApiTable[]> {
  const [r] = await sql<{ names: string[] }[]>`
    select coalesce(array_agg(t), array[]::text[]) as names from unnest(${API_TABLES as unknown as string[]}::text[]) t where to_regclass(t) is not null`;
  return API_TABLES.filter((t) => r!.names.includes(t));
}

export async function deleteApiRows(api: ApiHandle, uuids: readonly string[]): Promise<Record<ApiTable, number>> {
  const out: Record<ApiTable, number> = { instance_mappings: 0, request_specs: 0, instance_group_member: 0 };
  if (uuids.length === 0) return out;
  await api.sql.begin(async (tx) => {
    for (const t of await present(tx)) {
      const r = await tx.unsafe(`delete from ${t} where instance_uuid = any($1::varchar[])`, [uuids as string[]]);
      out[t] = r.count;
    }
  });
  return out;
}

export async function countApiRows(api: ApiHandle, uuids: readonly string[]): Promise<Record<ApiTable, number>> {
  const out: Record<ApiTable, number> = { instance_mappings: 0, request_specs: 0, instance_group_member: 0 };
  if (uuids.length === 0) return out;
  for (const t of await present(api.sql)) {
    const [r] = await api.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${t} where instance_uuid = any($1::varchar[])`, [uuids as string[]]);
    out[t] = r!.n;
  }
  return out;
}

/** The mapped instance uuids of a cell, in id order after `afterId`: for a resumed job's look back. */
export async function mappedUuidsOfCell(api: ApiHandle, cellId: number, afterId: number, limit: number): Promise<{ id: number; uuid: string }[]> {
  return api.sql<{ id: number; uuid: string }[]>`
    select id, instance_uuid as uuid from instance_mappings where cell_id = ${cellId} and id > ${afterId} order by id limit ${limit}`;
}
