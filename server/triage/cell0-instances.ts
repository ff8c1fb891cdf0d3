import 'server-only';
/**
 * cell0's instances, the graveyard of boots that found no home (§2.2, §2.3, §9.9): each
 * live row with its LATEST fault (MAX(id) among deleted = 0, as nova's
 * instance_fault_get_by_instance_uuids(latest=True)) and the flavor from its embedded copy
 * (instance_extra.flavor cur), so a flavor deleted since still shows.
 *
 * Lists walk (created_at, uuid) with keyset markers; the marker is an instance uuid,
 * resolved in cell0 whatever its state, so deleting rows while paging does not lose the
 * place (nova resolves its markers the same way, read_deleted='yes').
 */
import type postgres from 'postgres';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { CELL0_UUID } from '../nova/constants';
import { type EmbeddedFlavor, readFlavorFromPrimitive } from '../nova/primitives';
import { type Cell0Filters, cell0Read, type Cell0ReadResult, liveCell0Where, matchesExactly, needsExactFilter } from './cell0-read';

export type Cell0Sort = 'age' | '-age';

const REVERSED: Record<Cell0Sort, Cell0Sort> = { age: '-age', '-age': 'age' };

export interface Fault {
  id: number;
  message: string | null;
  code: number;
  createdAt: Date | null;
  host: string | null;
  /** The traceback; nova writes it only for code 500. */
  details: string | null;
}

export interface Cell0Instance {
  uuid: string;
  name: string | null;
  projectId: string | null;
  userId: string | null;
  /** Glance id; empty for boot-from-volume. */
  imageRef: string | null;
  availabilityZone: string | null;
  createdAt: Date | null;
  vmState: string | null;
  taskState: string | null;
  flavor: EmbeddedFlavor | null;
  fault: Fault | null;
}

interface Cell0Row {
  uuid: string;
  display_name: string | null;
  project_id: string | null;
  user_id: string | null;
  image_ref: string | null;
  availability_zone: string | null;
  created_at: string | null;
  vm_state: string | null;
  task_state: string | null;
  pos: string;
  flavor: string | null;
  fault_id: number | null;
  message: string | null;
  code: number | null;
  fault_at: string | null;
  fault_host: string | null;
  details: string | null;
}

export function toCell0Instance(r: Cell0Row): Cell0Instance {
  return {
    uuid: r.uuid,
    name: r.display_name,
    projectId: r.project_id,
    userId: r.user_id,
    imageRef: r.image_ref,
    availabilityZone: r.availability_zone,
    createdAt: utcDate(r.created_at),
    vmState: r.vm_state,
    taskState: r.task_state,
    flavor: readFlavorFromPrimitive(r.flavor),
    fault:
      r.fault_id === null
        ? null
        : { id: r.fault_id, message: r.message, code: r.code ?? 500, createdAt: utcDate(r.fault_at), host: r.fault_host, details: r.details },
  };
}

interface Position {
  pos: string;
  uuid: string;
}

/**
 * Rows of cell0 with their latest live fault and latest extra row, in one statement.
 * `where` selects the rows; `after` continues a walk in `sort` order.
 */
export async function readCell0Rows(
  sql: postgres.Sql,
  opts: { where: postgres.PendingQuery<postgres.Row[]>; sort: Cell0Sort; after: Position | null; limit: number; liveFaultOnly?: boolean },
): Promise<Cell0Row[]> {
  const newestFirst = opts.sort === 'age';
  const keyset = opts.after
    ? newestFirst
      ? sql`and (coalesce(i.created_at, '-infinity'::timestamp), i.uuid) < (${opts.after.pos}::timestamp, ${opts.after.uuid})`
      : sql`and (coalesce(i.created_at, '-infinity'::timestamp), i.uuid) > (${opts.after.pos}::timestamp, ${opts.after.uuid})`
    : sql``;
  const order = newestFirst
    ? sql`coalesce(i.created_at, '-infinity'::timestamp) desc, i.uuid desc`
    : sql`coalesce(i.created_at, '-infinity'::timestamp) asc, i.uuid asc`;
  return sql<Cell0Row[]>`
    select i.uuid, i.display_name, i.project_id, i.user_id, i.image_ref, i.availability_zone,
           i.created_at::text as created_at, i.vm_state, i.task_state,
           coalesce(i.created_at, '-infinity'::timestamp)::text as pos,
           e.flavor, f.id as fault_id, f.message, f.code, f.created_at::text as fault_at, f.host as fault_host, f.details
    from instances i
    left join lateral (
      select id, message, code, created_at, host, details from instance_faults
      where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1
    ) f on true
    left join lateral (
      select flavor from instance_extra where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1
    ) e on true
    where ${opts.where} ${keyset}
    order by ${order}
    limit ${opts.limit}`;
}

