import 'server-only';
/**
 * One batch of one cell's live instances in the global order, strictly after a position:
 * one SQL statement per batch, walking the (created_at DESC NULLS LAST, uuid) index with
 * a keyset condition instead of an offset.
 *
 * Directions are mixed (the key one way, uuid always ascending), so the keyset cannot be
 * a single row comparison; it is written as `k <= v AND (k < v OR uuid > u)`, whose first
 * half bounds the index scan. NULL keys (updated_at is NULL until a first update, names
 * may be NULL) form their own segment at the low end; when a marker sits before that
 * segment the statement reads the rest of its own segment and the next one as two index
 * scans joined by UNION ALL, each with its own limit.
 *
 * `backward` reads the rows strictly before the position instead, nearest first: the
 * same walk in the mirrored order (the key the other way, NULLs at the other end, uuid
 * descending), so a previous page is one keyset read too, the index read backwards.
 */
import type postgres from 'postgres';
import { FAKE_INSTANCE_UUID } from '../nova/constants';
import type { Position, SortSpec } from './sort-order';

export interface InstanceFilters {
  projectId?: string;
  vmState?: string;
  host?: string;
  /** Case-insensitive substring of display_name. */
  name?: string;
}

/** An instances row as the list reads it; timestamps as fixed-width naive-UTC text. */
export interface CellInstanceRow extends Position {
  uuid: string;
  displayName: string | null;
  projectId: string | null;
  userId: string | null;
  host: string | null;
  node: string | null;
  vmState: string | null;
  taskState: string | null;
  powerState: number | null;
  availabilityZone: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  launchedAt: string | null;
  /** instance_extra.flavor, the embedded copy (it survives the flavor's deletion). */
  flavor: string | null;
}

/** Fixed width, microseconds: text order is time order, and it casts back to the same timestamp. */
export const TIMESTAMP_TEXT = 'YYYY-MM-DD"T"HH24:MI:SS.US';

const KEYS = {
  created_at: { column: 'i.created_at', text: `to_char(i.created_at, '${TIMESTAMP_TEXT}')`, type: 'timestamp' },
  updated_at: { column: 'i.updated_at', text: `to_char(i.updated_at, '${TIMESTAMP_TEXT}')`, type: 'timestamp' },
  // No index for names; collate "C" makes the database order the one the merge compares by.
  display_name: { column: 'i.display_name collate "C"', text: 'i.display_name', type: 'text' },
} as const;

interface Branch {
  where: postgres.PendingQuery<postgres.Row[]> | null;
  order: postgres.PendingQuery<postgres.Row[]>;
}

function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The direction a read walks: the key's (NULLs at its low end) and uuid's. */
interface Walk {
  keyDir: 'asc' | 'desc';
  uuidDir: 'asc' | 'desc';
}

/** Forward in the list's order, or backward: its mirror image. */
function walkOf(sort: SortSpec, backward: boolean): Walk {
  if (!backward) return { keyDir: sort.dir, uuidDir: 'asc' };
  return { keyDir: sort.dir === 'desc' ? 'asc' : 'desc', uuidDir: 'desc' };
}

/** The segments to read after `after` in the walk's order, in order, each an index-friendly condition and order. */
function branches(sql: postgres.Sql, sort: SortSpec, walk: Walk, after: Position | null): Branch[] {
  const key = KEYS[sort.key];
  const k = sql.unsafe(key.column);
  const nulls = walk.keyDir === 'desc' ? sql`desc nulls last` : sql`asc nulls first`;
  const uuidDir = walk.uuidDir === 'desc' ? sql`desc` : sql`asc`;
  const keyOrder = sql`${k} ${nulls}, i.uuid ${uuidDir}`;
  const uuidOrder = sql`i.uuid ${uuidDir}`;
  if (!after) return [{ where: null, order: keyOrder }];
  const v = after.sortValue === null ? null : sql`cast(${after.sortValue} as ${sql.unsafe(key.type)})`;
  const u = after.uuid;
  const uuidAfter = walk.uuidDir === 'desc' ? sql`i.uuid < ${u}` : sql`i.uuid > ${u}`;
  const restOfNulls: Branch = { where: sql`${k} is null and ${uuidAfter}`, order: uuidOrder };
  if (walk.keyDir === 'desc') {
    if (v === null) return [restOfNulls];
    return [
      { where: sql`${k} <= ${v} and (${k} < ${v} or ${uuidAfter})`, order: keyOrder },
      { where: sql`${k} is null`, order: uuidOrder },
    ];
  }
  if (v === null) return [restOfNulls, { where: sql`${k} is not null`, order: keyOrder }];
  return [{ where: sql`${k} >= ${v} and (${k} > ${v} or ${uuidAfter})`, order: keyOrder }];
}

