/**
 * A compute host registering itself with its cell, as nova-compute does when it starts:
 * its `nova-compute` service row (heartbeat now, so it is up) and its compute node with
 * the inventory it reports. It does not touch the api database: the host stays unmapped
 * until discover_hosts maps it (cells-v2.md §2.4), which is exactly the window in which
 * nova's scheduler can pick it and bury the boot in cell0.
 *
 * Idempotent like a compute restart: the service is found again by (host, binary,
 * deleted) and the node by (host, hypervisor_hostname, deleted) — nova's unique keys —
 * through INSERT … ON CONFLICT, so concurrent registrations never make two rows.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { cellLabel, readCellMappings } from '../cells/mappings';
import { isCell0, SERVICE_VERSION } from '../nova/constants';
import { DEFAULT_ALLOCATION_RATIOS } from './fit';

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

export async function registerCompute(deps: Deps, input: RegisterComputeInput): Promise<RegisteredCompute> {
  const parsed = registerComputeInput.safeParse(input);
  if (!parsed.success) throw refuse.invalid(parsed.error.issues.map((i) => i.message).join('; '), 1);
  const req = parsed.data;
  const cell = (await readCellMappings(deps.api)).find((c) => c.uuid === req.cellUuid);
  if (!cell) throw refuse.notFound(`Cell with uuid ${req.cellUuid} was not found.`, 1);
  if (isCell0(cell.uuid)) {
    // nova-api logs "Found compute service … in cell0; This should never happen!" for one.
    throw refuse.invalid('cell0 holds no compute hosts: a nova-compute service registers with a real cell.', 1);
  }
  const hh = req.hypervisorHostname ?? req.host;
  const now = deps.now();
  const handle = deps.registry.handleFor(cell);

  const registered = await handle.sql.begin(async (sql) => {
    const [svc] = await sql<{ id: number; created: boolean }[]>`
      insert into services (uuid, host, "binary", topic, report_count, disabled, last_seen_up, forced_down, version, created_at, updated_at)
      values (${crypto.randomUUID()}, ${req.host}, 'nova-compute', 'compute', 0, false, ${now.toISOString()}::timestamp, false, ${SERVICE_VERSION}, ${now.toISOString()}::timestamp, ${now.toISOString()}::timestamp)
      on conflict on constraint uniq_services0host0binary0deleted do update set
        last_seen_up = excluded.last_seen_up,
        report_count = services.report_count + 1,
        version = excluded.version,
        updated_at = excluded.updated_at
      returning id, (xmax = 0) as created`;
    const [node] = await sql<{ id: number; uuid: string; created: boolean }[]>`
      insert into compute_nodes (uuid, service_id, host, hypervisor_hostname, vcpus, memory_mb, local_gb,
        vcpus_used, memory_mb_used, local_gb_used, free_ram_mb, free_disk_gb, disk_available_least, running_vms, current_workload,
        hypervisor_type, hypervisor_version, cpu_info,
        cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, mapped, created_at, updated_at)
      values (${crypto.randomUUID()}, ${svc!.id}, ${req.host}, ${hh}, ${req.vcpus}, ${req.memoryMb}, ${req.localGb},
        0, ${RESERVED_HOST_MEMORY_MB}, 0, ${req.memoryMb - RESERVED_HOST_MEMORY_MB}, ${req.localGb}, ${req.localGb}, 0, 0,
        'QEMU', 8002002, ${JSON.stringify({ arch: 'x86_64', topology: { cells: 1, sockets: 1, cores: req.vcpus, threads: 1 }, features: [] })},
        ${DEFAULT_ALLOCATION_RATIOS.cpu}, ${DEFAULT_ALLOCATION_RATIOS.ram}, ${DEFAULT_ALLOCATION_RATIOS.disk}, 0, ${now.toISOString()}::timestamp, ${now.toISOString()}::timestamp)
      on conflict on constraint uniq_compute_nodes0host0hypervisor_hostname0deleted do update set
        service_id = excluded.service_id,
        vcpus = excluded.vcpus,
        memory_mb = excluded.memory_mb,
        local_gb = excluded.local_gb,
        free_ram_mb = excluded.memory_mb - compute_nodes.memory_mb_used,
        free_disk_gb = excluded.local_gb - compute_nodes.local_gb_used,
        updated_at = excluded.updated_at
      returning id, uuid, (xmax = 0) as created`;
    return { svc: svc!, node: node! };
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
