import 'server-only';
import { sql } from 'drizzle-orm';
import { cellObservations } from '@/db/api/schema';
import type { CellHandle } from '@/db/connect';
import { fanOut } from '@/db/fanout';
import { readSchemaStatus, type SchemaStatus } from '@/db/migrate';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID } from '../nova/constants';
import { type DownCell, downCell } from './cell-ref';
import { publicCell, readCellMappings } from './mappings';

export interface CellFigures {
  liveInstances: number;
  computeNodes: number;
}

interface CellListCommon extends ReturnType<typeof publicCell> {
  hostMappings: number;
  /** How long the cell took to answer, or to be given up on. */
  elapsedMs: number;
}

/** A cell that answered, or a down cell (`DownCell`) with what the api database still knows. */
export type CellListRow = CellListCommon &
  (
    | { status: 'up'; reason: null; message: null; figures: CellFigures | null; schema: SchemaStatus; lastKnown: null }
    | (DownCell & {
        status: 'down';
        figures: null;
        schema: null;
        /** The last figures seen while it answered, and when. */
        lastKnown: { figures: CellFigures; observedAt: Date } | null;
      })
  );

export interface CellList {
  cells: CellListRow[];
  answered: number;
  total: number;
  asOf: Date;
}

/** What one cell reports about itself: its schema state, then (when it has tables) its figures. */
async function readCellFigures(handle: CellHandle): Promise<{ figures: CellFigures | null; schema: SchemaStatus }> {
  const schema = await readSchemaStatus(handle.sql, 'cell');
  // An empty database is up but has nothing to count; it is reported as such, never migrated here.
  // Nothing to count in an empty database, and nothing safe to read where a column Cellar reads is missing.
  if (schema.state === 'uninitialised' || schema.state === 'incomplete') return { figures: null, schema };
  const [row] = await handle.sql<{ live: string; nodes: string }[]>`
    select
      (select count(*) from instances
        where deleted = 0 and coalesce(vm_state, '') <> 'soft-delete'
          and not coalesce(hidden, false) and uuid <> ${FAKE_INSTANCE_UUID})::text as live,
      (select count(*) from compute_nodes where deleted = 0)::text as nodes`;
  return { figures: { liveInstances: Number(row!.live), computeNodes: Number(row!.nodes) }, schema };
}

/**
 * The cells list (the console's home): every cell mapping with masked URLs, its host
 * mappings (api database) and what the cell itself answers within the deadline. Down
 * cells keep their last-known figures, marked with the time they were seen.
 */
export async function listCells(deps: Deps): Promise<CellList> {
  const mappings = await readCellMappings(deps.api);
  const [hostCounts, observations, outcomes] = await Promise.all([
    deps.api.sql<{ uuid: string; n: string }[]>`
      select c.uuid, count(h.id)::text as n
      from cell_mappings c left join host_mappings h on h.cell_id = c.id
      group by c.uuid`,
    deps.api.db.select().from(cellObservations),
    fanOut(deps.registry, mappings, ({ handle }) => readCellFigures(handle), { deadlineMs: deps.deadlineMs }),
  ]);
  const hosts = new Map(hostCounts.map((r) => [r.uuid, Number(r.n)]));
  const seen = new Map(observations.map((o) => [o.cellUuid, o]));

  const up = outcomes.flatMap((o) => (o.status === 'up' && o.value.figures ? [{ uuid: o.cell.uuid, figures: o.value.figures }] : []));
  if (up.length > 0) {
    // One statement for all cells that answered.
    await deps.api.db
      .insert(cellObservations)
      .values(up.map((u) => ({ cellUuid: u.uuid, figures: { ...u.figures }, observedAt: deps.now() })))
      .onConflictDoUpdate({
        target: cellObservations.cellUuid,
        set: { figures: sql`excluded.figures`, observedAt: sql`excluded.observed_at` },
      });
  }

  const cells = mappings.map((m, i): CellListRow => {
    const o = outcomes[i]!;
    const base = { ...publicCell(m), hostMappings: hosts.get(m.uuid) ?? 0, elapsedMs: o.elapsedMs };
    if (o.status === 'up') {
      return { ...base, status: 'up', reason: null, message: null, figures: o.value.figures, schema: o.value.schema, lastKnown: null };
    }
    const last = seen.get(m.uuid);
    return {
      ...base,
      ...downCell(o),
      status: 'down',
      figures: null,
      schema: null,
      lastKnown: last ? { figures: last.figures as unknown as CellFigures, observedAt: utcDate(last.observedAt)! } : null,
    };
  });
  return { cells, answered: outcomes.filter((o) => o.status === 'up').length, total: cells.length, asOf: deps.now() };
}
