import 'server-only';
/**
 * Last-known figures (cellar.cell_figures): what each cell answered last time it answered,
 * per kind of figure, so a page shows a down cell's figures marked stale with their time
 * instead of "unknown" (issue 11).
 *
 * `rememberFigures` is called by every domain function that shows a per-cell figure, with
 * its fan-out's outcomes: the figures of the cells that answered are written in ONE
 * statement (an upsert per (cell, kind)), and the last value of the cells that did not is
 * read in ONE query; both at once. Values are stored as superjson, so dates come back as
 * dates. The memory is a help, never a condition: when it cannot be written or read (a
 * hiccup of the api database) the page still shows what the cells answered now, and the
 * down cells show no last value.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import superjson, { type SuperJSONResult } from 'superjson';
import { cellFigures } from '@/db/api/schema';
import type { CellOutcome } from '@/db/fanout';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { log } from '../log';
import type { CellSummary, LastKnown } from './cell-ref';

export type { LastKnown } from './cell-ref';

/** The kinds of figure kept, one row per cell and kind. */
export const FIGURE_KINDS = [
  /** The cells page: live instances and compute nodes (list-cells). */
  'cell-figures',
  /** The cells page and a cell's page: capacity and flavor slots (boot/capacity). */
  'capacity',
  /** A cell's page: live instances, compute nodes with their services, capacity (cell-detail). */
  'cell-detail',
  /** The unmapped computes of a cell (hosts/unmapped-computes). */
  'unmapped-computes',
  /** The checks' facts of a cell: compute nodes and nova-compute services (checks). */
  'check-facts',
  /** cell0's live instances and fault groups (triage). */
  'cell0-counts',
] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];

type Deps0 = Pick<Deps, 'api' | 'now'>;

/**
 * Keep the figures of the cells that answered, and recall those of the cells that did not.
 * `pick` takes what is kept from an answer (null: nothing worth keeping, e.g. an empty
 * database). Answers the last value and its time for each down cell that has one.
 */
export async function rememberFigures<T, V>(
  deps: Deps0,
  kind: FigureKind,
  outcomes: readonly CellOutcome<T>[],
  pick: (value: T, cell: CellSummary) => V | null | undefined,
): Promise<Map<string, LastKnown<V>>> {
  const observedAt = deps.now();
  const up = outcomes.flatMap((o) => {
    if (o.status !== 'up') return [];
    const v = pick(o.value, o.cell);
    return v === null || v === undefined ? [] : [{ cellUuid: o.cell.uuid, kind, observedAt, value: superjson.serialize(v) }];
  });
  const down = outcomes.filter((o) => o.status === 'down').map((o) => o.cell.uuid);
  const [, recalled] = await Promise.all([writeFigures(deps, kind, up), recallFigures<V>(deps, kind, down)]);
  return recalled;
}

async function writeFigures(deps: Deps0, kind: FigureKind, rows: { cellUuid: string; kind: string; observedAt: Date; value: SuperJSONResult }[]) {
  if (rows.length === 0) return;
  try {
    // One statement for every cell that answered.
    await deps.api.db
      .insert(cellFigures)
      .values(rows)
      .onConflictDoUpdate({
        target: [cellFigures.cellUuid, cellFigures.kind],
        set: { value: sql`excluded.value`, observedAt: sql`excluded.observed_at` },
      });
  } catch (err) {
    log.warn({ err, kind, cells: rows.length }, 'could not keep the last-known figures');
  }
}

/** The last value of these cells' figures of one kind, and when it was seen: one query. */
export async function recallFigures<V>(deps: Pick<Deps, 'api'>, kind: FigureKind, cellUuids: readonly string[]): Promise<Map<string, LastKnown<V>>> {
  const out = new Map<string, LastKnown<V>>();
  if (cellUuids.length === 0) return out;
  try {
    const rows = await deps.api.db
      .select()
      .from(cellFigures)
      .where(and(eq(cellFigures.kind, kind), inArray(cellFigures.cellUuid, [...cellUuids])));
    for (const r of rows) {
      const observedAt = utcDate(r.observedAt);
      if (!observedAt) continue;
      try {
        out.set(r.cellUuid, { value: superjson.deserialize<V>(r.value as SuperJSONResult), observedAt });
      } catch {
        // A value this code cannot read (written by another version) is no last value.
      }
    }
  } catch (err) {
    log.warn({ err, kind, cells: cellUuids.length }, 'could not read the last-known figures');
  }
  return out;
}
