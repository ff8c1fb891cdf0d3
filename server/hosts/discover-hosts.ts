import 'server-only';
/**
 * discover_hosts (nova-manage cell_v2, cells-v2.md §4 and §2.4), set-based and race-safe.
 *
 * nova walks each cell's unmapped compute nodes one by one: look the host up in
 * host_mappings, insert a mapping, set that node's mapped = 1. Three round trips per node,
 * and two runs at once collide on the unique key and exit 2. Here:
 *
 *  1. every cell at once (fanOut, under the deadline): ONE query for its live compute hosts
 *     (per-node) or its nova-compute service hosts (by-service);
 *  2. ONE api query: which of those hosts already have a mapping (to classify what we
 *     report; correctness does not depend on it, see 3);
 *  3. ONE bulk INSERT … SELECT FROM unnest(…) ON CONFLICT (host) DO NOTHING RETURNING host:
 *     the unique key uniq_host_mappings0host decides who maps a host. A host we meant to
 *     map that does not come back was mapped by someone else between our look and our
 *     insert (another run, the scheduler's periodic, an operator): it is reported as
 *     "already mapped by someone else", never as an error (nova exits 2 here);
 *  4. per-node only, every cell at once: ONE UPDATE compute_nodes SET mapped = 1.
 *
 * A cell that does not answer is skipped and reported; the others are still mapped.
 *
 * The rows are nova's: each host mapping with created_at = naive UTC now (HostMapping.
 * create, TimestampMixin), each node marked with mapped = 1 and updated_at = now
 * (ComputeNode.save → compute_node_update, which always sets updated_at). A run that is
 * not a dry run is refused before it starts when Cellar's role may not insert into
 * host_mappings (checked before the run is recorded) or, per node, update a cell's
 * compute_nodes (checked, for a cell with a node to mark, in the same round trip as its
 * read, before any insert).
 */
import { fanOut } from '@/db/fanout';
import type { CellHandle } from '@/db/connect';
import { cellLabel, type CellSummary, type DownCell, downCell } from '../cells/cell-ref';
import { type CellMapping, readCellMappings } from '../cells/mappings';
import { RESTART_NOTICES } from '../cells/caveats';
import type { Deps } from '../deps';
import { isCell0 } from '../nova/constants';
import { NEEDS, type PrivilegeReading, privilegeRefusal, readWritePrivileges, requireWritePrivileges } from '../nova/write-privileges';
import { type DiscoverMode, failDiscoveryRun, finishDiscoveryRun, startDiscoveryRun } from './discovery-runs';
import { readHostCells } from './host-cells';
import { requireCell } from './require-cell';

export interface DiscoverOptions {
  /** Only this cell (nova's --cell_uuid); otherwise every cell except cell0. */
  cellUuid?: string | null;
  /** nova's --by-service: map the hosts of all nova-compute services, disabled ones included. */
  byService?: boolean;
  /** nova's --strict: the run "fails" (exit 1) when it maps nothing. */
  strict?: boolean;
  /** List what would be mapped; write nothing to nova's tables. */
  dryRun?: boolean;
  /** Who runs it: the OS user for the CLI, 'console' for the console. */
  actor: string;
  /** The replica making a periodic run, recorded with it. */
  replica?: string;
}

export interface HostInCell {
  host: string;
  /** The cell whose database holds the compute. */
  cell: CellSummary;
  /** The compute node's uuid (per-node) or the service's (by-service), as nova prints it. */
  sourceUuid: string | null;
}

export interface AlreadyMapped extends HostInCell {
  /** Where the host is mapped now (null if that mapping vanished again meanwhile). */
  mappedTo: CellSummary | null;
  /** Mapped to a different cell than the one holding the compute: nova can map a host to one cell only. */
  drift: boolean;
}