export interface Cell0ListInput extends Cell0Filters {
  sort?: Cell0Sort;
  limit?: number;
  /** The uuid of the last row of the previous page (or, with `back`, the first row of the next one). */
  marker?: string;
  /** The page before the marker (Previous), not the one after it. */
  back?: boolean;
}

export interface Cell0Page {
  rows: Cell0Instance[];
  /** The marker for the next page, or null on the last page. */
  nextMarker: string | null;
  /** The marker for the page before (to ask with `back`), or null on the first page. */
  prevMarker: string | null;
}

export type Cell0ListResult = Cell0ReadResult<Cell0Page>;

async function resolveMarker(sql: postgres.Sql, marker: string): Promise<Position> {
  const [row] = await sql<Position[]>`
    select coalesce(created_at, '-infinity'::timestamp)::text as pos, uuid from instances where uuid = ${marker}`;
  if (!row) throw refuse.notFound(`Marker ${marker} was not found in cell0. Start again from the first page.`);
  return row;
}

/**
 * Walk cell0's live rows matching the filters, `limit` at a time. Where a filter is only
 * narrowed in SQL (flavor name, normalised text), batches are read until the page is full
 * or cell0 has no more rows.
 */
export async function collectCell0Rows(
  sql: postgres.Sql,
  filters: Cell0Filters,
  sort: Cell0Sort,
  start: Position | null,
  want: number,
): Promise<{ rows: Cell0Row[]; more: boolean }> {
  const exact = needsExactFilter(filters);
  const batch = exact ? Math.max(2 * want, 100) : want;
  const where = liveCell0Where(sql, filters);
  const out: Cell0Row[] = [];
  let after = start;
  for (;;) {
    const rows = await readCell0Rows(sql, { where, sort, after, limit: batch });
    for (const r of rows) {
      if (!exact || matchesExactly(filters, r)) out.push(r);
      if (out.length === want) return { rows: out, more: true };
    }
    if (rows.length < batch) return { rows: out, more: false };
    const last = rows[rows.length - 1]!;
    after = { pos: last.pos, uuid: last.uuid };
  }
}

export async function listCell0Instances(deps: Deps, input: Cell0ListInput = {}): Promise<Cell0ListResult> {
  const limit = input.limit ?? 50;
  const sort = input.sort ?? 'age';
  const filters: Cell0Filters = { fault: input.fault, flavor: input.flavor, project: input.project, group: input.group };
  const back = Boolean(input.marker) && Boolean(input.back);
  return cell0Read(deps, async ({ handle }) => {
    const start = input.marker ? await resolveMarker(handle.sql, input.marker) : null;
    // Back is the same walk in the other order from the marker, turned round. One row past
    // the page says whether there is another page that way.
    const { rows } = await collectCell0Rows(handle.sql, filters, back ? REVERSED[sort] : sort, start, limit + 1);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    if (back) page.reverse();
    const first = page[0]?.uuid ?? null;
    const last = page[page.length - 1]?.uuid ?? null;
    return {
      rows: page.map(toCell0Instance),
      // Going back, the marker's own page follows; going forwards, a marker means a page before.
      nextMarker: back ? (last ?? input.marker!) : more ? last : null,
      prevMarker: back ? (more ? first : null) : input.marker && first ? first : null,
    };
  });
}

// ---------------------------------------------------------------------------------------
// One instance
// ---------------------------------------------------------------------------------------

export interface ActionEvent {
  event: string | null;
  result: string | null;
  startTime: Date | null;
  finishTime: Date | null;
  host: string | null;
  traceback: string | null;
}

export interface InstanceAction {
  id: number;
  action: string | null;
  requestId: string | null;
  userId: string | null;
  projectId: string | null;
  startTime: Date | null;
  finishTime: Date | null;
  message: string | null;
  events: ActionEvent[];
}

export interface Cell0InstanceDetail extends Cell0Instance {
  /** deleted != 0: already deleted (kept until archive_deleted_rows). */
  deleted: boolean;
  deletedAt: Date | null;
  terminatedAt: Date | null;
  /** How many fault rows it has (the latest is `fault`). */
  faultCount: number;
  actions: InstanceAction[];
  mapping: { queuedForDelete: boolean | null; createdAt: Date | null };
}

export type Cell0DetailResult = Cell0ReadResult<Cell0InstanceDetail>;

interface MappingRow {
  cell_uuid: string | null;
  cell_name: string | null;
  queued_for_delete: boolean | null;
  created_at: string | null;
}

