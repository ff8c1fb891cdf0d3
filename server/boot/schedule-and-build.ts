import 'server-only';
/**
 * The conductor and scheduler side of a boot (nova/conductor/manager.py::
 * schedule_and_build_instances, cells-v2.md §5.2, §5.6), for build requests accepted by
 * acceptBoot (or by nova's API):
 *
 * 1. Read the build requests and mappings. A uuid whose build request is gone was
 *    deleted by the user before the conductor ran: its mapping (still without a cell)
 *    is removed, as nova's conductor does, and nothing is built.
 * 2. Schedule: candidates are the live compute nodes of every enabled cell except cell0
 *    (read through fanOut under the deadline; cells that do not answer are skipped and
 *    reported), on hosts whose nova-compute service is up and enabled. The servers of one
 *    request (one reservation id) are placed all or none, as nova's scheduler does; each
 *    placement is an atomic claim in the cell database, retried on the next candidate
 *    when another scheduler took the room first.
 * 3. A request with no home is buried in cell0 with NoValidHost; a chosen host without
 *    a host mapping buries that instance with HostMappingNotFound.
 * 4. Re-check each build request before creating its instance (a user delete meanwhile
 *    releases the claim and removes the mapping), then for every instance, in nova's
 *    order: the instance row in its cell, then the mapping's cell_id, then the build
 *    request deleted. A build request gone at that last step was deleted by the user
 *    during the build: the just-created instance is destroyed again.
 *
 * Cellar deviates from nova in one place, for safety: the mapping update is
 * conditional (cell_id still NULL or already this cell). nova overwrites a mapping that
 * points elsewhere and logs "this should not happen"; here the losing conductor destroys
 * its own copy instead, so two conductors given the same request never leave a live,
 * unreachable instance behind.
 */