export interface DiscoverResult {
  runId: number;
  mode: DiscoverMode;
  dryRun: boolean;
  strict: boolean;
  cellUuid: string | null;
  /** nova's "Found %s cell mappings.": every mapping considered, cell0 included. */
  cellMappings: number;
  /** The run was asked for cell0, or for every cell: nova says it skips cell0. */
  skippedCell0: boolean;
  /** Cells that answered, with how many of their hosts had no mapping when we looked. */
  scanned: { cell: CellSummary; unmapped: number }[];
  newlyMapped: HostInCell[];
  /** Dry run: the hosts a real run would map now. */
  wouldMap: HostInCell[];
  /** Hosts someone else mapped between this run's look and its insert (a race, not an error). */
  alreadyMapped: AlreadyMapped[];
  /**
   * Hosts live in a cell but mapped, before this run looked, to another cell, or live in two
   * cells at once (the first cell by id gets the mapping, as in nova's loop). Nothing is done:
   * this is drift for an operator to resolve.
   */
  mappedElsewhere: AlreadyMapped[];
  /** Cells that did not answer: skipped, their hosts not looked at. */
  skippedCells: DownCell[];
  /** Cells whose compute nodes could not be marked mapped = 1 afterwards (their hosts are mapped). */
  markFailures: DownCell[];
  outcome: 'mapped' | 'nothing-to-map' | 'dry-run';
  /** Set when hosts were mapped: nova's schedulers only see them after a SIGHUP. */
  restartNotice: string | null;
}

interface CellHost {
  host: string;
  uuid: string | null;
  /** Some live node of the host has mapped < 1 (or NULL). Always false by service. */
  unmarked: boolean;
}

/**
 * Per node: EVERY live compute host of the cell, not only those with mapped < 1. `mapped`
 * is a hint that goes stale (a host mapping deleted by hand, restored databases, §2.4), so
 * the candidate set is "live compute hosts with no host mapping", decided against
 * host_mappings. One grouped scan per cell; `unmarked` tells which nodes to mark afterwards.
 */
async function readComputeNodeHosts(handle: CellHandle): Promise<CellHost[]> {
  return handle.sql<CellHost[]>`
    select host, (array_agg(uuid order by id))[1] as uuid, bool_or(coalesce(mapped, 0) < 1) as unmarked
    from compute_nodes
    where deleted = 0 and host is not null
    group by host`;
}

/** By service (nova's --by-service, for ironic): every live nova-compute service, disabled ones too. */
async function readComputeServiceHosts(handle: CellHandle): Promise<CellHost[]> {
  return handle.sql<CellHost[]>`
    select host, (array_agg(uuid order by id))[1] as uuid, false as unmarked
    from services
    where deleted = 0 and "binary" = 'nova-compute' and host is not null
    group by host`;
}

const summary = (c: CellMapping): CellSummary => ({ uuid: c.uuid, name: c.name });
const asItem = (s: { cell: CellMapping; host: CellHost }): HostInCell => ({ host: s.host.host, cell: summary(s.cell), sourceUuid: s.host.uuid });

export async function discoverHosts(deps: Deps, opts: DiscoverOptions): Promise<DiscoverResult> {
  const mode: DiscoverMode = opts.byService ? 'by-service' : 'per-node';
  const all = await readCellMappings(deps.api);
  // An unknown --cell_uuid is refused before anything is recorded: it is not a run.
  const chosen = opts.cellUuid ? [requireCell(all, opts.cellUuid)] : all;
  if (!opts.dryRun) await requireWritePrivileges(deps.api, 'api database', NEEDS.insertHostMappings);
  const run = await startDiscoveryRun(deps, {
    actor: opts.actor,
    mode,
    dryRun: Boolean(opts.dryRun),
    strict: Boolean(opts.strict),
    cellUuid: opts.cellUuid ?? null,
    replica: opts.replica ?? null,
  });
  try {
    const result = await discover(deps, chosen, { ...opts, mode, runId: run.id });
    await finishDiscoveryRun(deps, run.id, {
      newlyMapped: result.newlyMapped.length,
      alreadyMapped: result.alreadyMapped.length,
      wouldMap: result.wouldMap.length,
      skippedCells: result.skippedCells.length,
      outcome: result.outcome,
      details: {
        skipped: result.skippedCells.map(({ uuid, name, reason, message }) => ({ uuid, name, reason, message })),
        mappedElsewhere: result.mappedElsewhere.length,
      },
    });
    return result;
  } catch (e) {
    await failDiscoveryRun(deps, run.id, e).catch(() => {});
    throw e;
  }
}

