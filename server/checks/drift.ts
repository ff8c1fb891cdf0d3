/**
 * Drift between the api database and the cells that none of nova's tools report
 * (cells-v2.md §9.4): host mappings that no longer match a cell, hosts in two cells,
 * nova-compute services in cell0, cells that do not answer, schemas that are not current.
 * Pure: it compares what run-checks read (one fan-out) as sets in memory.
 */
import type { SchemaState } from '@/db/migrate';
import type { SchemaOwner } from '@/db/schema-owner';
import { cellLabel, type CellSummary, type DownCell, type LastKnown } from '../cells/cell-ref';
import { CELL0_UUID } from '../nova/constants';
import { serviceState, type ServiceState } from '../nova/service-state';
import type { CellHosts } from './cell-facts';
import { type Check, listSome, plural } from './result';

export interface HostMappingRow {
  id: number;
  host: string;
  cellUuid: string;
  createdAt: Date | null;
}

/** What the checks keep of a cell's answer (cellar.cell_figures), shown while it does not answer. */
export interface CheckFactsLastKnown {
  /** Live compute_nodes rows. */
  computeNodes: number;
  /** Live nova-compute services. */
  computeServices: number;
  /** The schema's plain sentence. */
  schema: string;
}

/**
 * One cell as run-checks saw it: answered, down (with its facts of the last time it
 * answered), or still being asked (a page composing the report as the cells answer).
 */
export type CellView =
  | {
      cell: CellSummary;
      status: 'up';
      schema: { state: SchemaState; madeBy: SchemaOwner; summary: string; applied: number; expected: number };
      hosts: CellHosts | null;
      unreadable: string | null;
    }
  | { cell: CellSummary; status: 'down'; down: DownCell; lastKnown?: LastKnown<CheckFactsLastKnown> | null }
  | { cell: CellSummary; status: 'pending' };

export interface SchemaFinding {
  cell: CellSummary;
  state: Exclude<SchemaState, 'current'>;
  /** Who made the cell's schema: a nova-made one is nova's to upgrade. */
  madeBy: SchemaOwner;
  summary: string;
  applied: number;
  expected: number;
  /** Set when the cell's hosts could not be read because of its schema. */
  unreadable: string | null;
}

export interface StaleHostMapping {
  cell: CellSummary;
  host: string;
  createdAt: Date | null;
}

export interface MisplacedHostMapping {
  /** The cell the mapping points to, whose database does not have the host. */
  cell: CellSummary;
  host: string;
  /** The cells whose databases do have it live. */
  foundIn: CellSummary[];
}

export interface HostInSeveralCells {
  host: string;
  cells: CellSummary[];
  /** The cell the host mapping points to, or null when the host is not mapped. */
  mappedTo: CellSummary | null;
}

export interface Cell0ComputeService {
  cell: CellSummary;
  host: string;
  version: number;
  state: ServiceState;
  disabled: boolean;
  lastSeenUp: Date | null;
}

export interface Drift {
  /** Cells that did not answer, each with the host mappings to it that could not be compared with it, and its last-known facts. */
  downCells: (DownCell & { hostMappingsNotCompared: number; lastKnown: LastKnown<CheckFactsLastKnown> | null })[];
  /** Cells still being asked (a page composing as the cells answer; never in `cellar status`): not compared yet. */
  pendingCells: (CellSummary & { hostMappingsNotCompared: number })[];
  schemas: SchemaFinding[];
  staleHostMappings: StaleHostMapping[];
  misplacedHostMappings: MisplacedHostMapping[];
  hostsInSeveralCells: HostInSeveralCells[];
  cell0ComputeServices: Cell0ComputeService[];
  /** Not drift: live compute-node hosts with no host mapping, counted per cell (the unmapped-computes page lists them). */
  unmappedComputeHosts: { total: number; byCell: { cell: CellSummary; count: number }[] };
}

const byHost = <T extends { host: string }>(a: T, b: T) => a.host.localeCompare(b.host);

/**
 * A host is "in" a cell when the cell has a live compute node or a live nova-compute
 * service for it: `discover_hosts --by-service` maps hosts from services alone (ironic
 * before its nodes exist), so a service without a node keeps its mapping valid.
 * Only cells other than cell0 hold hosts; cell0's compute services are their own finding,
 * and a mapping that points at cell0 is always judged wrong.
 */
