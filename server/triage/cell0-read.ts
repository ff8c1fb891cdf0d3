import 'server-only';
/**
 * Reading cell0 the way every triage view does: find cell0's mapping by its fixed uuid,
 * ask it under the deadline (askOneCellOutcome), and when it does not answer say so with a
 * count of its instances from the api database (nova's UNKNOWN records, §6.3).
 */
import type postgres from 'postgres';
import type { CellWork } from '@/db/fanout';
import type { Deps } from '../deps';
import { askOneCellOutcome } from '../cells/ask-one-cell';
import { type CellSummary, type DownCell, downCell, type LastKnown } from '../cells/cell-ref';
import { rememberFigures } from '../cells/last-known';
import { type CellMapping, readCellMappings } from '../cells/mappings';
import { CELL0_UUID, FAKE_INSTANCE_UUID } from '../nova/constants';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { groupPrefilter, NO_FAULT_KEY, normaliseFault } from './fault-text';

export interface Cell0Filters {
  /** Case-insensitive substring of the latest fault's message. */
  fault?: string;
  /** Exact name of the embedded flavor copy (instance_extra.flavor cur). */
  flavor?: string;
  project?: string;
  /** A normalised fault text (a group of the grouped view). */
  group?: string;
}

/** What cell0 held the last time its fault groups were read without filters: kept, and shown stale while it is down. */
export interface Cell0Counts {
  /** Its live instances. */
  instances: number;
  /** How many fault groups, and the largest of them. */
  groups: number;
  top: { key: string; count: number }[];
}

export type Cell0ReadResult<T> =
  | { state: 'up'; cell0: CellSummary; asOf: Date; data: T }
  | {
      state: 'down';
      cell0: CellSummary;
      asOf: Date;
      down: DownCell[];
      unknownCount: number;
      /** cell0's counts the last time it answered, and when (cellar.cell_figures). */
      lastKnown: LastKnown<Cell0Counts> | null;
    }
  | { state: 'unmapped'; asOf: Date };

export const CELL0_UNMAPPED_MESSAGE = 'cell0 is not mapped: run `cellar map_cell0` (or simple_cell_setup) first.';

export async function findCell0(deps: Deps): Promise<CellMapping | null> {
  const cells = await readCellMappings(deps.api);
  return cells.find((c) => c.uuid === CELL0_UUID) ?? null;
}

/**
 * Instances mapped to cell0 that are not queued for delete: what nova would list as
 * UNKNOWN while the cell does not answer. NULL queued_for_delete is "not migrated yet"
 * and counts as not deleted (§1.3).
 */
export async function countUnknownInCell0(deps: Deps, cell0Id: number): Promise<number> {
  const [row] = await deps.api.sql<{ n: number }[]>`
    select count(*)::int as n from instance_mappings
    where cell_id = ${cell0Id} and queued_for_delete is not true and instance_uuid <> ${FAKE_INSTANCE_UUID}`;
  return row?.n ?? 0;
}

/**
 * Run `work` against cell0 under the deadline. A refusal thrown by the work (a CellarError)
 * is the caller's answer, not a down cell, so it is thrown as it is. `counts` says what of
 * an answer is kept as cell0's last-known counts (null: nothing, e.g. a filtered view);
 * a down answer carries the last ones kept.
 */
export async function cell0Read<T>(
  deps: Deps,
  work: (w: CellWork) => Promise<T>,
  opts: { counts?: (data: T) => Cell0Counts | null } = {},
): Promise<Cell0ReadResult<T>> {
  const cell0 = await findCell0(deps);
  if (!cell0) return { state: 'unmapped', asOf: deps.now() };
  const outcome = await askOneCellOutcome(deps, cell0, work);
  const ref = { uuid: cell0.uuid, name: cell0.name };
  if (outcome.status === 'up') {
    if (opts.counts) await rememberFigures(deps, 'cell0-counts', [outcome], opts.counts);
    return { state: 'up', cell0: ref, asOf: deps.now(), data: outcome.value };
  }
  const [unknownCount, seen] = await Promise.all([
    countUnknownInCell0(deps, cell0.id),
    rememberFigures<T, Cell0Counts>(deps, 'cell0-counts', [outcome], () => null),
  ]);
  return {
    state: 'down',
    cell0: ref,
    asOf: deps.now(),
    down: [downCell(outcome)],
    unknownCount,
    lastKnown: seen.get(cell0.uuid) ?? null,
  };
}

function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regular expression every instance_extra.flavor holding this flavor name matches.
 * nova writes JSON with ensure_ascii, so a non-ASCII name is stored escaped: then there is
 * no safe textual narrowing and the exact test alone decides.
 */
export function flavorPrefilter(name: string): string | null {
  if (!/^[\x20-\x7e]*$/.test(name)) return null;
  return `"name"\\s*:\\s*${escapeRegex(JSON.stringify(name))}`;
}

/**
 * The WHERE clause over `instances i` with the latest fault `f` and the latest extra `e`
 * joined: live rows (deleted = 0), never the VIF migration's fake instance, and the
 * filters. Flavor and group are narrowed here and decided exactly by `matchesExactly`.
 */
export function liveCell0Where(sql: postgres.Sql, f: Cell0Filters) {
  const flavorRe = f.flavor ? flavorPrefilter(f.flavor) : null;
  return sql`i.deleted = 0 and i.uuid <> ${FAKE_INSTANCE_UUID}
    ${f.project ? sql`and i.project_id = ${f.project}` : sql``}
    ${f.fault ? sql`and strpos(lower(coalesce(f.message, '')), lower(${f.fault})) > 0` : sql``}
    ${flavorRe ? sql`and e.flavor ~ ${flavorRe}` : sql``}
    ${f.group ? (f.group === NO_FAULT_KEY ? sql`and f.id is null` : sql`and f.message ~ ${groupPrefilter(f.group)}`) : sql``}`;
}

/** Whether the filters need a test SQL cannot make exactly (flavor name, normalised text). */
export function needsExactFilter(f: Cell0Filters): boolean {
  return Boolean(f.flavor || f.group);
}

export function matchesExactly(f: Cell0Filters, row: { flavor: string | null; message: string | null }): boolean {
  if (f.flavor && readFlavorFromPrimitive(row.flavor)?.name !== f.flavor) return false;
  if (f.group && normaliseFault(row.message) !== f.group) return false;
  return true;
}