async function discover(deps: Deps, chosen: CellMapping[], opts: DiscoverOptions & { mode: DiscoverMode; runId: number }): Promise<DiscoverResult> {
  const cells = chosen.filter((c) => !isCell0(c.uuid));
  // Per node, a real run writes compute_nodes.mapped: each cell that has a node to mark has
  // its privileges checked right after its read, in the same round trip, before anything
  // is written anywhere (a refusal is returned, so fanOut does not call the cell down).
  const markNodes = opts.mode === 'per-node' && !opts.dryRun;
  const outcomes = await fanOut(
    deps.registry,
    cells,
    async ({ handle }): Promise<{ hosts: CellHost[] } | { forbidden: PrivilegeReading }> => {
      const hosts = await (opts.mode === 'by-service' ? readComputeServiceHosts(handle) : readComputeNodeHosts(handle));
      // Only a cell with a node to mark will be written.
      if (markNodes && hosts.some((h) => h.unmarked)) {
        const reading = await readWritePrivileges(handle, NEEDS.setComputeNodesMapped);
        if (reading.missing.length > 0) return { forbidden: reading };
      }
      return { hosts };
    },
    { deadlineMs: deps.deadlineMs },
  );

  const skippedCells: DownCell[] = [];
  const seen: { cell: CellMapping; host: CellHost }[] = [];
  const forbidden: { where: { cell: string }; needs: typeof NEEDS.setComputeNodesMapped; reading: PrivilegeReading }[] = [];
  outcomes.forEach((o, i) => {
    if (o.status === 'down') skippedCells.push(downCell(o));
    else if ('forbidden' in o.value) forbidden.push({ where: { cell: cellLabel(cells[i]!) }, needs: NEEDS.setComputeNodesMapped, reading: o.value.forbidden });
    else for (const host of o.value.hosts) seen.push({ cell: cells[i]!, host });
  });
  // Nothing half done: a cell that may not be written stops the run before any insert.
  const refusal = privilegeRefusal(forbidden);
  if (refusal) throw refusal;

  // What is mapped where right now, for every host seen: one query. It only sorts hosts
  // into "to map" and "mapped already"; the INSERT below is still guarded by the unique
  // key, so a mapping made after this read is caught there, not here.
  const existing = await readHostCells(deps.api, [...new Set(seen.map((s) => s.host.host))]);

  const toMap: { cell: CellMapping; host: CellHost }[] = [];
  const claimed = new Map<string, CellMapping>();
  const mappedElsewhere: AlreadyMapped[] = [];
  /** Per cell uuid: hosts mapped to that cell whose nodes should be marked mapped = 1. */
  const toMark = new Map<string, Set<string>>();
  const mark = (cellUuid: string, host: string) => {
    let set = toMark.get(cellUuid);
    if (!set) {
      set = new Set();
      toMark.set(cellUuid, set);
    }
    set.add(host);
  };
  const unmappedPerCell = new Map<string, number>();

  for (const s of seen) {
    const item = asItem(s);
    const mappedTo = existing.get(s.host.host);
    if (mappedTo) {
      // Mapped to its own cell already (an ironic sibling node, a by-service mapping): only
      // its nodes' hint may need repairing.
      if (mappedTo.uuid === s.cell.uuid) {
        if (s.host.unmarked) mark(s.cell.uuid, s.host.host);
      } else {
        mappedElsewhere.push({ ...item, mappedTo, drift: true });
      }
      continue;
    }
    unmappedPerCell.set(s.cell.uuid, (unmappedPerCell.get(s.cell.uuid) ?? 0) + 1);
    const first = claimed.get(s.host.host);
    if (first) {
      // The same host name live in two cells: nova's loop maps it to the first cell (by id)
      // and then hits the unique key; here the first cell gets it and this one is drift.
      mappedElsewhere.push({ ...item, mappedTo: summary(first), drift: true });
      continue;
    }
    claimed.set(s.host.host, s.cell);
    toMap.push(s);
  }

  const base = {
    runId: opts.runId,
    mode: opts.mode,
    dryRun: Boolean(opts.dryRun),
    strict: Boolean(opts.strict),
    cellUuid: opts.cellUuid ?? null,
    cellMappings: chosen.length,
    skippedCell0: chosen.some((c) => isCell0(c.uuid)),
    scanned: outcomes.flatMap((o) => (o.status === 'up' ? [{ cell: o.cell, unmapped: unmappedPerCell.get(o.cell.uuid) ?? 0 }] : [])),
    mappedElsewhere,
    skippedCells,
  };
  if (opts.dryRun) {
    return {
      ...base,
      newlyMapped: [],
      wouldMap: toMap.map(asItem),
      alreadyMapped: [],
      markFailures: [],
      outcome: 'dry-run',
      restartNotice: null,
    };
  }

  let inserted = new Set<string>();
  if (toMap.length > 0) {
    const rows = await deps.api.sql<{ host: string }[]>`
      insert into host_mappings (cell_id, host, created_at, updated_at)
      select cell_id, host, (now() at time zone 'utc'), null
      from unnest(${toMap.map((t) => t.cell.id)}::int[], ${toMap.map((t) => t.host.host)}::text[]) as m(cell_id, host)
      on conflict (host) do nothing
      returning host`;
    inserted = new Set(rows.map((r) => r.host));
  }

  const newlyMapped: HostInCell[] = [];
  const raced: { cell: CellMapping; host: CellHost }[] = [];
  for (const t of toMap) {
    if (inserted.has(t.host.host)) {
      newlyMapped.push(asItem(t));
      mark(t.cell.uuid, t.host.host);
    } else raced.push(t);
  }

  const alreadyMapped: AlreadyMapped[] = [];
  if (raced.length > 0) {
    // Where did the winners map them? A fresh statement sees their committed rows.
    const now = await readHostCells(
      deps.api,
      raced.map((r) => r.host.host),
    );
    for (const r of raced) {
      const mappedTo = now.get(r.host.host) ?? null;
      alreadyMapped.push({ ...asItem(r), mappedTo, drift: mappedTo !== null && mappedTo.uuid !== r.cell.uuid });
      if (mappedTo?.uuid === r.cell.uuid) mark(r.cell.uuid, r.host.host);
    }
  }

  const markFailures = opts.mode === 'per-node' ? await markNodesMapped(deps, cells, toMark) : [];

  return {
    ...base,
    newlyMapped,
    wouldMap: [],
    alreadyMapped,
    markFailures,
    outcome: newlyMapped.length > 0 ? 'mapped' : 'nothing-to-map',
    restartNotice: newlyMapped.length > 0 ? RESTART_NOTICES.hostsMapped : null,
  };
}