/**
 * One cell0 instance: its latest fault first, then the request, then its instance actions
 * with their events. The instance is found through its mapping (§0); one mapped elsewhere
 * or still a build request is refused plainly, with where it is.
 */
export async function readCell0Instance(deps: Deps, uuid: string): Promise<Cell0DetailResult> {
  const [mapping] = await deps.api.sql<MappingRow[]>`
    select c.uuid as cell_uuid, c.name as cell_name, m.queued_for_delete, m.created_at::text as created_at
    from instance_mappings m left join cell_mappings c on c.id = m.cell_id
    where m.instance_uuid = ${uuid}`;
  if (mapping && mapping.cell_uuid === null) {
    throw refuse.notFound(`Instance ${uuid} is not in cell0: it has not been scheduled yet (see Build requests).`);
  }
  if (mapping && mapping.cell_uuid !== CELL0_UUID) {
    throw refuse.notFound(`Instance ${uuid} is not in cell0: it is mapped to cell ${mapping.cell_name ?? mapping.cell_uuid}.`);
  }
  return cell0Read(deps, async ({ handle }) => {
    const sql = handle.sql;
    const [row] = await sql<Array<Cell0Row & { deleted: number; deleted_at: string | null; terminated_at: string | null; fault_count: number }>>`
      select i.uuid, i.display_name, i.project_id, i.user_id, i.image_ref, i.availability_zone,
             i.created_at::text as created_at, i.vm_state, i.task_state,
             coalesce(i.created_at, '-infinity'::timestamp)::text as pos,
             i.deleted, i.deleted_at::text as deleted_at, i.terminated_at::text as terminated_at,
             e.flavor, f.id as fault_id, f.message, f.code, f.created_at::text as fault_at, f.host as fault_host, f.details,
             (select count(*)::int from instance_faults where instance_uuid = i.uuid) as fault_count
      from instances i
      -- A deleted instance's faults were soft-deleted with it: then its latest fault of any state is the evidence.
      left join lateral (
        select id, message, code, created_at, host, details from instance_faults
        where instance_uuid = i.uuid and (deleted = 0 or i.deleted <> 0) order by (deleted = 0) desc, id desc limit 1
      ) f on true
      left join lateral (
        select flavor from instance_extra where instance_uuid = i.uuid and (deleted = 0 or i.deleted <> 0)
        order by (deleted = 0) desc, id desc limit 1
      ) e on true
      where i.uuid = ${uuid}`;
    if (!row) {
      throw refuse.notFound(mapping ? `Instance ${uuid} is mapped to cell0 but cell0 has no row for it (archived?).` : `Instance ${uuid} was not found.`);
    }
    const actions = await sql<
      Array<{
        id: number;
        action: string | null;
        request_id: string | null;
        user_id: string | null;
        project_id: string | null;
        start_time: string | null;
        finish_time: string | null;
        message: string | null;
        events: Array<{
          event: string | null;
          result: string | null;
          start_time: string | null;
          finish_time: string | null;
          host: string | null;
          traceback: string | null;
        }>;
      }>
    >`
      select a.id, a.action, a.request_id, a.user_id, a.project_id, a.start_time::text as start_time,
             a.finish_time::text as finish_time, a.message,
             coalesce((select json_agg(json_build_object('event', ev.event, 'result', ev.result,
                         'start_time', ev.start_time::text, 'finish_time', ev.finish_time::text,
                         'host', ev.host, 'traceback', ev.traceback) order by ev.id)
                       from instance_actions_events ev where ev.action_id = a.id), '[]'::json) as events
      from instance_actions a
      where a.instance_uuid = ${uuid}
      order by a.start_time nulls first, a.id`;
    return {
      ...toCell0Instance(row),
      deleted: row.deleted !== 0,
      deletedAt: utcDate(row.deleted_at),
      terminatedAt: utcDate(row.terminated_at),
      faultCount: row.fault_count,
      actions: actions.map((a) => ({
        id: a.id,
        action: a.action,
        requestId: a.request_id,
        userId: a.user_id,
        projectId: a.project_id,
        startTime: utcDate(a.start_time),
        finishTime: utcDate(a.finish_time),
        message: a.message,
        events: a.events.map((ev) => ({
          event: ev.event,
          result: ev.result,
          startTime: utcDate(ev.start_time),
          finishTime: utcDate(ev.finish_time),
          host: ev.host,
          traceback: ev.traceback,
        })),
      })),
      mapping: { queuedForDelete: mapping?.queued_for_delete ?? null, createdAt: utcDate(mapping?.created_at) },
    };
  });
}