import crypto from 'node:crypto';
import { asc, inArray } from 'drizzle-orm';
import { buildRequests } from '@/db/api/schema';
import { classifyCellError } from '@/db/fanout';
import { cellLabel, type DownCell, downCell } from '../cells/cell-ref';
import { type CellMapping, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { isCell0 } from '../nova/constants';
import { type PendingInstance, readBuildRequestInstance } from './build-request';
import { type Burial, planBurial } from './bury-in-cell0';
import { claimOnNode, type Release, releaseOnNodes } from './claim';
import { type ComputeNode, hostMapState, readComputeNodes, readHostCells } from './compute-nodes';
import { createInstancesInCell, type InstanceToCreate } from './create-in-cell';
import { destroyInstances } from './destroy-instance';
import { type BootFault, hostMappingNotFoundFault, noValidHostFault } from './faults';
import { type CapacityOptions, fits, flavorNeed, initialAllocationRatios, type Need } from './fit';
import { refuseStandInOnNova } from './stand-in';
import { weigh } from './weigh';

export interface CellRefSummary {
  uuid: string;
  name: string | null;
}

export type ScheduleOutcome =
  | { instanceUuid: string; result: 'built'; cell: CellRefSummary; host: string; node: string; message: string }
  | { instanceUuid: string; result: 'buried'; cell: CellRefSummary; fault: { code: number; message: string }; message: string }
  /** The user deleted the build request: before the instance was created, or during the build. */
  | { instanceUuid: string; result: 'deleted'; message: string }
  /** Left pending: no cell0 mapping, or the target cell stopped answering mid-write. */
  | { instanceUuid: string; result: 'stuck'; message: string }
  | { instanceUuid: string; result: 'already-scheduled'; cell: CellRefSummary | null; message: string }
  /** Another conductor is building the same instance; this attempt backed off. */
  | { instanceUuid: string; result: 'conflict'; message: string }
  | { instanceUuid: string; result: 'unreadable'; message: string }
  | { instanceUuid: string; result: 'not-found'; message: string };

export interface ScheduleResult {
  outcomes: ScheduleOutcome[];
  /** Cells the scheduler could not consider: they did not answer (within the deadline). */
  skippedCells: DownCell[];
}

/** Points where a test can interleave another actor (a user delete, another conductor). */
export type ScheduleStage = 'placed' | 'created' | 'mapped';
export interface ScheduleOptions {
  afterStage?: (stage: ScheduleStage) => Promise<void> | void;
  /** On a deployment nova made, scheduling is nova-conductor's: refused unless this is true (stand-in.ts). */
  allowOnNova?: boolean;
}

interface Candidate extends ComputeNode {
  cell: CellMapping;
  cellOrder: number;
  host: string;
  hypervisorHostname: string;
}

interface Claim {
  pending: PendingInstance;
  candidate: Candidate;
  need: Need;
}

const summary = (c: { uuid: string; name: string | null }): CellRefSummary => ({ uuid: c.uuid, name: c.name });

function needOf(p: PendingInstance): Need {
  return flavorNeed(p.flavor, { bootFromVolume: p.imageRef === '' });
}

export async function scheduleAndBuild(deps: Deps & CapacityOptions, instanceUuids: readonly string[], opts: ScheduleOptions = {}): Promise<ScheduleResult> {
  const uuids = [...new Set(instanceUuids)];
  const outcomes = new Map<string, ScheduleOutcome>();
  const skippedCells = new Map<string, DownCell>();
  const result = (): ScheduleResult => ({
    outcomes: uuids.map((u) => outcomes.get(u)!).filter(Boolean),
    skippedCells: [...skippedCells.values()],
  });
  await refuseStandInOnNova(deps, 'schedule', opts.allowOnNova);
  if (uuids.length === 0) return result();
  const now = deps.now();
  const requestId = `req-${crypto.randomUUID()}`;
  const api = deps.api.sql;

  // 1. What is still pending.
  const [cells, brRows, mappingRows] = await Promise.all([
    readCellMappings(deps.api),
    deps.api.db.select().from(buildRequests).where(inArray(buildRequests.instanceUuid, uuids)).orderBy(asc(buildRequests.id)),
    api<{ instance_uuid: string; cell_uuid: string | null; cell_name: string | null }[]>`
      select m.instance_uuid, c.uuid as cell_uuid, c.name as cell_name
      from instance_mappings m left join cell_mappings c on c.id = m.cell_id
      where m.instance_uuid in ${api(uuids)}`,
  ]);
  const mappingOf = new Map(mappingRows.map((m) => [m.instance_uuid, m]));
  const brOf = new Map(brRows.map((b) => [b.instanceUuid!, b]));
  const pending: PendingInstance[] = [];
  const forgotten: string[] = [];
  for (const uuid of uuids) {
    const br = brOf.get(uuid);
    const m = mappingOf.get(uuid);
    if (m?.cell_uuid) {
      const cell = { uuid: m.cell_uuid, name: m.cell_name };
      outcomes.set(uuid, { instanceUuid: uuid, result: 'already-scheduled', cell, message: `Instance ${uuid} is already mapped to cell ${cellLabel(cell)}.` });
    } else if (!br && m) {
      forgotten.push(uuid);
    } else if (!br) {
      outcomes.set(uuid, { instanceUuid: uuid, result: 'not-found', message: `There is no build request and no instance mapping for instance ${uuid}.` });
    } else {
      const p = readBuildRequestInstance({ instanceUuid: uuid, projectId: br.projectId, instance: br.instance });
      if (p) pending.push(p);
      else
        outcomes.set(uuid, {
          instanceUuid: uuid,
          result: 'unreadable',
          message: `The build request of instance ${uuid} cannot be read (its instance JSON is NULL or not an Instance); nova treats it as not found. It was left as it is.`,
        });
    }
  }
  if (forgotten.length > 0) await forgetMappings(deps, forgotten);
  for (const uuid of forgotten)
    outcomes.set(uuid, {
      instanceUuid: uuid,
      result: 'deleted',
      message: 'The build request was deleted before scheduling (the server was deleted): nothing was built and its instance mapping was removed.',
    });
  if (pending.length === 0) return result();

  // 2. Schedule.
  const targets = cells.filter((c) => !isCell0(c.uuid) && !c.disabled);
  const nodeOutcomes = await readComputeNodes(deps, targets);
  const upNodes = nodeOutcomes.flatMap((o, i) => (o.status === 'up' ? o.value.map((n) => ({ n, cell: targets[i]!, cellOrder: i })) : []));
  for (const o of nodeOutcomes) if (o.status === 'down') skippedCells.set(o.cell.uuid, downCell(o));
  const hostCells = await readHostCells(
    deps,
    upNodes.flatMap(({ n }) => (n.host ? [n.host] : [])),
  );
  // A host mapped to another cell than the one holding its node is a broken deployment
  // (§9.4): building there would put the instance in one cell and its usage in another.
  const candidates: Candidate[] = upNodes
    .filter(({ n, cell }) => n.status === 'schedulable' && n.host && n.hypervisorHostname && hostMapState(hostCells, n.host, cell.uuid) !== 'mapped-elsewhere')
    .map(({ n, cell, cellOrder }) => ({ ...n, host: n.host!, hypervisorHostname: n.hypervisorHostname!, cell, cellOrder }));

  const lostCells = new Set<string>();
  // nova's capacity model (server/nova/capacity.ts): the same figures the capacity pages show.
  const initial = initialAllocationRatios(deps);
  const placeOne = async (need: Need): Promise<Candidate | null> => {
    const tried = new Set<Candidate>();
    for (;;) {
      const fitting = candidates.filter((c) => !tried.has(c) && !lostCells.has(c.cell.uuid) && fits(c, need, initial));
      const best = weigh(fitting, initial)[0];
      if (!best) return null;
      tried.add(best);
      const claimStarted = performance.now();
      try {
        const after = await claimOnNode(deps.registry.handleFor(best.cell), best.id, need, now, initial);
        if (after) {
          Object.assign(best, after);
          return best;
        }
      } catch (e) {
        // The cell stopped answering after it was read: leave it out of this run.
        lostCells.add(best.cell.uuid);
        skippedCells.set(best.cell.uuid, {
          uuid: best.cell.uuid,
          name: best.cell.name,
          ...classifyCellError(e),
          elapsedMs: Math.round(performance.now() - claimStarted),
        });
      }
    }
  };

  const claims: Claim[] = [];
  const burials: Burial[] = [];
  const groups = new Map<string, PendingInstance[]>();
  for (const p of pending) {
    const key = p.reservationId ?? p.uuid;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const group of groups.values()) {
    const got: Claim[] = [];
    for (const p of group) {
      const need = needOf(p);
      const candidate = await placeOne(need);
      if (!candidate) break;
      got.push({ pending: p, candidate, need });
    }
    if (got.length === group.length) {
      claims.push(...got);
    } else {
      // nova's scheduler: fewer hosts than instances → give back what was claimed, NoValidHost for all.
      await releaseClaims(deps, got, now);
      const fault = noValidHostFault();
      for (const p of group) burials.push({ pending: p, fault });
    }
  }
  await opts.afterStage?.('placed');

  // 3. Chosen hosts without a host mapping: that instance goes to cell0.
  const mapped: Claim[] = [];
  const unmapped: Claim[] = [];
  for (const c of claims) (hostMapState(hostCells, c.candidate.host, c.candidate.cell.uuid) === 'unmapped' ? unmapped : mapped).push(c);
  const faultOfHost = new Map<string, BootFault>();
  for (const c of unmapped) {
    const fault = faultOfHost.get(c.candidate.host) ?? hostMappingNotFoundFault(c.candidate.host);
    faultOfHost.set(c.candidate.host, fault);
    burials.push({ pending: c.pending, fault });
  }

  // 4a. Re-check the build requests of the placed ones before creating anything.
  const stillThere = new Set(
    mapped.length === 0
      ? []
      : (
          await api<{ instance_uuid: string }[]>`
            select instance_uuid from build_requests where instance_uuid in ${api(mapped.map((c) => c.pending.uuid))}`
        ).map((r) => r.instance_uuid),
  );
  const toBuild = mapped.filter((c) => stillThere.has(c.pending.uuid));
  const deletedEarly = mapped.filter((c) => !stillThere.has(c.pending.uuid));
  await Promise.all([
    releaseClaims(deps, [...unmapped, ...deletedEarly], now),
    forgetMappings(
      deps,
      deletedEarly.map((c) => c.pending.uuid),
    ),
  ]);
  for (const c of deletedEarly)
    outcomes.set(c.pending.uuid, {
      instanceUuid: c.pending.uuid,
      result: 'deleted',
      message:
        'The build request was deleted while the server was being scheduled: nothing was built, the claim was released and the instance mapping removed.',
    });

  // 4b. The instance rows: every target cell (cell0 included) at once.
  const burial = planBurial(cells, burials);
  if (burial.cell0 === null) for (const s of burial.stuck) outcomes.set(s.pending.uuid, { instanceUuid: s.pending.uuid, result: 'stuck', message: s.message });
  const writes = new Map<string, { cell: CellMapping; items: InstanceToCreate[] }>();
  for (const c of toBuild) {
    const w = writes.get(c.candidate.cell.uuid) ?? { cell: c.candidate.cell, items: [] };
    w.items.push({ pending: c.pending, placement: { host: c.candidate.host, node: c.candidate.hypervisorHostname, computeId: c.candidate.id } });
    writes.set(c.candidate.cell.uuid, w);
  }
  if (burial.cell0 && burial.items.length > 0) writes.set(burial.cell0.uuid, { cell: burial.cell0, items: burial.items });
  const claimOf = new Map(toBuild.map((c) => [c.pending.uuid, c]));
  const faultOf = new Map(burials.map((b) => [b.pending.uuid, b.fault]));
  const created = new Map<string, CellMapping>();

  await Promise.all(
    [...writes.values()].map(async ({ cell, items }) => {
      let made: Set<string>;
      try {
        made = await createInstancesInCell(deps.registry.handleFor(cell), items, { now, requestId });
      } catch (e) {
        const why = classifyCellError(e).message;
        await releaseClaims(
          deps,
          items.flatMap((i) => claimOf.get(i.pending.uuid) ?? []),
          now,
        ).catch(() => {});
        for (const i of items)
          outcomes.set(i.pending.uuid, {
            instanceUuid: i.pending.uuid,
            result: 'stuck',
            message: `Cell ${cellLabel(cell)} failed while the instance was being written (${why}); the build request stays pending.`,
          });
        return;
      }
      const lost = items.filter((i) => !made.has(i.pending.uuid));
      await releaseClaims(
        deps,
        lost.flatMap((i) => claimOf.get(i.pending.uuid) ?? []),
        now,
      );
      for (const i of lost)
        outcomes.set(i.pending.uuid, {
          instanceUuid: i.pending.uuid,
          result: 'conflict',
          message: `Instance ${i.pending.uuid} already exists in cell ${cellLabel(cell)}: another conductor is building it, so this attempt backed off.`,
        });
      for (const u of made) created.set(u, cell);
    }),
  );
  await opts.afterStage?.('created');

  // 4c. The mappings, then the build requests.
  const toMap = [...created.entries()];
  const mappedNow = new Set<string>();
  if (toMap.length > 0) {
    const rows = await api<{ instance_uuid: string }[]>`
      update instance_mappings m set cell_id = v.cell_id::int, updated_at = ${now.toISOString()}::timestamp
      from (values ${api(toMap.map(([u, cell]) => [u, cell.id]))}) as v(uuid, cell_id)
      where m.instance_uuid = v.uuid and (m.cell_id is null or m.cell_id = v.cell_id::int)
      returning m.instance_uuid`;
    for (const r of rows) mappedNow.add(r.instance_uuid);
  }
  const notMapped = toMap.filter(([u]) => !mappedNow.has(u)).map(([u]) => u);
  if (notMapped.length > 0) {
    const now2 = await api<{ instance_uuid: string; cell_uuid: string | null; cell_name: string | null }[]>`
      select m.instance_uuid, c.uuid as cell_uuid, c.name as cell_name
      from instance_mappings m left join cell_mappings c on c.id = m.cell_id
      where m.instance_uuid in ${api(notMapped)}`;
    const elsewhere = now2.filter((m) => m.cell_uuid !== null);
    await destroyIn(
      deps,
      elsewhere.map((m) => [m.instance_uuid, created.get(m.instance_uuid)!] as const),
      now,
    );
    for (const m of elsewhere) {
      created.delete(m.instance_uuid);
      outcomes.set(m.instance_uuid, {
        instanceUuid: m.instance_uuid,
        result: 'conflict',
        message: `Instance ${m.instance_uuid} was mapped to cell ${cellLabel({ uuid: m.cell_uuid!, name: m.cell_name })} by another conductor meanwhile; the copy this run created was destroyed.`,
      });
    }
  }
  await opts.afterStage?.('mapped');

  const finishing = [...created.keys()];
  const consumed = new Set(
    finishing.length === 0
      ? []
      : (await api<{ instance_uuid: string }[]>`delete from build_requests where instance_uuid in ${api(finishing)} returning instance_uuid`).map(
          (r) => r.instance_uuid,
        ),
  );
  const lateDeletes = finishing.filter((u) => !consumed.has(u));
  await destroyIn(
    deps,
    lateDeletes.map((u) => [u, created.get(u)!] as const),
    now,
  );
  for (const u of lateDeletes)
    outcomes.set(u, {
      instanceUuid: u,
      result: 'deleted',
      message: `The build request was deleted while the server was being built: the instance created in cell ${cellLabel(created.get(u)!)} was destroyed again.`,
    });

  for (const u of consumed) {
    const cell = created.get(u)!;
    const claim = claimOf.get(u);
    if (claim) {
      outcomes.set(u, {
        instanceUuid: u,
        result: 'built',
        cell: summary(cell),
        host: claim.candidate.host,
        node: claim.candidate.hypervisorHostname,
        message: `Built in cell ${cellLabel(cell)} on host ${claim.candidate.host} (node ${claim.candidate.hypervisorHostname}).`,
      });
    } else {
      const fault = faultOf.get(u)!;
      outcomes.set(u, { instanceUuid: u, result: 'buried', cell: summary(cell), fault: { code: fault.code, message: fault.message }, message: fault.reason });
    }
  }
  return result();
}

/** Give back the claims of instances that will not be built, per cell, all cells at once. */
async function releaseClaims(deps: Deps, claims: readonly Claim[], now: Date): Promise<void> {
  const byCell = new Map<string, { cell: CellMapping; releases: Release[] }>();
  for (const c of claims) {
    const e = byCell.get(c.candidate.cell.uuid) ?? { cell: c.candidate.cell, releases: [] };
    e.releases.push({ nodeId: c.candidate.id, instances: 1, ...c.need });
    byCell.set(c.candidate.cell.uuid, e);
  }
  await Promise.all([...byCell.values()].map(({ cell, releases }) => releaseOnNodes(deps.registry.handleFor(cell).sql, releases, now)));
  // Keep the local picture in step, so later placements in this run see the room again.
  for (const c of claims) {
    c.candidate.vcpusUsed -= c.need.vcpus;
    c.candidate.memoryMbUsed -= c.need.memoryMb;
    c.candidate.localGbUsed -= c.need.diskGb;
  }
}

/**
 * nova's conductor, finding the build request gone before it created anything: "there is
 * no point in leaving an orphan instance mapping", so it is deleted — only while it still
 * has no cell, so a mapping another conductor has pointed at a cell is never removed.
 */
async function forgetMappings(deps: Deps, uuids: readonly string[]): Promise<void> {
  if (uuids.length === 0) return;
  const api = deps.api.sql;
  await api`delete from instance_mappings where instance_uuid in ${api(uuids as string[])} and cell_id is null`;
}

/** Destroy just-created instances, grouped by cell, all cells at once. */
async function destroyIn(deps: Deps, items: readonly (readonly [string, CellMapping])[], now: Date): Promise<void> {
  const byCell = new Map<string, { cell: CellMapping; uuids: string[] }>();
  for (const [u, cell] of items) {
    const e = byCell.get(cell.uuid) ?? { cell, uuids: [] };
    e.uuids.push(u);
    byCell.set(cell.uuid, e);
  }
  await Promise.all([...byCell.values()].map(({ cell, uuids }) => destroyInstances(deps.registry.handleFor(cell), uuids, now)));
}
