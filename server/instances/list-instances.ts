import 'server-only';
import { fanOut } from '@/db/fanout';
import type { CellRef } from '@/db/registry';
import { utcDate } from '@/db/timestamps';
import { type CellSummary, type DownCell, downCell, type LastKnown } from '../cells/cell-ref';
import { recallFigures } from '../cells/last-known';
import { refuse } from '../errors';
import type { CellListLastKnown } from '../cells/list-cells';
import { chooseCells, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { cellBatchSize, MIN_CELL_BATCH } from './batch-size';
import { readDownCellInstances } from './down-cell-instances';
import { type CellAnswer, mergeCellStreams } from './merge-cell-streams';
import { type CellInstanceRow, type InstanceFilters, readCellBatch } from './read-cell-batch';
import { type ListInstancesInput, listInstancesInput } from './list-instances-input';
import { resolveMarker } from './resolve-marker';
import { comparePositions, type SortSpec } from './sort-order';
import { statusFromState, UNKNOWN_STATUS } from './status';

export interface InstanceRow {
  uuid: string;
  name: string | null;
  cell: CellSummary;
  /** nova's API status (ACTIVE, SHUTOFF, SOFT_DELETED, …). */
  status: string;
  vmState: string | null;
  taskState: string | null;
  powerState: number | null;
  host: string | null;
  node: string | null;
  projectId: string | null;
  userId: string | null;
  availabilityZone: string | null;
  /** From instance_extra.flavor: still there after the flavor was deleted. */
  flavor: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  launchedAt: Date | null;
  /**
   * The row's value of the sort key as the merge compares it (text, microseconds kept), so
   * a page that merges cells' pages itself orders them as the server does (comparePositions).
   */
  sortValue: string | null;
}

/** An instance of a cell that did not answer, as the api database knows it. */
export interface UnknownInstanceRow {
  uuid: string;
  cell: CellSummary;
  status: typeof UNKNOWN_STATUS;
  projectId: string;
  userId: string | null;
  /** The mapping's created_at, as nova's 2.69 `created`. */
  createdAt: Date | null;
}

export interface InstanceListPage {
  rows: InstanceRow[];
  /** First page only: instances of cells that did not answer, placed before the rows as nova does. */
  unknown: UnknownInstanceRow[];
  /** The cells that did not answer, with what the list says of their instances. */
  down: (DownCell & {
    /** It answered the first batch and failed a later one: the page ends at the last row read. */
    onRefill: boolean;
    /** Instances the api database maps to it (within the project filter); null when it failed on a refill. */
    mappedInstances: number | null;
    /** Its UNKNOWN rows are not shown because filters other than project cannot be checked without the cell. */
    unknownOmittedByFilters: boolean;
    /** Its live instances the last time the cells page saw it answer, and when; null when never seen (or failed on a refill). */
    lastKnown: LastKnown<{ liveInstances: number }> | null;
  })[];
  answered: number;
  total: number;
  /** The uuid to ask for the next page with (`marker`), or null at the end. */
  nextMarker: string | null;
  /** The uuid to ask for the previous page with (`before`), or null on the first page. */
  prevMarker: string | null;
  /** Read backwards from `before`: a previous page. */
  backward: boolean;
  /** A cell failed while the page was read; it stops at its last complete row. */
  endedEarly: boolean;
  limit: number;
  sort: SortSpec;
  batchSize: number;
  rounds: number;
  asOf: Date;
}

export interface ListInstancesOptions {
  /** nova's minimum batch (100); tests lower it to make refills happen with small pages. */
  minBatch?: number;
}

function toRow(cell: CellRef, r: CellInstanceRow): InstanceRow {
  return {
    uuid: r.uuid,
    name: r.displayName,
    cell: { uuid: cell.uuid, name: cell.name },
    status: statusFromState(r.vmState, r.taskState),
    vmState: r.vmState,
    taskState: r.taskState,
    powerState: r.powerState,
    host: r.host,
    node: r.node,
    projectId: r.projectId,
    userId: r.userId,
    availabilityZone: r.availabilityZone,
    flavor: readFlavorFromPrimitive(r.flavor)?.name ?? null,
    createdAt: utcDate(r.createdAt),
    updatedAt: utcDate(r.updatedAt),
    launchedAt: utcDate(r.launchedAt),
    sortValue: r.sortValue,
  };
}

function lastLive(seen: LastKnown<CellListLastKnown> | undefined): LastKnown<{ liveInstances: number }> | null {
  const live = seen?.value.figures?.liveInstances;
  return seen && live !== undefined ? { value: { liveInstances: live }, observedAt: seen.observedAt } : null;
}

export async function listInstances(deps: Deps, input: ListInstancesInput, opts: ListInstancesOptions = {}): Promise<InstanceListPage> {
  const q = listInstancesInput.parse(input);
  if (q.marker && q.before) throw refuse.invalid('Give either marker (the page after a row) or before (the page before a row), not both.');
  const backward = Boolean(q.before);
  const started = performance.now();
  const remaining = () => deps.deadlineMs - (performance.now() - started);
  const sort: SortSpec = { key: q.sort, dir: q.dir };
  const filters: InstanceFilters = { projectId: q.projectId, vmState: q.vmState, host: q.host, name: q.name };

  const cells = chooseCells(await readCellMappings(deps.api), q.cellUuids);
  const from = q.marker ?? q.before;
  const after = from ? await resolveMarker(deps, sort, from, remaining()) : null;
  // Backward, one row more than the page says for sure whether it is the first page (the
  // page then goes to the canonical first page, the one with a down cell's UNKNOWN rows).
  const want = backward ? q.limit + 1 : q.limit;
  const batchSize = cellBatchSize(want, cells.length, opts.minBatch ?? MIN_CELL_BATCH);

  const merged = await mergeCellStreams<CellRef, CellInstanceRow, DownCell>({
    cells,
    after,
    limit: want,
    batchSize,
    // Backward, the merge walks the mirrored order, nearest to the marker first.
    compare: backward ? (a, b) => comparePositions(sort.dir, b, a) : (a, b) => comparePositions(sort.dir, a, b),
    fetchRound: async (asks) => {
      const budget = remaining();
      if (budget <= 0) {
        return asks.map(({ cell }) => ({
          ok: false,
          down: { uuid: cell.uuid, name: cell.name, reason: 'timeout', message: `no answer within ${deps.deadlineMs} ms`, elapsedMs: 0 },
        }));
      }
      const byCell = new Map(asks.map((a) => [a.cell.uuid, a]));
      const outcomes = await fanOut(
        deps.registry,
        asks.map((a) => a.cell),
        ({ cell, handle }) => {
          const ask = byCell.get(cell.uuid)!;
          return readCellBatch(handle.sql, { sort, filters, after: ask.after, limit: ask.limit, backward });
        },
        { deadlineMs: budget },
      );
      return outcomes.map(
        (o): CellAnswer<CellInstanceRow, DownCell> =>
          o.status === 'up'
            ? { ok: true, rows: o.value }
            : {
                ok: false,
                down: {
                  ...downCell(o),
                  // The budget left for a round is not the deadline people configured.
                  message: o.reason === 'timeout' ? `no answer within ${deps.deadlineMs} ms` : o.message,
                },
              },
      );
    },
  });

  const downAtStart = merged.failed.filter((f) => !f.onRefill);
  // Down-cell rows cannot be checked against vm_state, host or name; nova drops them then too.
  const onlyProjectFilter = !filters.vmState && !filters.host && !filters.name;
  const [mapped, seen] = await Promise.all([
    readDownCellInstances(
      deps.api,
      downAtStart.map((f) => f.cell.id),
      { projectId: filters.projectId, perCell: !from && onlyProjectFilter ? q.limit : 0 },
    ),
    recallFigures<CellListLastKnown>(
      deps,
      'cell-figures',
      downAtStart.map((f) => f.cell.uuid),
    ),
  ]);

  const unknown: UnknownInstanceRow[] = downAtStart.flatMap((f) =>
    (mapped.get(f.cell.id)?.rows ?? []).map((m) => ({
      uuid: m.uuid,
      cell: { uuid: f.cell.uuid, name: f.cell.name },
      status: UNKNOWN_STATUS,
      projectId: m.projectId,
      userId: m.userId,
      createdAt: m.createdAt,
    })),
  );
  const down: InstanceListPage['down'] = merged.failed.map((f) => ({
    ...f.down,
    onRefill: f.onRefill,
    mappedInstances: f.onRefill ? null : (mapped.get(f.cell.id)?.count ?? 0),
    unknownOmittedByFilters: !f.onRefill && !onlyProjectFilter,
    lastKnown: lastLive(f.onRefill ? undefined : seen.get(f.cell.uuid)),
  }));

  const read = merged.rows.map(({ cell, row }) => toRow(cell, row));
  const rows = read.slice(0, q.limit);
  const more = backward ? read.length > q.limit || merged.endedEarly : merged.more;
  // A backward page was read nearest the marker first: shown in the list's order.
  if (backward) rows.reverse();
  const first = rows[0]?.uuid ?? null;
  const last = rows[rows.length - 1]?.uuid ?? null;
  return {
    rows,
    unknown,
    down,
    answered: cells.length - merged.failed.length,
    total: cells.length,
    // Past a marker there are rows on its side: the marker's own row at least.
    nextMarker: backward ? last : more ? last : null,
    // An empty page after a marker (the list ended on a full page) goes back from the marker.
    prevMarker: backward ? (more ? first : null) : q.marker ? (first ?? q.marker) : null,
    backward,
    endedEarly: merged.endedEarly,
    limit: q.limit,
    sort,
    batchSize,
    rounds: merged.rounds,
    asOf: deps.now(),
  };
}
