/** What fill_nova.py made in a nova deployment: its JSON, typed. */

export interface NovaFactsCell {
  uuid: string;
  name: string;
  transportUrl: string;
}

export interface NovaFactsFlavor {
  name: string;
  id: number;
  flavorid: string;
  memoryMb: number;
  vcpus: number;
  rootGb: number;
  ephemeralGb: number;
  extraSpecs: Record<string, string>;
}

export interface NovaFactsCompute {
  host: string;
  /** compute_nodes.hypervisor_hostname (instances.node): `<host>.example.org` */
  node: string;
  cell: 'cell1' | 'cell2';
  cellUuid: string;
  serviceId: number;
  serviceUuid: string;
  computeNodeId: number;
  computeNodeUuid: string;
  /** has a host mapping (made by nova's discover_hosts, compute_nodes.mapped = 1) */
  mapped: boolean;
}

export type NovaInstancePurpose = 'live' | 'sameCreatedAt' | 'deleted' | 'unmapped' | 'buried';

export interface NovaFactsInstance {
  uuid: string;
  purpose: NovaInstancePurpose;
  displayName: string;
  cell: 'cell0' | 'cell1' | 'cell2';
  cellUuid: string;
  host: string | null;
  node: string | null;
  flavor: string;
  projectId: string;
  userId: string;
  vmState: string;
  taskState: string | null;
  deleted: boolean;
  /** has an instance mapping */
  mapped: boolean;
  /** ISO 8601 with +00:00 (nova stores naive UTC) */
  createdAt: string | null;
}

export interface NovaFacts {
  novaVersion: string;
  cells: Record<'cell0' | 'cell1' | 'cell2', NovaFactsCell>;
  projects: Record<'a' | 'b', { projectId: string; userId: string }>;
  flavors: NovaFactsFlavor[];
  computes: NovaFactsCompute[];
  hosts: {
    /** mapped hosts of each cell */
    cell1: string[];
    cell2: string[];
    mapped: string[];
    /** service + compute node, no host mapping: ['cmp1-unmapped'] */
    unmapped: string[];
  };
  instances: NovaFactsInstance[];
  byPurpose: {
    /** mapped, not deleted, in cell1/cell2 (sameCreatedAt included) */
    live: string[];
    /** two cell1 instances with created_at = tieCreatedAt */
    sameCreatedAt: string[];
    /** soft-deleted by Instance.destroy (deleted = id), mapping queued_for_delete */
    deleted: string;
    /** two cell1 instances with no instance mapping, both created_at = unmappedCreatedAt */
    unmapped: string[];
    buried: string;
    /** the pending boot's instance uuid (build request, request spec, mapping with no cell) */
    pending: string;
  };
  tieCreatedAt: string;
  unmappedCreatedAt: string;
  buried: {
    uuid: string;
    cellUuid: string;
    flavor: string;
    vmState: 'error';
    taskState: null;
    fault: { code: number; message: string; hasDetails: boolean; host: string };
  };
  pending: {
    buildRequestInstanceUuid: string;
    buildRequestId: number;
    requestSpecId: number;
    flavor: string;
    projectId: string;
    displayName: string;
  };
}

// ---- the deployment ---------------------------------------------------------------