export function findDrift(input: { cells: readonly CellView[]; hostMappings: readonly HostMappingRow[]; now: Date; serviceDownTimeS: number }): Drift {
  const { cells, hostMappings } = input;
  const cellByUuid = new Map(cells.map((c) => [c.cell.uuid, c.cell]));
  const readable = new Map<string, CellHosts>();
  for (const c of cells) if (c.status === 'up' && c.hosts) readable.set(c.cell.uuid, c.hosts);

  const presentIn = new Map<string, CellSummary[]>();
  for (const c of cells) {
    const hosts = readable.get(c.cell.uuid);
    if (!hosts || c.cell.uuid === CELL0_UUID) continue;
    const here = new Set([...hosts.nodeHosts, ...hosts.computeServices.map((s) => s.host)]);
    for (const h of here) {
      const list = presentIn.get(h);
      if (list) list.push(c.cell);
      else presentIn.set(h, [c.cell]);
    }
  }

  const mappedTo = new Map(hostMappings.map((m) => [m.host, m.cellUuid]));
  const mappingsPerCell = new Map<string, number>();
  for (const m of hostMappings) mappingsPerCell.set(m.cellUuid, (mappingsPerCell.get(m.cellUuid) ?? 0) + 1);

  const staleHostMappings: StaleHostMapping[] = [];
  const misplacedHostMappings: MisplacedHostMapping[] = [];
  for (const m of hostMappings) {
    const cell = cellByUuid.get(m.cellUuid) ?? { uuid: m.cellUuid, name: null };
    // A cell that did not answer (or could not be read) cannot be compared with.
    if (m.cellUuid !== CELL0_UUID && !readable.has(m.cellUuid)) continue;
    const where = presentIn.get(m.host) ?? [];
    if (where.some((c) => c.uuid === m.cellUuid)) continue;
    if (where.length === 0) staleHostMappings.push({ cell, host: m.host, createdAt: m.createdAt });
    else misplacedHostMappings.push({ cell, host: m.host, foundIn: where });
  }

  const hostsInSeveralCells: HostInSeveralCells[] = [];
  for (const [host, where] of presentIn) {
    if (where.length < 2) continue;
    const mapped = mappedTo.get(host);
    hostsInSeveralCells.push({ host, cells: where, mappedTo: mapped ? (cellByUuid.get(mapped) ?? null) : null });
  }

  const cell0 = cells.find((c) => c.cell.uuid === CELL0_UUID);
  const cell0Hosts = readable.get(CELL0_UUID);
  const cell0ComputeServices: Cell0ComputeService[] =
    cell0 && cell0Hosts
      ? cell0Hosts.computeServices.map((s) => ({
          cell: cell0.cell,
          host: s.host,
          version: s.version,
          state: serviceState({ forcedDown: s.forcedDown, lastSeenUp: s.lastSeenUp, createdAt: s.createdAt }, input.now, input.serviceDownTimeS),
          disabled: s.disabled,
          lastSeenUp: s.lastSeenUp,
        }))
      : [];

  const downCells: Drift['downCells'] = [];
  const pendingCells: Drift['pendingCells'] = [];
  const schemas: SchemaFinding[] = [];
  const unmappedByCell: { cell: CellSummary; count: number }[] = [];
  for (const c of cells) {
    if (c.status === 'pending') {
      pendingCells.push({ ...c.cell, hostMappingsNotCompared: mappingsPerCell.get(c.cell.uuid) ?? 0 });
      continue;
    }
    if (c.status === 'down') {
      downCells.push({
        ...c.down,
        hostMappingsNotCompared: mappingsPerCell.get(c.cell.uuid) ?? 0,
        lastKnown: c.lastKnown ?? null,
      });
      continue;
    }
    if (c.schema.state !== 'current') {
      schemas.push({
        cell: c.cell,
        state: c.schema.state,
        madeBy: c.schema.madeBy,
        summary: c.schema.summary,
        applied: c.schema.applied,
        expected: c.schema.expected,
        unreadable: c.unreadable,
      });
    }
    if (c.hosts && c.cell.uuid !== CELL0_UUID) {
      const count = c.hosts.nodeHosts.filter((h) => !mappedTo.has(h)).length;
      if (count > 0) unmappedByCell.push({ cell: c.cell, count });
    }
  }

  return {
    downCells,
    pendingCells,
    schemas,
    staleHostMappings: staleHostMappings.sort(byHost),
    misplacedHostMappings: misplacedHostMappings.sort(byHost),
    hostsInSeveralCells: hostsInSeveralCells.sort(byHost),
    cell0ComputeServices: cell0ComputeServices.sort(byHost),
    unmappedComputeHosts: { total: unmappedByCell.reduce((s, x) => s + x.count, 0), byCell: unmappedByCell },
  };
}

