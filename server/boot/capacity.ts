/**
 * Per-cell capacity and flavor slots (seed 001: "schedule an instance to a cell based on
 * flavor slots available"). For every cell except cell0, read through fanOut under the
 * deadline: raw totals over its live compute nodes, and, over the nodes the scheduler
 * can use (nova-compute up and enabled), capacity with allocation ratios, use and what
 * is free; then for each enabled flavor how many more instances fit, summed over those
 * nodes with the scheduler's own fit function (per node: the smallest of
 * floor(free / need) over vcpus, RAM and disk).
 *
 * Slots on hosts not yet in host_mappings are counted apart: the scheduler may pick
 * them, but a boot placed there ends in cell0 until discover_hosts maps the host.
 */
import { asc, eq, or, isNull } from 'drizzle-orm';
import { flavors } from '@/db/api/schema';
import type { DownReason } from '@/db/fanout';
import { publicCell, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { isCell0 } from '../nova/constants';
import { type ComputeNode, hostMapState, type NodeStatus, readComputeNodes, readHostCells } from './compute-nodes';
import { flavorNeed, type Need, nodeCapacity, nodeFree, slotsOnNode } from './fit';

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

export interface CellFiguresRaw {
  vcpus: number;
  memoryMb: number;
  localGb: number;
  vcpusUsed: number;
  memoryMbUsed: number;
  localGbUsed: number;
}

export interface SchedulableFigures {
  /** floor(total × allocation ratio), summed. */
  capacity: { vcpus: number; memoryMb: number; localGb: number };
  used: { vcpus: number; memoryMb: number; localGb: number };
  free: { vcpus: number; memoryMb: number; localGb: number };
}

export interface CellCapacity {
  cell: ReturnType<typeof publicCell>;
  status: 'up' | 'down';
  reason: DownReason | null;
  message: string | null;
  latencyMs: number;
  /** Null when the cell did not answer. */
  figures: {
    nodes: Record<NodeStatus, number> & { total: number; unmapped: number; mappedElsewhere: number };
    raw: CellFiguresRaw;
    /** Over schedulable nodes of mapped hosts: what the scheduler can really use. */
    schedulable: SchedulableFigures;
    flavors: FlavorSlots[];
  } | null;
}

export interface CapacityReport {
  cells: CellCapacity[];
  /** Sum over enabled cells that answered. */
  totals: { flavors: { flavorId: number; name: string; slots: number; unmappedSlots: number }[] };
  flavors: { flavorId: number; name: string; flavorid: string; need: Need }[];
  asOf: Date;
}

const zero = () => ({ vcpus: 0, memoryMb: 0, localGb: 0 });

export async function cellCapacity(deps: Deps): Promise<CapacityReport> {
  const [mappings, flavorRows] = await Promise.all([
    readCellMappings(deps.api),
    deps.api.db
      .select()
      .from(flavors)
      .where(or(eq(flavors.disabled, false), isNull(flavors.disabled)))
      .orderBy(asc(flavors.memoryMb), asc(flavors.vcpus), asc(flavors.name)),
  ]);
  const cells = mappings.filter((c) => !isCell0(c.uuid));
  const flavorNeeds = flavorRows.map((f) => ({ flavorId: f.id, name: f.name, flavorid: f.flavorid, need: flavorNeed(f) }));
  const outcomes = await readComputeNodes(deps, cells);
  const hostCells = await readHostCells(
    deps,
    outcomes.flatMap((o) => (o.status === 'up' ? o.value.flatMap((n) => (n.host ? [n.host] : [])) : [])),
  );

  const report: CellCapacity[] = outcomes.map((o, i) => {
    const cell = cells[i]!;
    const base = { cell: publicCell(cell), latencyMs: o.elapsedMs };
    if (o.status === 'down') return { ...base, status: 'down', reason: o.reason, message: o.message, figures: null };
    return { ...base, status: 'up', reason: null, message: null, figures: cellFigures(o.value, cell.uuid, hostCells, flavorNeeds) };
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
  return { cells: report, totals: { flavors: totals }, flavors: flavorNeeds, asOf: deps.now() };
}

function cellFigures(
  nodes: ComputeNode[],
  cellUuid: string,
  hostCells: Map<string, string>,
  flavorNeeds: { flavorId: number; name: string; flavorid: string; need: Need }[],
): NonNullable<CellCapacity['figures']> {
  const counts = { total: nodes.length, schedulable: 0, 'service-down': 0, 'service-disabled': 0, 'no-service': 0, unmapped: 0, mappedElsewhere: 0 };
  const raw: CellFiguresRaw = { vcpus: 0, memoryMb: 0, localGb: 0, vcpusUsed: 0, memoryMbUsed: 0, localGbUsed: 0 };
  const schedulable: SchedulableFigures = { capacity: zero(), used: zero(), free: zero() };
  const usable: ComputeNode[] = [];
  const unmapped: ComputeNode[] = [];
  for (const n of nodes) {
    counts[n.status]++;
    raw.vcpus += n.vcpus;
    raw.memoryMb += n.memoryMb;
    raw.localGb += n.localGb;
    raw.vcpusUsed += n.vcpusUsed;
    raw.memoryMbUsed += n.memoryMbUsed;
    raw.localGbUsed += n.localGbUsed;
    const mapState = hostMapState(hostCells, n.host, cellUuid);
    if (mapState === 'unmapped') counts.unmapped++;
    if (mapState === 'mapped-elsewhere') counts.mappedElsewhere++;
    if (n.status !== 'schedulable' || !n.host || !n.hypervisorHostname) continue;
    if (mapState === 'unmapped') {
      unmapped.push(n);
      continue;
    }
    if (mapState !== 'mapped') continue;
    usable.push(n);
    const cap = nodeCapacity(n);
    const free = nodeFree(n);
    schedulable.capacity.vcpus += cap.vcpus;
    schedulable.capacity.memoryMb += cap.memoryMb;
    schedulable.capacity.localGb += cap.localGb;
    schedulable.used.vcpus += n.vcpusUsed;
    schedulable.used.memoryMb += n.memoryMbUsed;
    schedulable.used.localGb += n.localGbUsed;
    schedulable.free.vcpus += free.vcpus;
    schedulable.free.memoryMb += free.memoryMb;
    schedulable.free.localGb += free.localGb;
  }
  const sum = (ns: ComputeNode[], need: Need) => ns.reduce((s, n) => s + slotsOnNode(n, need), 0);
  return {
    nodes: counts,
    raw,
    schedulable,
    flavors: flavorNeeds.map((f) => ({ ...f, slots: sum(usable, f.need), unmappedSlots: sum(unmapped, f.need) })),
  };
}
