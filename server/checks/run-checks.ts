import 'server-only';
import { fanOut } from '@/db/fanout';
import { utcDate } from '@/db/timestamps';
import { cellLabel, downCell } from '../cells/cell-ref';
import { readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { isNovaMade } from '@/db/schema-owner';
import { CELL0_UUID, SERVICE_VERSION } from '../nova/constants';
import { readCellFacts } from './cell-facts';
import { cellsV2Check } from './cells-v2-check';
import { type CellView, type Drift, driftChecks, findDrift, type HostMappingRow } from './drift';
import { type ComputeVersion, type OldComputes, oldComputesCheck } from './old-computes';
import { type Check, type CheckResult, RESULT_CODE, type ResultCode, worstResult } from './result';

export interface ChecksReport {
  /** nova-status's checks first (Cells v2, Older than N-1 computes), then Cellar's drift checks. */
  checks: Check[];
  result: CheckResult;
  /** What `cellar status` exits with: 0 success, 1 warning, 2 failure. */
  exitCode: ResultCode;
  drift: Drift;
  oldComputes: Omit<OldComputes, 'check'>;
  cells: { answered: number; total: number };
  asOf: Date;
}

/**
 * `nova-status upgrade check`'s cells checks plus Cellar's drift lists. Reads the api
 * database (cell and host mappings), then asks every cell at once, under the deadline, for
 * its schema state, compute-node hosts and nova-compute services; everything else is
 * compared in memory. Read-only: nothing is fixed or migrated here.
 */
export async function runChecks(deps: Deps): Promise<ChecksReport> {
  const mappings = await readCellMappings(deps.api);
  const [hostRows, outcomes, novaMade] = await Promise.all([
    deps.api.sql<{ id: number; host: string; cell_uuid: string; created_at: string | null }[]>`
      select h.id, h.host, c.uuid as cell_uuid, h.created_at::text as created_at
      from host_mappings h join cell_mappings c on c.id = h.cell_id`,
    fanOut(deps.registry, mappings, ({ handle }) => readCellFacts(handle), { deadlineMs: deps.deadlineMs }),
    isNovaMade(deps.api.sql),
  ]);
  const hostMappings: HostMappingRow[] = hostRows.map((r) => ({ id: r.id, host: r.host, cellUuid: r.cell_uuid, createdAt: utcDate(r.created_at) }));

  const cells: CellView[] = outcomes.map((o) =>
    o.status === 'up'
      ? { cell: o.cell, status: 'up', schema: o.value.schema, hosts: o.value.hosts, unreadable: o.value.unreadable }
      : { cell: o.cell, status: 'down', down: downCell(o) },
  );
  const readable = cells.flatMap((c) => (c.status === 'up' && c.hosts ? [{ cell: c.cell, hosts: c.hosts }] : []));
  const unread = cells.filter((c) => c.status === 'down' || !c.hosts).map((c) => c.cell);

  const cellsV2 = cellsV2Check({
    cellMappings: mappings,
    hostMappingCount: hostMappings.length,
    computeNodes: readable.filter((c) => c.cell.uuid !== CELL0_UUID).reduce((n, c) => n + c.hosts.computeNodes, 0),
    uncounted: unread.filter((c) => c.uuid !== CELL0_UUID).map(cellLabel),
  });

  const computes: ComputeVersion[] = readable.flatMap((c) =>
    c.hosts.computeServices.map((s) => ({ cell: c.cell, host: s.host, version: s.version, forcedDown: s.forcedDown })),
  );
  // A deployment nova made is judged by its own nova: the newest service version in it.
  const seen = readable.flatMap((c) => [c.hosts.newestControlVersion ?? 0, ...c.hosts.computeServices.map((s) => s.version)]).filter((v) => v > 0);
  const current = novaMade && seen.length > 0 ? Math.max(...seen) : SERVICE_VERSION;
  const { check: oldComputes, ...oldComputesFacts } = oldComputesCheck(computes, unread.map(cellLabel), current);

  const drift = findDrift({ cells, hostMappings, now: deps.now(), serviceDownTimeS: deps.serviceDownTimeS });
  const checks = [cellsV2, oldComputes, ...driftChecks(drift)];
  const result = worstResult(checks);
  return {
    checks,
    result,
    exitCode: RESULT_CODE[result],
    drift,
    oldComputes: oldComputesFacts,
    cells: { answered: outcomes.filter((o) => o.status === 'up').length, total: outcomes.length },
    asOf: deps.now(),
  };
}