export async function readCellBatch(
  sql: postgres.Sql,
  q: { sort: SortSpec; filters: InstanceFilters; after: Position | null; limit: number; backward?: boolean },
): Promise<CellInstanceRow[]> {
  const key = KEYS[q.sort.key];
  const walk = walkOf(q.sort, q.backward ?? false);
  const f = q.filters;
  // Live rows only: not deleted, not the hidden copy of a cross-cell resize, not the VIF
  // migration's fake instance. Soft-deleted rows (deleted = 0) are listed with their state.
  const live = sql`i.deleted = 0 and i.hidden is not true and i.uuid <> ${FAKE_INSTANCE_UUID}
    ${f.projectId ? sql`and i.project_id = ${f.projectId}` : sql``}
    ${f.vmState ? sql`and i.vm_state = ${f.vmState}` : sql``}
    ${f.host ? sql`and i.host = ${f.host}` : sql``}
    ${f.name ? sql`and i.display_name ilike ${likePattern(f.name)} escape '\\'` : sql``}`;
  const cols = sql`i.uuid, i.display_name, i.project_id, i.user_id, i.host, i.node, i.vm_state, i.task_state,
    i.power_state, i.availability_zone,
    to_char(i.created_at, ${TIMESTAMP_TEXT}) as created_at,
    to_char(i.updated_at, ${TIMESTAMP_TEXT}) as updated_at,
    to_char(i.launched_at, ${TIMESTAMP_TEXT}) as launched_at,
    ${sql.unsafe(key.text)} as sort_value`;
  const parts = branches(sql, q.sort, walk, q.after).map(
    (b, seg) => sql`(select ${cols}, ${seg}::int as seg from instances i
      where ${live} ${b.where ? sql`and ${b.where}` : sql``}
      order by ${b.order} limit ${q.limit})`,
  );
  const union = parts.slice(1).reduce((acc, p) => sql`${acc} union all ${p}`, parts[0]!);
  const dir = walk.keyDir === 'desc' ? sql`desc nulls last` : sql`asc nulls first`;
  const uuidDir = walk.uuidDir === 'desc' ? sql`desc` : sql`asc`;
  // The embedded flavor is read only for the rows of the batch, not for every candidate row.
  const rows = await sql<
    {
      uuid: string;
      display_name: string | null;
      project_id: string | null;
      user_id: string | null;
      host: string | null;
      node: string | null;
      vm_state: string | null;
      task_state: string | null;
      power_state: number | null;
      availability_zone: string | null;
      created_at: string | null;
      updated_at: string | null;
      launched_at: string | null;
      sort_value: string | null;
      flavor: string | null;
    }[]
  >`with batch as (${union})
    select b.*, (select e.flavor from instance_extra e
                 where e.instance_uuid = b.uuid and e.deleted = 0 order by e.id desc limit 1) as flavor
    from batch b
    order by b.seg, b.sort_value collate "C" ${dir}, b.uuid ${uuidDir}
    limit ${q.limit}`;
  return rows.map((r) => ({
    uuid: r.uuid,
    sortValue: r.sort_value,
    displayName: r.display_name,
    projectId: r.project_id,
    userId: r.user_id,
    host: r.host,
    node: r.node,
    vmState: r.vm_state,
    taskState: r.task_state,
    powerState: r.power_state,
    availabilityZone: r.availability_zone,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    launchedAt: r.launched_at,
    flavor: r.flavor,
  }));
}

/** The sort value of one instance (deleted or not, as nova reads a marker), or null if the cell has no such row. */
export async function readSortPosition(sql: postgres.Sql, sort: SortSpec, uuid: string): Promise<Position | null> {
  const key = KEYS[sort.key];
  const [row] = await sql<{ uuid: string; sort_value: string | null }[]>`
    select i.uuid, ${sql.unsafe(key.text)} as sort_value from instances i
    where i.uuid = ${uuid} order by (i.deleted = 0) desc, i.id desc limit 1`;
  return row ? { uuid: row.uuid, sortValue: row.sort_value } : null;
}