/** Each drift kind as a check row: a warning when it found something, else a success with nothing to say. */
export function driftChecks(d: Drift): Check[] {
  const row = (id: Check['id'], name: string, found: number, details: () => string): Check => ({
    id,
    name,
    result: found > 0 ? 'warning' : 'success',
    details: found > 0 ? details() : null,
  });
  return [
    row('cells_answering', 'Cells answering', d.downCells.length, () =>
      d.downCells
        .map(
          (c) =>
            `${cellLabel(c)} did not answer (${c.reason}: ${c.message})${c.hostMappingsNotCompared ? `; ${plural(c.hostMappingsNotCompared, 'host mapping')} to it not compared` : ''}.`,
        )
        .join(' '),
    ),
    row('cell_schemas', 'Cell schemas', d.schemas.length, () => {
      const listed = d.schemas.map((s) => `${cellLabel(s.cell)}: ${s.summary}`).join('; ');
      const ours = d.schemas.filter((s) => s.madeBy !== 'nova');
      const syncable = ours.some((s) => s.state !== 'ahead');
      const advice = [
        syncable
          ? " Run 'cellar db sync --cell_uuid <uuid>' for a cell that is behind or empty."
          : ours.length > 0
            ? ' Run a Cellar as new as the one that migrated it.'
            : '',
        // Cellar never changes a schema nova made: nova's own migrations bring it up.
        ours.length < d.schemas.length ? " A cell nova made is upgraded by nova ('nova-manage db sync'), never by Cellar." : '',
      ].join('');
      return `${listed}.${advice}`;
    }),
    row(
      'stale_host_mappings',
      'Stale host mappings',
      d.staleHostMappings.length,
      () =>
        `${plural(d.staleHostMappings.length, 'host mapping')} ${d.staleHostMappings.length === 1 ? 'names a host' : 'name hosts'} that no cell that answered has a live compute node or nova-compute service for: ${listSome(d.staleHostMappings.map((m) => `${m.host} (${cellLabel(m.cell)})`))}. Remove with 'cellar delete_host --cell_uuid <uuid> --host <host>'.`,
    ),
    row(
      'misplaced_host_mappings',
      'Host mappings to the wrong cell',
      d.misplacedHostMappings.length,
      () =>
        `${plural(d.misplacedHostMappings.length, 'host mapping')} ${d.misplacedHostMappings.length === 1 ? 'points' : 'point'} at a cell whose database does not have the host, while another cell's does: ${listSome(d.misplacedHostMappings.map((m) => `${m.host} (mapped to ${cellLabel(m.cell)}, found in ${m.foundIn.map(cellLabel).join(', ')})`))}. Delete the mapping, then run 'cellar discover_hosts' for the cell the host is in.`,
    ),
    row(
      'hosts_in_several_cells',
      'Hosts in more than one cell',
      d.hostsInSeveralCells.length,
      () =>
        `${plural(d.hostsInSeveralCells.length, 'host')} ${d.hostsInSeveralCells.length === 1 ? 'is' : 'are'} live in more than one cell, and a host mapping can name only one: ${listSome(d.hostsInSeveralCells.map((h) => `${h.host} (${h.cells.map(cellLabel).join(', ')})`))}.`,
    ),
    row(
      'cell0_compute_services',
      'Compute services in cell0',
      d.cell0ComputeServices.length,
      () =>
        // nova's own log line (nova/compute/api.py, _service_get_all_cells), then the cause.
        `Found compute service ${listSome(d.cell0ComputeServices.map((s) => s.host))} in cell0; This should never happen! cell0 holds no hosts: that nova-compute's [database]/connection points at cell0's database.`,
    ),
  ];
}
