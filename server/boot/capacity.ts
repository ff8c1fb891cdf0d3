import 'server-only';
import { coalesced } from '@/db/coalesce';
/**
 * Per-cell capacity and flavor slots (seed 001: "schedule an instance to a cell based on
 * flavor slots available"), the figures of the cells page. For every cell except cell0,
 * read through fanOut under the deadline: its live compute nodes as the scheduler reads
 * them, under nova's capacity model (nova/capacity.ts) with the configured initial
 * allocation ratios, summed by cell-capacity.ts over all live nodes, the schedulable
 * ones (nova-compute up and enabled, host mapped to the cell) and the unmapped ones;
 * then for each enabled flavor how many more instances fit, per node with the
 * scheduler's own fit (the smallest floor(free / need) over vCPUs, RAM and disk),
 * summed over the nodes.
 *
 * Slots on hosts not yet in host_mappings are counted apart: the scheduler may pick
 * them, but a boot placed there ends in cell0 until discover_hosts maps the host.
 */
import { asc, eq, or, isNull } from 'drizzle-orm';
import { flavors } from '@/db/api/schema';
import { type CellCapacityFigures, cellCapacityFigures, type PlacedNode } from '../cells/cell-capacity';
import { type DownCell, downCell, type LastKnown } from '../cells/cell-ref';
import { rememberFigures } from '../cells/last-known';
import { chooseCells, publicCell, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { type AllocationRatios, flavorNeed, type Need, slotsOnNode } from '../nova/capacity';
import { isCell0 } from '../nova/constants';
import { readComputeNodes, readHostCells } from './compute-nodes';
import { type CapacityOptions, initialAllocationRatios } from './fit';

export interface FlavorSlots {
  flavorId: number;
  name: string;
  flavorid: string;
  need: Need;
  /** More instances that fit on schedulable nodes of mapped hosts. */
  slots: number;
  /** More that fit on schedulable nodes of hosts with no host mapping yet. */
  unmappedSlots: number;
}

export interface CellCapacityReportFigures extends CellCapacityFigures {
  flavors: FlavorSlots[];
}

interface CellCapacityBase {
  cell: ReturnType<typeof publicCell>;
  /** How long the cell took to answer, or to be given up on. */
  elapsedMs: number;
}

export type CellCapacity =
  | (CellCapacityBase & { status: 'up'; down: null; figures: CellCapacityReportFigures; lastKnown: null })
  | (CellCapacityBase & {
      status: 'down';
      down: DownCell;
      figures: null;
      /** Its capacity and flavor slots the last time it answered, and when (cellar.cell_figures). */
      lastKnown: LastKnown<CellCapacityReportFigures> | null;
    });

export interface CapacityReport {
  cells: CellCapacity[];
  /** Sum over enabled cells that answered. */
  totals: { flavors: { flavorId: number; name: string; slots: number; unmappedSlots: number }[] };
  flavors: { flavorId: number; name: string; flavorid: string; need: Need }[];
  /** The ratios used for nodes that store none (CELLAR_INITIAL_*_ALLOCATION_RATIO). */
  initialAllocationRatios: AllocationRatios;
  asOf: Date;
}

export interface CellCapacityOptions {
  /** Ask only these cells (none: every cell but cell0). */
  cellUuids?: readonly string[] | null;
}

export async function cellCapacity(deps: Deps & CapacityOptions, opts: CellCapacityOptions = {}): Promise<CapacityReport> {
  const initial = initialAllocationRatios(deps);
  const [mappings, flavorRows] = await Promise.all([
    readCellMappings(deps.api),
    // A page's per-cell capacity calls share it (db/coalesce.ts).
    coalesced(deps.api, 'enabled-flavors', () =>
      deps.api.db
        .select()
        .from(flavors)
        .where(or(eq(flavors.disabled, false), isNull(flavors.disabled)))
        .orderBy(asc(flavors.memoryMb), asc(flavors.vcpus), asc(flavors.name)),
    ),
  ]);
  const cells = chooseCells(mappings, opts.cellUuids).filter((c) => !isCell0(c.uuid));
  const flavorNeeds = flavorRows.map((f) => ({ flavorId: f.id, name: f.name, flavorid: f.flavorid, need: flavorNeed(f) }));
  const outcomes = await readComputeNodes(deps, cells);
  const hostCells = await readHostCells(
    deps,
    outcomes.flatMap((o) => (o.status === 'up' ? o.value.flatMap((n) => (n.host ? [n.host] : [])) : [])),
  );

  const figuresOf = new Map(
    outcomes.flatMap((o, i) => {
      if (o.status !== 'up') return [];
      const { figures, nodes } = cellCapacityFigures(o.value, cells[i]!.uuid, hostCells, initial);
      return [[o.cell.uuid, { ...figures, flavors: flavorSlots(nodes, flavorNeeds) }] as const];
    }),
  );
  const lastKnown = await rememberFigures(deps, 'capacity', outcomes, (_, cell) => figuresOf.get(cell.uuid));

  const report = outcomes.map((o, i): CellCapacity => {
    const cell = cells[i]!;
    const base = { cell: publicCell(cell), elapsedMs: o.elapsedMs };
    if (o.status === 'down') return { ...base, status: 'down', down: downCell(o), figures: null, lastKnown: lastKnown.get(cell.uuid) ?? null };
    return { ...base, status: 'up', down: null, figures: figuresOf.get(cell.uuid)!, lastKnown: null };
  });

  const totals = flavorNeeds.map((f) => {
    let slots = 0;
    let unmappedSlots = 0;
    for (const c of report) {
      if (c.cell.disabled || !c.figures) continue;
      const s = c.figures.flavors.find((x) => x.flavorId === f.flavorId)!;
      slots += s.slots;
      unmappedSlots += s.unmappedSlots;
    }
    return { flavorId: f.flavorId, name: f.name, slots, unmappedSlots };
  });
  return { cells: report, totals: { flavors: totals }, flavors: flavorNeeds, initialAllocationRatios: initial, asOf: deps.now() };
}

/** Per node, then summed: the schedulable nodes' slots, and apart those of unmapped hosts. */
function flavorSlots(nodes: readonly PlacedNode[], flavorNeeds: { flavorId: number; name: string; flavorid: string; need: Need }[]): FlavorSlots[] {
  const sum = (which: PlacedNode['placement'], need: Need) => nodes.reduce((s, n) => (n.placement === which ? s + slotsOnNode(n.capacity, need) : s), 0);
  return flavorNeeds.map((f) => ({ ...f, slots: sum('schedulable', f.need), unmappedSlots: sum('unmapped', f.need) }));
}
