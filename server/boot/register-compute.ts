import 'server-only';
/**
 * A compute host registering itself with its cell, as nova-compute does when it starts:
 * its `nova-compute` service row (heartbeat now, so it is up) and its compute node with
 * the inventory it reports. It does not touch the api database: the host stays unmapped
 * until discover_hosts maps it (cells-v2.md §2.4), which is exactly the window in which
 * nova's scheduler can pick it and bury the boot in cell0.
 *
 * Idempotent like a compute restart: the service is found again by (host, binary,
 * deleted) and the node by (host, hypervisor_hostname, deleted) — nova's unique keys —
 * and concurrent registrations never make two rows nor fail, whichever of the tables'
 * several unique keys their race trips. `deleted` is written as 0: nova's columns have no
 * server default, and a NULL there would escape those unique keys.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { cellLabel, cellNotFound } from '../cells/cell-ref';
import { readCellMappings } from '../cells/mappings';
import { isCell0, SERVICE_VERSION } from '../nova/constants';
import { type CapacityOptions, initialAllocationRatios } from './fit';
import { refuseStandInOnNova } from './stand-in';

/** nova's default reserved_host_memory_mb: the resource tracker counts it in memory_mb_used. */
export const RESERVED_HOST_MEMORY_MB = 512;

const count = (what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be at least 1`)
    .max(2_000_000_000, `${what} is too large`);

export const registerComputeInput = z.object({
  cellUuid: z.string().trim().min(1, 'The cell uuid must not be empty'),
  host: z.string().trim().min(1, 'The host must not be empty').max(255, 'The host must be at most 255 characters'),
  hypervisorHostname: z.string().trim().min(1).max(255, 'The hypervisor hostname must be at most 255 characters').optional(),
  vcpus: count('--vcpus').default(16),
  memoryMb: count('--memory_mb').default(65536),
  localGb: count('--local_gb').default(500),
  /** On a deployment nova made, a compute registers itself: refused unless this is true (stand-in.ts). */
  allowOnNova: z.boolean().optional(),
});
export type RegisterComputeInput = z.input<typeof registerComputeInput>;

export interface RegisteredCompute {
  cell: { uuid: string; name: string | null };
  host: string;
  hypervisorHostname: string;
  serviceId: number;
  serviceCreated: boolean;
  computeNodeId: number;
  computeNodeUuid: string;
  computeNodeCreated: boolean;
  /** Whether host_mappings already maps the host (registration never maps it). */
  hostMapped: boolean;
  message: string;
}

/**
 * Insert, else update the row that holds the key. When neither finds a row, the conflict
 * was on another unique key held by a different row (a service of another binary with
 * topic "compute", say) or the row was deleted in between: ask again a couple of times,
 * then refuse plainly rather than loop.
 */
async function firstOf<Row>(what: string, insert: () => Promise<Row[]>, update: () => Promise<Row[]>, host: string): Promise<Row> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [inserted] = await insert();
    if (inserted) return inserted;
    const [updated] = await update();
    if (updated) return updated;
  }
  throw refuse.conflict(`Could not register ${what} of host ${host}: another row in the cell holds the same host under a different key.`, 1);
}

export async function registerCompute(deps: Deps & CapacityOptions, input: RegisterComputeInput): Promise<RegisteredCompute> {
  const parsed = registerComputeInput.safeParse(input);
  if (!parsed.success) throw refuse.invalid(parsed.error.issues.map((i) => i.message).join('; '), 1);
  const req = parsed.data;
  await refuseStandInOnNova(deps, 'register_compute', req.allowOnNova);
  const cell = (await readCellMappings(deps.api)).find((c) => c.uuid === req.cellUuid);
  if (!cell) throw cellNotFound(req.cellUuid, 1);
  if (isCell0(cell.uuid)) {
    // nova-api logs "Found compute service … in cell0; This should never happen!" for one.
    throw refuse.invalid('cell0 holds no compute hosts: a nova-compute service registers with a real cell.', 1);
  }
  const hh = req.hypervisorHostname ?? req.host;
  const now = deps.now();
  const handle = deps.registry.handleFor(cell);

  const ts = now.toISOString();
  // A new node gets the ratios nova's resource tracker writes on one: [DEFAULT]initial_*_allocation_ratio
  // (resource_tracker.py::_copy_resources, initial=True). A registration again leaves them, as nova
  // does unless [DEFAULT]*_allocation_ratio is set (Cellar has no such setting).
  const ratios = initialAllocationRatios(deps);
  const registered = await handle.sql.begin(async (sql) => {
    // services has two unique keys, (host, binary, deleted) and (host, topic, deleted), and
    // compute_nodes two, (host, hypervisor_hostname, deleted) and uuid. ON CONFLICT … DO
    // UPDATE arbitrates only the key it names: a concurrent insert that trips the other one
    // is a unique violation. So: insert arbitrating every key (DO NOTHING with no target
    // waits for the competing insert to commit), then update the row that won. Each
    // statement of a read-committed transaction sees what committed before it.
    const svc = await firstOf(
      'the nova-compute service',
      () => sql<{ id: number; created: boolean }[]>`
        insert into services (uuid, host, "binary", topic, report_count, disabled, last_seen_up, forced_down, version, created_at, updated_at, deleted)
        values (${crypto.randomUUID()}, ${req.host}, 'nova-compute', 'compute', 0, false, ${ts}::timestamp, false, ${SERVICE_VERSION}, ${ts}::timestamp, ${ts}::timestamp, 0)
        on conflict do nothing
        returning id, true as created`,
      () => sql<{ id: number; created: boolean }[]>`
        update services set
          last_seen_up = ${ts}::timestamp,
          report_count = report_count + 1,
          version = ${SERVICE_VERSION},
          updated_at = ${ts}::timestamp
        where host = ${req.host} and "binary" = 'nova-compute' and deleted = 0
        returning id, false as created`,
      req.host,
    );
    const node = await firstOf(
      'the compute node',
      () => sql<{ id: number; uuid: string; created: boolean }[]>`
        insert into compute_nodes (uuid, service_id, host, hypervisor_hostname, vcpus, memory_mb, local_gb,
          vcpus_used, memory_mb_used, local_gb_used, free_ram_mb, free_disk_gb, disk_available_least, running_vms, current_workload,
          hypervisor_type, hypervisor_version, cpu_info,
          cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, mapped, created_at, updated_at, deleted)
        values (${crypto.randomUUID()}, ${svc.id}, ${req.host}, ${hh}, ${req.vcpus}, ${req.memoryMb}, ${req.localGb},
          0, ${RESERVED_HOST_MEMORY_MB}, 0, ${req.memoryMb - RESERVED_HOST_MEMORY_MB}, ${req.localGb}, ${req.localGb}, 0, 0,
          'QEMU', 8002002, ${JSON.stringify({ arch: 'x86_64', topology: { cells: 1, sockets: 1, cores: req.vcpus, threads: 1 }, features: [] })},
          ${ratios.cpu}, ${ratios.ram}, ${ratios.disk}, 0, ${ts}::timestamp, ${ts}::timestamp, 0)
        on conflict do nothing
        returning id, uuid, true as created`,
      () => sql<{ id: number; uuid: string; created: boolean }[]>`
        update compute_nodes set
          service_id = ${svc.id},
          vcpus = ${req.vcpus},
          memory_mb = ${req.memoryMb},
          local_gb = ${req.localGb},
          free_ram_mb = ${req.memoryMb} - memory_mb_used,
          free_disk_gb = ${req.localGb} - local_gb_used,
          updated_at = ${ts}::timestamp
        where host = ${req.host} and hypervisor_hostname = ${hh} and deleted = 0
        returning id, uuid, false as created`,
      req.host,
    );
    return { svc, node };
  });

  const [mapping] = await deps.api.sql<{ n: number }[]>`select count(*)::int as n from host_mappings where host = ${req.host}`;
  const hostMapped = (mapping?.n ?? 0) > 0;
  const what = registered.node.created ? 'registered' : 'updated';
  return {
    cell: { uuid: cell.uuid, name: cell.name },
    host: req.host,
    hypervisorHostname: hh,
    serviceId: registered.svc.id,
    serviceCreated: registered.svc.created,
    computeNodeId: registered.node.id,
    computeNodeUuid: registered.node.uuid,
    computeNodeCreated: registered.node.created,
    hostMapped,
    message: hostMapped
      ? `Compute node ${hh} on host ${req.host} ${what} in cell ${cellLabel(cell)}; the host is mapped.`
      : `Compute node ${hh} on host ${req.host} ${what} in cell ${cellLabel(cell)}. The host is not mapped yet: run discover_hosts to map it.`,
  };
}
