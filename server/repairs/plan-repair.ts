import 'server-only';
/**
 * A repair's dry run: the rows it would change (or, for the kinds Cellar only reports,
 * the rows and what to run), the cells that did not answer, and whether a run would be
 * refused by the limit. Reads only.
 */
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { findArchivedMappings } from './find-archived-mappings';
import { findMappedComputeNodes } from './find-mapped-compute-nodes';
import { findOrphanMappings, ORPHAN_AFTER_MINUTES } from './find-orphan-mappings';
import { findPlacedBuildRequests, PLACED_AFTER_MINUTES } from './find-placed-build-requests';
import { findStaleHostMappings } from './find-stale-host-mappings';
import { repairCells } from './repair-cells';
import { DEFAULT_REPAIR_LIMIT, REPAIR_INFO, type RepairKind, type RepairPlan, type RepairRow, repairFixes } from './repair-kinds';

export interface PlanOptions {
  kind: RepairKind;
  cellUuid?: string;
  limit?: number;
}

type Found = { rows: RepairRow[]; more: boolean; down?: RepairPlan['down'] };

async function find(deps: Deps, kind: RepairKind, cellUuid: string | undefined): Promise<Found> {
  switch (kind) {
    case 'orphan_instance_mappings':
      if (cellUuid) throw refuse.invalid('Orphaned instance mappings have no cell: --cell_uuid does not apply to orphan_instance_mappings.');
      return findOrphanMappings(deps);
    case 'placed_build_requests': {
      const cell = cellUuid ? (await repairCells(deps, cellUuid, { withCell0: true }))[0]! : null;
      return findPlacedBuildRequests(deps, cell);
    }
    case 'mapped_compute_nodes':
      return findMappedComputeNodes(deps, await repairCells(deps, cellUuid, { withCell0: false }));
    case 'stale_host_mappings':
      return findStaleHostMappings(deps, await repairCells(deps, cellUuid, { withCell0: true }));
    case 'archived_instance_mappings':
      return findArchivedMappings(deps, await repairCells(deps, cellUuid, { withCell0: true }));
  }
}

export async function planRepair(deps: Deps, opts: PlanOptions): Promise<RepairPlan> {
  const limit = opts.limit ?? DEFAULT_REPAIR_LIMIT;
  const found = await find(deps, opts.kind, opts.cellUuid);
  const fixes = repairFixes(opts.kind);
  return {
    kind: opts.kind,
    fixes,
    rows: found.rows,
    more: found.more,
    down: found.down ?? [],
    limit,
    overLimit: fixes && (found.more || found.rows.length > limit),
    olderThanMinutes: opts.kind === 'orphan_instance_mappings' ? ORPHAN_AFTER_MINUTES : opts.kind === 'placed_build_requests' ? PLACED_AFTER_MINUTES : null,
    asOf: deps.now(),
  };
}

/** The typed refusal of a run over its limit: how many rows, and the flag to pass. */
export function overLimitRefusal(plan: Pick<RepairPlan, 'kind' | 'rows' | 'more' | 'limit'>) {
  const n = plan.rows.length;
  const count = plan.more ? `more than ${n.toLocaleString('en')}` : n.toLocaleString('en');
  const title = REPAIR_INFO[plan.kind].title.toLowerCase();
  const advice = plan.more
    ? `Run it with --limit ${n} (the most one run changes) and again until nothing is left.`
    : `Run it with --limit ${n} to change them all.`;
  return refuse.precondition(
    `Refused: ${count} ${title} would change, more than the limit of ${plan.limit.toLocaleString('en')}; nothing was changed. ${advice}`,
    1,
    { rows: n, more: plan.more, limit: plan.limit },
  );
}
