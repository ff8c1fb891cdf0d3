/**
 * The checks report from what was read: the api side (cell and host mappings, who made the
 * schema) and one view per cell. Pure and browser-safe, so `cellar status` (run-checks) and
 * the checks page, which asks every cell on its own and composes the report again as each
 * answers, compute the very same checks. A cell still being asked (`pending`) is compared
 * with nothing, as a down cell, but is not counted as down.
 */
import { cellLabel, type CellSummary } from '../cells/cell-ref';
import { CELL0_UUID, SERVICE_VERSION } from '../nova/constants';
import { cellsV2Check } from './cells-v2-check';
import { type CellView, type Drift, driftChecks, findDrift, type HostMappingRow } from './drift';
import { type ComputeVersion, type OldComputes, oldComputesCheck } from './old-computes';
import { type Check, type CheckResult, RESULT_CODE, type ResultCode, worstResult } from './result';

/** The api database's side of the checks: read once, compared with every cell's view. */
export interface ChecksContext {
  /** Every cell mapping, in nova's id order. */
  cellMappings: CellSummary[];
  hostMappings: HostMappingRow[];
  /** The api database's schema was made by nova: its own service versions say which nova it is. */
  novaMade: boolean;
  /** nova's [DEFAULT]service_down_time. */
  serviceDownTimeS: number;
}

export interface ChecksReport {
  /** nova-status's checks first (Cells v2, Older than N-1 computes), then Cellar's drift checks. */
  checks: Check[];
  result: CheckResult;
  /** What `cellar status` exits with: 0 success, 1 warning, 2 failure. */
  exitCode: ResultCode;
  drift: Drift;
  oldComputes: Omit<OldComputes, 'check'>;
  /** Cells asked and answered (a cell still being asked is in `total`, not in `answered`). */
  cells: { answered: number; total: number };
  asOf: Date;
}

/** The report over `cells` (one view per cell mapping; a mapping without a view is not counted). */
export function composeChecks(context: ChecksContext, cells: readonly CellView[], now: Date): ChecksReport {
  const readable = cells.flatMap((c) => (c.status === 'up' && c.hosts ? [{ cell: c.cell, hosts: c.hosts }] : []));
  const unread = cells.filter((c) => c.status !== 'up' || !c.hosts).map((c) => c.cell);

  const cellsV2 = cellsV2Check({
    cellMappings: context.cellMappings,
    hostMappingCount: context.hostMappings.length,
    computeNodes: readable.filter((c) => c.cell.uuid !== CELL0_UUID).reduce((n, c) => n + c.hosts.computeNodes, 0),
    uncounted: unread.filter((c) => c.uuid !== CELL0_UUID).map(cellLabel),
  });

  const computes: ComputeVersion[] = readable.flatMap((c) =>
    c.hosts.computeServices.map((s) => ({ cell: c.cell, host: s.host, version: s.version, forcedDown: s.forcedDown })),
  );
  // A deployment nova made is judged by its own nova: the newest service version in it.
  const seen = readable.flatMap((c) => [c.hosts.newestControlVersion ?? 0, ...c.hosts.computeServices.map((s) => s.version)]).filter((v) => v > 0);
  const current = context.novaMade && seen.length > 0 ? Math.max(...seen) : SERVICE_VERSION;
  const { check: oldComputes, ...oldComputesFacts } = oldComputesCheck(computes, unread.map(cellLabel), current);

  const drift = findDrift({ cells, hostMappings: context.hostMappings, now, serviceDownTimeS: context.serviceDownTimeS });
  const checks = [cellsV2, oldComputes, ...driftChecks(drift)];
  const result = worstResult(checks);
  return {
    checks,
    result,
    exitCode: RESULT_CODE[result],
    drift,
    oldComputes: oldComputesFacts,
    cells: { answered: cells.filter((c) => c.status === 'up').length, total: cells.length },
    asOf: now,
  };
}
