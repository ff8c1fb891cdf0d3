import 'server-only';
/**
 * Which cells answer, for the host mappings page (deleting a mapping needs its cell's
 * database): every cell at once under the deadline, or only `cellUuids` (the page asks
 * each cell on its own, a Retry asks one). The api database is not probed here: the page
 * read its mappings from it a moment ago, and /api/health is the liveness check.
 */
import { fanOut } from '@/db/fanout';
import { type DownCell, downCell } from '../cells/cell-ref';
import { chooseCells, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';

export interface CellReachability {
  uuid: string;
  name: string | null;
  status: 'up' | 'down';
  elapsedMs: number;
  /** The fan-out's reason when down, else null. */
  reason: DownCell['reason'] | null;
  /** When down: the down cell, with what the memory of cell health knows of it. */
  down: DownCell | null;
}

export interface ReachabilityReport {
  status: 'ok' | 'degraded';
  cells: CellReachability[];
  answered: number;
  total: number;
  asOf: Date;
}

export async function cellReachability(deps: Deps, opts: { cellUuids?: readonly string[] | null } = {}): Promise<ReachabilityReport> {
  const cells = chooseCells(await readCellMappings(deps.api), opts.cellUuids);
  const outcomes = await fanOut(deps.registry, cells, async ({ handle }) => handle.sql`select 1`, { deadlineMs: deps.deadlineMs });
  const report = outcomes.map(
    (o): CellReachability => ({
      uuid: o.cell.uuid,
      name: o.cell.name,
      status: o.status,
      elapsedMs: o.elapsedMs,
      reason: o.status === 'down' ? o.reason : null,
      down: o.status === 'down' ? downCell(o) : null,
    }),
  );
  const answered = report.filter((c) => c.status === 'up').length;
  return { status: answered === report.length ? 'ok' : 'degraded', cells: report, answered, total: report.length, asOf: deps.now() };
}