/**
 * Set mapped = 1, in every cell at once, on the live nodes of hosts that are now mapped to
 * that very cell: mapped by this run, by someone else meanwhile, or earlier.
 *
 * A deliberate deviation from nova, which marks only the node whose check created the
 * mapping: a sibling node of an already-mapped host (ironic: one host, many nodes) stays at
 * 0 there and is re-examined on every run forever (cells-v2.md §2.4, §8). mapped = 1 means
 * "this node's host is mapped to this cell", which is true for all of them. Nodes of a host
 * mapped to ANOTHER cell are left at 0: that is drift, and stays visible to every run.
 */
async function markNodesMapped(deps: Deps, cells: CellMapping[], toMark: Map<string, Set<string>>): Promise<DownCell[]> {
  const targets = cells.filter((c) => toMark.has(c.uuid));
  if (targets.length === 0) return [];
  const outcomes = await fanOut(
    deps.registry,
    targets,
    ({ cell, handle }) => handle.sql`
      update compute_nodes set mapped = 1, updated_at = (now() at time zone 'utc')
      where deleted = 0 and host = any(${[...toMark.get(cell.uuid)!]}::text[]) and coalesce(mapped, 0) < 1`,
    { deadlineMs: deps.deadlineMs },
  );
  return outcomes.flatMap((o) => (o.status === 'down' ? [downCell(o)] : []));
}

/**
 * nova's discover_hosts exit status, written once for the CLI and the console: 0, or with
 * --strict 1 when no host was newly mapped (a dry run: when none would be). Unlike nova, a
 * duplicate-key race is not exit 2 (it is reported as already mapped), and cells that did
 * not answer do not change the status: they are reported as skipped.
 */
export function discoverExitCode(r: Pick<DiscoverResult, 'strict' | 'dryRun' | 'newlyMapped' | 'wouldMap'>): 0 | 1 {
  if (!r.strict) return 0;
  return (r.dryRun ? r.wouldMap.length : r.newlyMapped.length) > 0 ? 0 : 1;
}
