/** Test helpers: arrange compute nodes, services and host mappings the way nova writes them. */
import type { ApiHandle, CellHandle } from '@/db/connect';
import { SERVICE_VERSION } from '../nova/constants';

export interface ComputeOpts {
  version?: number;
  forcedDown?: boolean;
  /** Seconds since the last heartbeat (default 5: up). */
  lastSeenAgoS?: number;
  /** Soft-delete both rows (deleted = id), as nova's service delete does. */
  deleted?: boolean;
  /** Only the nova-compute service, no compute node (ironic before its nodes, `--by-service`). */
  serviceOnly?: boolean;
  /** Only the compute node, no service row. */
  nodeOnly?: boolean;
}

/** A nova-compute service and its compute node for `host` in a cell database. */
export async function addCompute(cell: CellHandle, host: string, o: ComputeOpts = {}): Promise<void> {
  const seen = new Date(Date.now() - (o.lastSeenAgoS ?? 5) * 1000).toISOString().replace('T', ' ').replace('Z', '');
  await cell.sql.begin(async (tx) => {
    if (!o.nodeOnly) {
      const [svc] = await tx<{ id: number }[]>`
        insert into services (host, "binary", topic, report_count, disabled, last_seen_up, forced_down, version)
        values (${host}, 'nova-compute', 'compute', 10, false, ${seen}::timestamp, ${o.forcedDown ?? false}, ${o.version ?? SERVICE_VERSION})
        returning id`;
      if (o.deleted) await tx`update services set deleted = id, deleted_at = now() at time zone 'utc' where id = ${svc!.id}`;
    }
    if (!o.serviceOnly) {
      const [node] = await tx<{ id: number }[]>`
        insert into compute_nodes (host, hypervisor_hostname, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used,
                                   hypervisor_type, hypervisor_version, cpu_info, mapped)
        values (${host}, ${host}, 8, 16384, 100, 0, 512, 0, 'QEMU', 8002000, '{}', 0)
        returning id`;
      if (o.deleted) await tx`update compute_nodes set deleted = id, deleted_at = now() at time zone 'utc' where id = ${node!.id}`;
    }
  });
}

export async function mapHost(api: ApiHandle, cellId: number, host: string): Promise<void> {
  await api.sql`insert into host_mappings (cell_id, host) values (${cellId}, ${host})`;
}
