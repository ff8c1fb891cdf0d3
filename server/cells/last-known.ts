import 'server-only';
/**
 * Last-known figures (cellar.cell_figures): what each cell answered last time it answered,
 * per kind of figure, so a page shows a down cell's figures marked stale with their time
 * instead of "unknown" (issue 11).
 *
 * `rememberFigures` is called by every domain function that shows a per-cell figure, with
 * its fan-out's outcomes: the figures of the cells that answered are written in ONE
 * statement (an upsert per (cell, kind)), and the last value of the cells that did not is
 * read in ONE query; both at once, and the calls of one moment (a page asking cell by cell)
 * share them (db/coalesce.ts). Values are stored as superjson, so dates come back as
 * dates. The memory is a help, never a condition: when it cannot be written or read (a
 * hiccup of the api database) the page still shows what the cells answered now, and the
 * down cells show no last value.
 */
import { and, inArray, sql } from 'drizzle-orm';
import superjson, { type SuperJSONResult } from 'superjson';
import { cellFigures } from '@/db/api/schema';
import { loaderOn } from '@/db/coalesce';
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

type FigureRow = { cellUuid: string; kind: string; observedAt: Date; value: SuperJSONResult };

/** Rows written within WRITE_WINDOW_MS of each other (a page's cells answering one by one) go in one statement. */
const WRITE_WINDOW_MS = 5;

async function writeFigures(deps: Deps0, kind: FigureKind, rows: FigureRow[]) {
  if (rows.length === 0) return;
  try {
    await figureWriter(deps.api).loadMany(rows);
  } catch (err) {
    log.warn({ err, kind, cells: rows.length }, 'could not keep the last-known figures');
  }
}

const figureWriter = (api: Deps['api']) =>
  loaderOn<FigureRow, null>(
    api,
    'cell-figures-write',
    async (rows) => {
      // One row per (cell, kind): an upsert may not touch a row twice. The newest wins.
      const newest = new Map<string, FigureRow>();
      for (const r of rows) {
        const key = `${r.cellUuid}\u0000${r.kind}`;
        const had = newest.get(key);
        if (!had || had.observedAt <= r.observedAt) newest.set(key, r);
      }
      try {
        await api.db
          .insert(cellFigures)
          .values([...newest.values()])
          .onConflictDoUpdate({
            target: [cellFigures.cellUuid, cellFigures.kind],
            set: { value: sql`excluded.value`, observedAt: sql`excluded.observed_at` },
          });
      } catch (err) {
        log.warn({ err, cells: newest.size }, 'could not keep the last-known figures');
      }
      return rows.map(() => null);
    },
    { windowMs: WRITE_WINDOW_MS },
  );

/** The last value of these cells' figures of one kind, and when it was seen: one query for the calls of one moment. */
export async function recallFigures<V>(deps: Pick<Deps, 'api'>, kind: FigureKind, cellUuids: readonly string[]): Promise<Map<string, LastKnown<V>>> {
  const out = new Map<string, LastKnown<V>>();
  if (cellUuids.length === 0) return out;
  try {
    const rows = await figureReader(deps.api).loadMany(cellUuids.map((cellUuid) => ({ kind, cellUuid })));
    for (const r of rows) {
      if (r instanceof Error) throw r;
      if (!r) continue;
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

const figureReader = (api: Deps['api']) =>
  loaderOn<{ kind: string; cellUuid: string }, typeof cellFigures.$inferSelect | null>(api, 'cell-figures-read', async (keys) => {
    const rows = await api.db
      .select()
      .from(cellFigures)
      .where(and(inArray(cellFigures.kind, [...new Set(keys.map((k) => k.kind))]), inArray(cellFigures.cellUuid, [...new Set(keys.map((k) => k.cellUuid))])));
    const byKey = new Map(rows.map((r) => [`${r.cellUuid}\u0000${r.kind}`, r]));
    return keys.map((k) => byKey.get(`${k.cellUuid}\u0000${k.kind}`) ?? null);
  });
