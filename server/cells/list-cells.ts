import 'server-only';
import { loaderOn } from '@/db/coalesce';
import type { ApiHandle, CellHandle } from '@/db/connect';
import { fanOut } from '@/db/fanout';
import { cellSchemaStatus, type SchemaStatus } from '@/db/migrate';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID } from '../nova/constants';
import { type DownCell, downCell, type LastKnown } from './cell-ref';
import { rememberFigures } from './last-known';
import { chooseCells, publicCell, readCellMappings } from './mappings';

export interface CellFigures {
  liveInstances: number;
  computeNodes: number;
}

/** A cell mapping as the api database has it, with its host mappings: a row of the cells page before its cell is asked. */
export interface CellMappingRow extends ReturnType<typeof publicCell> {
  hostMappings: number;
}

interface CellListCommon extends CellMappingRow {
  /** How long the cell took to answer, or to be given up on. */
  elapsedMs: number;
}

/** What the cells page keeps of a cell's answer, shown while it does not answer. */
export interface CellListLastKnown {
  figures: CellFigures | null;
  schema: SchemaStatus;
}

/** A cell that answered, or a down cell (`DownCell`) with what the api database still knows. */
export type CellListRow = CellListCommon &
  (
    | { status: 'up'; reason: null; message: null; figures: CellFigures | null; schema: SchemaStatus; lastKnown: null }
    | (DownCell & {
        status: 'down';
        figures: null;
        schema: null;
        /** Its figures and schema from the last time it answered, and when (cellar.cell_figures). */
        lastKnown: LastKnown<CellListLastKnown> | null;
      })
  );

export interface CellList {
  /** The cells asked (every cell, or those of `cellUuids`), in nova's id order. */
  cells: CellListRow[];
  /**
   * Asked for no cell (`cellUuids: []`): every cell mapping with its host mappings, no cell
   * asked, the frame a page draws before it asks the cells one by one. Otherwise null.
   */
  frame: CellMappingRow[] | null;
  answered: number;
  total: number;
  asOf: Date;
}

export interface ListCellsOptions {
  /** Ask only these cells (none: every cell; an empty list: none, the frame). */
  cellUuids?: readonly string[] | null;
}

/** The host mappings of each cell, by cell uuid; the cells asked at one moment (a page's per-cell calls) in one query. */
const hostMappingCounts = (api: ApiHandle) =>
  loaderOn<string, number>(api, 'host-mapping-counts', async (uuids) => {
    const rows = await api.sql<{ uuid: string; n: string }[]>`
      select c.uuid, count(h.id)::text as n
      from cell_mappings c left join host_mappings h on h.cell_id = c.id
      where c.uuid = any(${[...new Set(uuids)]}::text[])
      group by c.uuid`;
    const n = new Map(rows.map((r) => [r.uuid, Number(r.n)]));
    return uuids.map((u) => n.get(u) ?? 0);
  });

/** What one cell reports about itself: its schema state, then (when it has tables) its figures. */
async function readCellFigures(handle: CellHandle): Promise<{ figures: CellFigures | null; schema: SchemaStatus }> {
  const schema = await cellSchemaStatus(handle.sql);
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
 * cells keep their last-known figures, marked with the time they were seen. With
 * `cellUuids` only those cells are asked and listed; with an empty list none is asked and
 * the answer is the frame.
 */
export async function listCells(deps: Deps, opts: ListCellsOptions = {}): Promise<CellList> {
  const mappings = await readCellMappings(deps.api);
  const asked = chooseCells(mappings, opts.cellUuids);
  const frameOnly = asked.length === 0 && Array.isArray(opts.cellUuids) && opts.cellUuids.length === 0;
  const counted = frameOnly ? mappings : asked;
  const [hostCounts, outcomes] = await Promise.all([
    Promise.all(counted.map((c) => hostMappingCounts(deps.api).load(c.uuid))),
    fanOut(deps.registry, asked, ({ handle }) => readCellFigures(handle), { deadlineMs: deps.deadlineMs }),
  ]);
  const hosts = new Map(counted.map((c, i) => [c.uuid, hostCounts[i]]));
  const seen = await rememberFigures(deps, 'cell-figures', outcomes, (v): CellListLastKnown => ({ figures: v.figures, schema: v.schema }));

  const cells = asked.map((m, i): CellListRow => {
    const o = outcomes[i]!;
    const base = { ...publicCell(m), hostMappings: hosts.get(m.uuid) ?? 0, elapsedMs: o.elapsedMs };
    if (o.status === 'up') {
      return { ...base, status: 'up', reason: null, message: null, figures: o.value.figures, schema: o.value.schema, lastKnown: null };
    }
    return { ...base, ...downCell(o), status: 'down', figures: null, schema: null, lastKnown: seen.get(m.uuid) ?? null };
  });
  return {
    cells,
    frame: frameOnly ? mappings.map((m) => ({ ...publicCell(m), hostMappings: hosts.get(m.uuid) ?? 0 })) : null,
    answered: outcomes.filter((o) => o.status === 'up').length,
    total: cells.length,
    asOf: deps.now(),
  };
}
