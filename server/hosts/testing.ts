/** Test helpers for the hosts area: compute hosts written into a cell database as nova writes them. */
import crypto from 'node:crypto';
import { computeNodes, services } from '@/db/cell/schema';
import type { CellHandle } from '@/db/connect';
import type { TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
export { closedPort, silentServer } from '@/db/testing/network';

export interface ComputeHostSpec {
  host: string;
  /** Hypervisor hostnames of its nodes; default one node named like the host. */
  nodes?: string[];
  /** compute_nodes.mapped of every node (nova's default 0; NULL on rows older than Pike). */
  mapped?: number | null;
  /** Soft-deleted nodes (deleted = id) as a removed compute leaves them. */
  deletedNodes?: boolean;
  /** The nova-compute service row; false = none. */
  service?: false | { disabled?: boolean; disabledReason?: string; forcedDown?: boolean; lastSeenUp?: Date | null; deleted?: boolean };
  createdAt?: Date;
}

/** One insert of nodes and one of services for all the hosts given. */
export async function addComputeHosts(cell: { handle: CellHandle }, hosts: ComputeHostSpec[]): Promise<void> {
  const nodes = hosts.flatMap((h) =>
    (h.nodes ?? [h.host]).map((hh) => ({
      uuid: crypto.randomUUID(),
      host: h.host,
      hypervisorHostname: hh,
      vcpus: 64,
      memoryMb: 262_144,
      localGb: 1800,
      vcpusUsed: 0,
      memoryMbUsed: 512,
      localGbUsed: 0,
      hypervisorType: 'QEMU',
      hypervisorVersion: 8002002,
      cpuInfo: '{}',
      mapped: h.mapped === undefined ? 0 : h.mapped,
      createdAt: h.createdAt ?? new Date(),
      deleted: 0,
    })),
  );
  if (nodes.length > 0) {
    const rows = await cell.handle.db.insert(computeNodes).values(nodes).returning({ id: computeNodes.id, host: computeNodes.host });
    const gone = new Set(hosts.filter((h) => h.deletedNodes).map((h) => h.host));
    const ids = rows.filter((r) => gone.has(r.host!)).map((r) => r.id);
    if (ids.length > 0) {
      await cell.handle.sql`update compute_nodes set deleted = id, deleted_at = (now() at time zone 'utc') where id = any(${ids}::int[])`;
    }
  }
  const svc = hosts.flatMap((h) =>
    h.service === false
      ? []
      : [
          {
            uuid: crypto.randomUUID(),
            host: h.host,
            binary: 'nova-compute',
            topic: 'compute',
            disabled: h.service?.disabled ?? false,
            disabledReason: h.service?.disabledReason ?? null,
            forcedDown: h.service?.forcedDown ?? false,
            lastSeenUp: h.service?.lastSeenUp === undefined ? new Date() : h.service.lastSeenUp,
            createdAt: h.createdAt ?? new Date(),
          },
        ],
  );
  if (svc.length > 0) {
    const rows = await cell.handle.db.insert(services).values(svc).returning({ id: services.id, host: services.host });
    const gone = new Set(hosts.filter((h) => typeof h.service === 'object' && h.service.deleted).map((h) => h.host));
    const ids = rows.filter((r) => gone.has(r.host!)).map((r) => r.id);
    if (ids.length > 0) await cell.handle.sql`update services set deleted = id where id = any(${ids}::int[])`;
  }
}

/** The mapped flag of every live node of these hosts, by hypervisor hostname. */
export async function mappedFlags(cell: { handle: CellHandle }, hosts: string[]): Promise<Record<string, number | null>> {
  const rows = await cell.handle.sql<{ hypervisor_hostname: string; mapped: number | null }[]>`
    select hypervisor_hostname, mapped from compute_nodes where deleted = 0 and host = any(${hosts}::text[])`;
  return Object.fromEntries(rows.map((r) => [r.hypervisor_hostname, r.mapped]));
}

/** host → cell uuid for every host mapping. */
export async function hostMappingsByHost(dep: TestDeployment): Promise<Record<string, string>> {
  const rows = await dep.api.sql<{ host: string; uuid: string }[]>`
    select h.host, c.uuid from host_mappings h join cell_mappings c on c.id = h.cell_id`;
  return Object.fromEntries(rows.map((r) => [r.host, r.uuid]));
}

export function testDeps(dep: TestDeployment, deadlineMs = 5000): Deps {
  return { api: dep.api, registry: dep.registry, deadlineMs, serviceDownTimeS: 60, now: () => new Date() };
}
