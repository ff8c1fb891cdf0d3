/**
 * Test helpers for the boot area: a throwaway deployment on the real test server with
 * flavors, computes registered the way nova-compute registers (registerCompute) and
 * host mappings inserted directly, and readers for what a test checks afterwards.
 */
import { flavors, hostMappings } from '@/db/api/schema';
import type { CellHandle } from '@/db/connect';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { registerCompute } from './register-compute';

export const FLAVORS = {
  'm1.tiny': { flavorid: '1', vcpus: 1, memoryMb: 512, rootGb: 1, ephemeralGb: 0, swap: 0 },
  'm1.small': { flavorid: '2', vcpus: 1, memoryMb: 2048, rootGb: 20, ephemeralGb: 0, swap: 0 },
  'm1.medium': { flavorid: '3', vcpus: 2, memoryMb: 4096, rootGb: 40, ephemeralGb: 0, swap: 0 },
  'm1.huge': { flavorid: '9', vcpus: 64, memoryMb: 262144, rootGb: 2000, ephemeralGb: 0, swap: 0 },
  'm1.swap': { flavorid: '10', vcpus: 1, memoryMb: 1024, rootGb: 10, ephemeralGb: 5, swap: 1536 },
} as const;

export interface BootTestDeployment {
  dep: TestDeployment;
  deps: Deps;
  cell1: TestCell;
  cell2: TestCell;
  flavorId: Record<keyof typeof FLAVORS, number>;
  /** Register a compute (service up, node unmapped) and, unless mapped: false, map its host to the cell. */
  compute(cell: TestCell, host: string, size: { vcpus?: number; memoryMb?: number; localGb?: number }, opts?: { mapped?: boolean }): Promise<number>;
  /**
   * Start the next test from no computes: soft-delete every compute node and service,
   * drop host mappings, enable every cell and remove cells a test added. Cheaper than a
   * fresh deployment per test on a busy machine; instances and requests stay, and tests
   * only look at their own uuids.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function bootDeployment(opts: { deadlineMs?: number } = {}): Promise<BootTestDeployment> {
  const dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  const deps: Deps = { api: dep.api, registry: dep.registry, deadlineMs: opts.deadlineMs ?? 2000, serviceDownTimeS: 60, now: () => new Date() };
  const rows = await dep.api.db
    .insert(flavors)
    .values(Object.entries(FLAVORS).map(([name, f]) => ({ name, ...f })))
    .returning({ id: flavors.id, name: flavors.name });
  const flavorId = Object.fromEntries(rows.map((r) => [r.name, r.id])) as Record<keyof typeof FLAVORS, number>;
  return {
    dep,
    deps,
    cell1: dep.cells[0]!,
    cell2: dep.cells[1]!,
    flavorId,
    async compute(cell, host, size, { mapped = true } = {}) {
      const r = await registerCompute(deps, {
        cellUuid: cell.uuid,
        host,
        vcpus: size.vcpus ?? 16,
        memoryMb: size.memoryMb ?? 65536,
        localGb: size.localGb ?? 500,
      });
      if (mapped) await dep.api.db.insert(hostMappings).values({ cellId: cell.id, host });
      return r.computeNodeId;
    },
    async reset() {
      await Promise.all(
        [dep.cell0, ...dep.cells].map(async (c) => {
          await c.handle.sql`update compute_nodes set deleted = id where deleted = 0`;
          await c.handle.sql`update services set deleted = id where deleted = 0`;
        }),
      );
      const keep = [dep.cell0.uuid, ...dep.cells.map((c) => c.uuid)];
      await dep.api.sql`delete from host_mappings`;
      await dep.api.sql`delete from cell_mappings where uuid not in ${dep.api.sql(keep)}`;
      await dep.api.sql`update cell_mappings set disabled = false`;
    },
    close: () => dep.close(),
  };
}

export interface NodeRow {
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  running_vms: number;
  free_ram_mb: number;
  free_disk_gb: number;
}

export async function nodeUsage(cell: { handle: CellHandle }, nodeId: number): Promise<NodeRow> {
  const [row] = await cell.handle.sql<NodeRow[]>`
    select vcpus_used, memory_mb_used, local_gb_used, running_vms, free_ram_mb, free_disk_gb from compute_nodes where id = ${nodeId}`;
  return row!;
}

/** Live (deleted = 0) instance rows with this uuid in a cell. */
export async function liveInstances(cell: { handle: CellHandle }, uuids: readonly string[]) {
  if (uuids.length === 0) return [];
  return cell.handle.sql<{ uuid: string; vm_state: string | null; host: string | null }[]>`
    select uuid, vm_state, host from instances where uuid in ${cell.handle.sql(uuids as string[])} and deleted = 0`;
}
