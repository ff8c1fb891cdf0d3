import 'server-only';
/**
 * The demo deployment: fills an api database and three cell databases (cell0, cell1,
 * cell2; schemas migrated, cell mappings already present) with a realistic, varied nova
 * cells v2 deployment, written the way nova writes it (cells-v2.md §1–§3, §5).
 *
 * Deterministic: a seeded PRNG picks everything and uuids are name-based (sha1), so a
 * fresh set of databases seeded with the same `now` holds the same rows. Times are
 * relative to `now` and stored as naive UTC with whole seconds, as nova's DATETIMEs are.
 *
 * Writes are set-based: one multi-row insert per table per database, generated ids
 * taken from `.returning()`, soft deletes done afterwards with `deleted = id`. Each
 * database's writes are one transaction.
 */
import crypto from 'node:crypto';

import { eq, inArray, sql } from 'drizzle-orm';
import { buildRequests, flavorExtraSpecs, flavorProjects, flavors, hostMappings, instanceMappings, requestSpecs } from '../../db/api/schema';
import { computeNodes, instanceActions, instanceActionsEvents, instanceExtra, instanceFaults, instances, services } from '../../db/cell/schema';
import type { ApiHandle, CellHandle } from '../../db/connect';
import { NOVA_INITIAL_ALLOCATION_RATIOS } from '../nova/capacity';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER, NO_VALID_HOST, POWER_STATE, SERVICE_VERSION } from '../nova/constants';
import {
  buildRequestInstancePrimitive,
  flavorPrimitive,
  type FlavorData,
  type ImageLike,
  imageBdmListPrimitive,
  instanceExtraFlavor,
  type Primitive,
  requestSpecPrimitive,
  sanitizeHostname,
  tagListPrimitive,
} from '../nova/primitives';

// ---------------------------------------------------------------------------------------
// Public shape
// ---------------------------------------------------------------------------------------

export interface DemoCell {
  id: number;
  uuid: string;
  handle: CellHandle;
}

export interface SeedDemoDeps {
  api: ApiHandle;
  cells: { cell0: DemoCell; cell1: DemoCell; cell2: DemoCell };
  now?: Date;
}

export type DemoCellKey = 'cell0' | 'cell1' | 'cell2';

export interface DemoInstanceCounts {
  /** Every instances row in the cell database, deleted ones and the fake VIF instance included. */
  rows: number;
  /** deleted = 0 and vm_state != 'soft-delete'. */
  live: number;
  /** vm_state 'soft-delete' with deleted = 0 (restorable). */
  softDeleted: number;
  /** deleted = id (the fake VIF instance included). */
  deleted: number;
  /** Live rows by vm_state. */
  byVmState: Record<string, number>;
}

export interface DemoSummary {
  now: Date;
  projects: Array<{ name: string; id: string }>;
  flavors: {
    /** Names present in `flavors` after seeding. */
    live: string[];
    /** The flavor instances used and that was then hard-deleted. */
    deleted: { name: string; id: number; flavorid: string };
    gpu: string;
    private: { name: string; projects: string[] };
  };
  hosts: {
    /** Compute service hosts with a host_mappings row. */
    mapped: string[];
    /** Compute service hosts with compute nodes but no host_mappings row. */
    unmapped: string[];
    unmappedByCell: { cell1: string[]; cell2: string[] };
    byCell: { cell1: string[]; cell2: string[] };
    /** The one compute service whose heartbeat is old (~2 h). */
    down: string;
    disabled: { host: string; reason: string };
    /** One service host with two compute nodes; only `mappedNode` has mapped = 1. */
    ironic: { host: string; nodes: string[]; mappedNode: string };
    conductorHosts: string[];
  };
  services: Record<DemoCellKey, number>;
  instances: Record<DemoCellKey, DemoInstanceCounts>;
  cell0: {
    /** Live buried instances (vm_state error). */
    failed: number;
    deletedUuid: string;
    /** The cell0 instance with two faults; the later one is the latest (MAX(id)). */
    twoFaultsUuid: string;
    /** Flavors of the cell0 instances whose fault is "…There are not enough hosts available." */
    notEnoughHostsFlavors: string[];
  };
  /** Cell instances whose embedded flavor is the deleted one. */
  legacyInstanceUuids: string[];
  /** A cell1 instance put in ERROR by the quota recheck (§5.2 step 3): host NULL, no request spec. */
  quotaRecheckErrorUuid: string;
  buildRequests: { fresh: string[]; stuck: string[]; unparseable: string[]; nullInstance: string[] };
  orphanMappingUuid: string;
  /** instance_mappings.instance_uuid of the map_instances marker, spaces and all. */
  markerInstanceUuid: string;
  fakeInstanceUuid: string;
}

// ---------------------------------------------------------------------------------------
// Determinism helpers
// ---------------------------------------------------------------------------------------

const DEMO_SEED = 0xce11a2;

/** mulberry32: small, fast, good enough for demo data. */
class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return must(items[Math.floor(this.next() * items.length)]);
  }
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return must(items[items.length - 1])[0];
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }
}

function must<T>(v: T | undefined | null, what = 'value'): T {
  if (v === undefined || v === null) throw new Error(`demo seed: missing ${what}`);
  return v;
}

/** A name-based (v5-style, sha1) uuid: the same parts always give the same uuid. */
export function demoUuid(...parts: Array<string | number>): string {
  const h = crypto
    .createHash('sha1')
    .update(`cellar-demo/${parts.join('/')}`)
    .digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A Keystone-like id (32 hex characters). */
function keystoneId(kind: string, name: string): string {
  return crypto.createHash('sha256').update(`cellar-demo/${kind}/${name}`).digest('hex').slice(0, 32);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------
// The catalogue: projects, images, flavors, hosts
// ---------------------------------------------------------------------------------------

interface ProjectDef {
  name: string;
  users: string[];
  prefixes: string[];
  weight: number;
}

const PROJECTS: ProjectDef[] = [
  { name: 'web-frontend', users: ['alice.nguyen', 'deploy-bot'], prefixes: ['web-prod', 'web-canary', 'haproxy'], weight: 5 },
  { name: 'data-platform', users: ['marta.kowalski', 'etl-svc'], prefixes: ['kafka-broker', 'pg-replica', 'spark-worker'], weight: 4 },
  { name: 'ml-research', users: ['raj.patel', 'li.wei'], prefixes: ['jupyter', 'feature-store'], weight: 2 },
  { name: 'ci-runners', users: ['gitlab-runner'], prefixes: ['ci-runner'], weight: 4 },
  { name: 'billing', users: ['tomas.berg'], prefixes: ['billing-api', 'billing-worker'], weight: 2 },
  { name: 'sandbox', users: ['intern-01', 'alice.nguyen'], prefixes: ['test-vm', 'ubuntu-test'], weight: 2 },
];

interface ImageDef extends ImageLike {
  id: string;
  name: string;
  weight: number;
  minDisk: number;
}

const IMAGES: ImageDef[] = [
  {
    id: demoUuid('image', 'ubuntu-24.04'),
    name: 'ubuntu-24.04-server-cloudimg-amd64',
    size: 601_882_624,
    minDisk: 0,
    weight: 6,
    properties: { os_distro: 'ubuntu', os_version: '24.04', hw_disk_bus: 'virtio' },
  },
  {
    id: demoUuid('image', 'ubuntu-22.04'),
    name: 'ubuntu-22.04-server-cloudimg-amd64',
    size: 659_292_160,
    minDisk: 0,
    weight: 3,
    properties: { os_distro: 'ubuntu', os_version: '22.04' },
  },
  {
    id: demoUuid('image', 'debian-12'),
    name: 'debian-12-genericcloud-amd64',
    size: 335_872_000,
    minDisk: 0,
    weight: 3,
    properties: { os_distro: 'debian', os_version: '12' },
  },
  {
    id: demoUuid('image', 'rocky-9'),
    name: 'Rocky-9-GenericCloud-Base-9.5',
    size: 609_812_480,
    minDisk: 10,
    weight: 2,
    properties: { os_distro: 'rocky', os_version: '9.5' },
  },
  { id: demoUuid('image', 'cirros'), name: 'cirros-0.6.2-x86_64-disk', size: 21_430_272, minDisk: 0, weight: 1, properties: { os_distro: 'cirros' } },
  {
    id: demoUuid('image', 'windows-2022'),
    name: 'windows-server-2022-std-2025.06',
    size: 10_737_418_240,
    minDisk: 40,
    weight: 1,
    properties: { os_type: 'windows', os_distro: 'windows', hw_machine_type: 'q35' },
  },
];

interface FlavorDef {
  name: string;
  flavorid: string;
  memoryMb: number;
  vcpus: number;
  rootGb: number;
  ephemeralGb: number;
  swap: number;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
  projects: string[];
  createdDaysAgo: number;
}

const LEGACY = 'm1.legacy';
const GPU = 'g1.a100.xlarge';
const PRIVATE = 'p1.billing-db';

const FLAVOR_DEFS: FlavorDef[] = [
  {
    name: 'm1.tiny',
    flavorid: '1',
    memoryMb: 512,
    vcpus: 1,
    rootGb: 1,
    ephemeralGb: 0,
    swap: 0,
    description: null,
    isPublic: true,
    extraSpecs: {},
    projects: [],
    createdDaysAgo: 820,
  },
  {
    name: 'm1.small',
    flavorid: '2',
    memoryMb: 2048,
    vcpus: 1,
    rootGb: 20,
    ephemeralGb: 0,
    swap: 0,
    description: null,
    isPublic: true,
    extraSpecs: {},
    projects: [],
    createdDaysAgo: 820,
  },
  {
    name: 'm1.medium',
    flavorid: '3',
    memoryMb: 4096,
    vcpus: 2,
    rootGb: 40,
    ephemeralGb: 0,
    swap: 0,
    description: null,
    isPublic: true,
    extraSpecs: {},
    projects: [],
    createdDaysAgo: 820,
  },
  {
    name: 'm1.large',
    flavorid: '4',
    memoryMb: 8192,
    vcpus: 4,
    rootGb: 80,
    ephemeralGb: 0,
    swap: 0,
    description: null,
    isPublic: true,
    extraSpecs: {},
    projects: [],
    createdDaysAgo: 820,
  },
  {
    name: 'm1.xlarge',
    flavorid: '5',
    memoryMb: 16384,
    vcpus: 8,
    rootGb: 160,
    ephemeralGb: 0,
    swap: 0,
    description: null,
    isPublic: true,
    extraSpecs: { 'hw:mem_page_size': 'any' },
    projects: [],
    createdDaysAgo: 820,
  },
  {
    name: LEGACY,
    flavorid: '6',
    memoryMb: 3072,
    vcpus: 2,
    rootGb: 30,
    ephemeralGb: 10,
    swap: 1024,
    description: 'General purpose (2021 generation). Retired: use m1.medium.',
    isPublic: true,
    extraSpecs: { 'hw:cpu_policy': 'shared', 'quota:disk_total_iops_sec': '2000' },
    projects: [],
    createdDaysAgo: 790,
  },
  {
    name: GPU,
    flavorid: 'g1-a100-xl',
    memoryMb: 65536,
    vcpus: 16,
    rootGb: 200,
    ephemeralGb: 0,
    swap: 0,
    description: '16 vCPU, 64 GiB, one NVIDIA A100 vGPU',
    isPublic: true,
    extraSpecs: { 'resources:VGPU': '1', 'trait:CUSTOM_GPU_A100': 'required', 'hw:mem_page_size': 'large' },
    projects: [],
    createdDaysAgo: 210,
  },
  {
    name: PRIVATE,
    flavorid: demoUuid('flavor', PRIVATE),
    memoryMb: 32768,
    vcpus: 8,
    rootGb: 100,
    ephemeralGb: 200,
    swap: 0,
    description: 'Billing database nodes (private)',
    isPublic: false,
    extraSpecs: { 'hw:mem_page_size': 'large', 'quota:disk_read_iops_sec': '20000', 'aggregate_instance_extra_specs:ssd': 'true' },
    projects: ['billing', 'data-platform'],
    createdDaysAgo: 130,
  },
];

interface CpuProfile {
  vcpus: number;
  memoryMb: number;
  localGb: number;
  model: string;
  cores: number;
  features: string[];
}

const PROFILES: Record<'A' | 'B' | 'C' | 'GPU', CpuProfile> = {
  A: {
    vcpus: 64,
    memoryMb: 385_594,
    localGb: 1787,
    model: 'Cascadelake-Server-noTSX',
    cores: 16,
    features: ['avx512f', 'avx512bw', 'avx512vl', 'pku', 'ssse3', 'vmx'],
  },
  B: {
    vcpus: 96,
    memoryMb: 772_862,
    localGb: 3575,
    model: 'Icelake-Server-noTSX',
    cores: 24,
    features: ['avx512f', 'avx512vbmi2', 'gfni', 'vaes', 'sha-ni', 'vmx'],
  },
  C: {
    vcpus: 128,
    memoryMb: 1_031_524,
    localGb: 3575,
    model: 'SapphireRapids',
    cores: 32,
    features: ['amx-bf16', 'amx-int8', 'avx512-fp16', 'avx512f', 'vmx'],
  },
  GPU: { vcpus: 64, memoryMb: 515_386, localGb: 1787, model: 'Icelake-Server-noTSX', cores: 16, features: ['avx512f', 'gfni', 'vaes', 'vmx'] },
};

type CellKey = 'cell1' | 'cell2';

interface HostDef {
  cell: CellKey;
  host: string;
  ip: string;
  profile: keyof typeof PROFILES | 'ironic';
  mapped: boolean;
  down?: boolean;
  disabledReason?: string;
  createdAgoMs: number;
  version?: number;
  /** For general placement: relative weight (0 = never). */
  weight: number;
  /** What its compute_nodes row stores in cpu/ram/disk_allocation_ratio. */
  ratios: StoredRatios;
}

/** compute_nodes.cpu/ram/disk_allocation_ratio as a row holds them: NULL and 0.0 mean "none stored". */
interface StoredRatios {
  cpu: number | null;
  ram: number | null;
  disk: number | null;
}

/**
 * A realistic mix, each read by nova's capacity model (server/nova/capacity.ts):
 * the oldest hosts keep what nova 26 and earlier wrote as initial ratios (16.0 / 1.5 /
 * 1.0); hosts registered since nova's current initial ratios (4.0 / 1.0 / 1.0); the GPU
 * host pinned to 1.0 by its operator; and rows storing none — NULL, or 0.0 as computes
 * older than Stein wrote — which take the configured initial ratios.
 */
const RATIOS_OLD_DEFAULTS: StoredRatios = { cpu: 16.0, ram: 1.5, disk: 1.0 };
const RATIOS_INITIAL: StoredRatios = { ...NOVA_INITIAL_ALLOCATION_RATIOS };
const RATIOS_PINNED: StoredRatios = { cpu: 1.0, ram: 1.0, disk: 1.0 };
const RATIOS_NULL: StoredRatios = { cpu: null, ram: null, disk: null };
const RATIOS_ZERO: StoredRatios = { cpu: 0.0, ram: 0.0, disk: 0.0 };

const DISABLED_REASON = 'Maintenance: DIMM replacement, ticket OPS-1432';

const HOSTS: HostDef[] = [
  {
    cell: 'cell1',
    host: 'cell1-cmp-001.dc1.example.net',
    ip: '10.10.1.11',
    profile: 'A',
    mapped: true,
    createdAgoMs: 412 * DAY,
    weight: 1,
    ratios: RATIOS_OLD_DEFAULTS,
  },
  {
    cell: 'cell1',
    host: 'cell1-cmp-002.dc1.example.net',
    ip: '10.10.1.12',
    profile: 'A',
    mapped: true,
    createdAgoMs: 412 * DAY,
    weight: 1,
    ratios: RATIOS_OLD_DEFAULTS,
  },
  {
    cell: 'cell1',
    host: 'cell1-cmp-003.dc1.example.net',
    ip: '10.10.1.13',
    profile: 'B',
    mapped: true,
    createdAgoMs: 301 * DAY,
    weight: 1.4,
    version: SERVICE_VERSION - 1,
    ratios: RATIOS_NULL,
  },
  {
    cell: 'cell1',
    host: 'cell1-cmp-004.dc1.example.net',
    ip: '10.10.1.14',
    profile: 'B',
    mapped: true,
    down: true,
    createdAgoMs: 301 * DAY,
    weight: 0,
    ratios: RATIOS_NULL,
  },
  {
    cell: 'cell1',
    host: 'cell1-cmp-005.dc1.example.net',
    ip: '10.10.1.15',
    profile: 'A',
    mapped: true,
    createdAgoMs: 187 * DAY,
    weight: 1,
    ratios: RATIOS_INITIAL,
  },
  {
    cell: 'cell1',
    host: 'cell1-gpu-001.dc1.example.net',
    ip: '10.10.1.41',
    profile: 'GPU',
    mapped: true,
    createdAgoMs: 205 * DAY,
    weight: 0,
    ratios: RATIOS_PINNED,
  },
  {
    cell: 'cell1',
    host: 'cell1-cmp-006.dc1.example.net',
    ip: '10.10.1.16',
    profile: 'C',
    mapped: false,
    createdAgoMs: 3 * HOUR + 41 * MINUTE,
    weight: 0,
    ratios: RATIOS_INITIAL,
  },
  {
    cell: 'cell1',
    host: 'cell1-cmp-007.dc1.example.net',
    ip: '10.10.1.17',
    profile: 'C',
    mapped: false,
    createdAgoMs: 3 * HOUR + 38 * MINUTE,
    weight: 0,
    ratios: RATIOS_INITIAL,
  },
  {
    cell: 'cell2',
    host: 'cell2-cmp-001.dc1.example.net',
    ip: '10.20.1.11',
    profile: 'B',
    mapped: true,
    createdAgoMs: 240 * DAY,
    weight: 1,
    ratios: RATIOS_ZERO,
  },
  {
    cell: 'cell2',
    host: 'cell2-cmp-002.dc1.example.net',
    ip: '10.20.1.12',
    profile: 'B',
    mapped: true,
    createdAgoMs: 240 * DAY,
    weight: 1,
    ratios: RATIOS_INITIAL,
  },
  {
    cell: 'cell2',
    host: 'cell2-cmp-003.dc1.example.net',
    ip: '10.20.1.13',
    profile: 'A',
    mapped: true,
    disabledReason: DISABLED_REASON,
    createdAgoMs: 240 * DAY,
    weight: 0.2,
    ratios: RATIOS_OLD_DEFAULTS,
  },
  {
    cell: 'cell2',
    host: 'cell2-cmp-004.dc1.example.net',
    ip: '10.20.1.14',
    profile: 'A',
    mapped: true,
    createdAgoMs: 96 * DAY,
    weight: 1,
    ratios: RATIOS_INITIAL,
  },
  {
    cell: 'cell2',
    host: 'cell2-bm-001.dc1.example.net',
    ip: '10.20.1.51',
    profile: 'ironic',
    mapped: true,
    createdAgoMs: 150 * DAY,
    weight: 0,
    ratios: RATIOS_INITIAL,
  },
  {
    cell: 'cell2',
    host: 'cell2-cmp-005.dc1.example.net',
    ip: '10.20.1.15',
    profile: 'C',
    mapped: false,
    createdAgoMs: 2 * DAY + 5 * HOUR,
    weight: 0,
    ratios: RATIOS_INITIAL,
  },
];

const IRONIC_NODES = [demoUuid('ironic-node', 'bm-001-a'), demoUuid('ironic-node', 'bm-001-b')];

/** Super-conductors and schedulers: their services live in cell0 (cells-v2.md §2.5). */
const CONTROL_HOSTS = ['ctl-001.dc1.example.net', 'ctl-002.dc1.example.net', 'ctl-003.dc1.example.net'];
const CELL_CONDUCTORS: Record<CellKey, string[]> = {
  cell1: ['cell1-cond-001.dc1.example.net', 'cell1-cond-002.dc1.example.net'],
  cell2: ['cell2-cond-001.dc1.example.net'],
};

/** nova's default reserved_host_memory_mb, counted in memory_mb_used. */
const RESERVED_HOST_MEMORY_MB = 512;

// ---------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------

type InstanceInsert = typeof instances.$inferInsert;
type ServiceInsert = typeof services.$inferInsert;
type NodeInsert = typeof computeNodes.$inferInsert;
type FaultInsert = typeof instanceFaults.$inferInsert;
type MappingInsert = typeof instanceMappings.$inferInsert;
type SpecInsert = typeof requestSpecs.$inferInsert;

interface FlavorRec {
  def: FlavorDef;
  id: number;
  primitive: Primitive<FlavorData>;
}

interface EventPlan {
  event: string;
  start: Date;
  finish: Date | null;
  result: string | null;
  host: string | null;
  traceback?: string | null;
}

interface ActionPlan {
  action: string;
  requestId: string;
  userId: string;
  projectId: string;
  start: Date;
  message: string | null;
  events: EventPlan[];
}

interface InstancePlan {
  row: InstanceInsert & { uuid: string; createdAt: Date };
  /** Soft-delete after insert: deleted = id, deleted_at. */
  deletedAt: Date | null;
  flavor: FlavorRec;
  actions: ActionPlan[];
  faults: Array<Omit<FaultInsert, 'instanceUuid'>>;
  /** Whether its faults are soft-deleted with it. */
  mapping: MappingInsert | null;
  spec: SpecInsert | null;
}

interface CellPlan {
  services: ServiceInsert[];
  nodes: Array<NodeInsert & { host: string; hypervisorHostname: string }>;
  instances: InstancePlan[];
}

function roundSec(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

class Planner {
  readonly rng = new Rng(DEMO_SEED);
  readonly nowMs: number;
  private readonly counters = new Map<string, number>();

  constructor(
    now: Date,
    readonly flavorByName: Map<string, FlavorRec>,
  ) {
    this.nowMs = now.getTime();
  }

  ago(ms: number): Date {
    return roundSec(this.nowMs - ms);
  }
  after(d: Date, ms: number): Date {
    return roundSec(d.getTime() + ms);
  }

  project(name: string): { def: ProjectDef; id: string } {
    const def = must(
      PROJECTS.find((p) => p.name === name),
      `project ${name}`,
    );
    return { def, id: keystoneId('project', name) };
  }

  user(def: ProjectDef): { name: string; id: string } {
    const name = this.rng.pick(def.users);
    return { name, id: keystoneId('user', name) };
  }

  displayName(def: ProjectDef, prefix?: string): string {
    const p = prefix ?? this.rng.pick(def.prefixes);
    const n = (this.counters.get(p) ?? 0) + 1;
    this.counters.set(p, n);
    return `${p}-${String(n).padStart(2, '0')}`;
  }

  image(flavor: FlavorRec): ImageDef {
    const fits = IMAGES.filter((i) => i.minDisk <= flavor.def.rootGb);
    return this.rng.weighted(fits.map((i) => [i, i.weight] as const));
  }

  flavor(name: string): FlavorRec {
    return must(this.flavorByName.get(name), `flavor ${name}`);
  }

  requestId(): string {
    return `req-${demoUuid('request', this.rng.hex(12))}`;
  }

  reservationId(): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = 'r-';
    for (let i = 0; i < 8; i++) s += alphabet[Math.floor(this.rng.next() * alphabet.length)];
    return s;
  }
}

function cpuInfo(p: CpuProfile): string {
  return JSON.stringify({
    arch: 'x86_64',
    model: p.model,
    vendor: 'Intel',
    topology: { cells: 2, sockets: 1, cores: p.cores, threads: 2 },
    features: p.features,
    maxphysaddr: { mode: 'emulate', bits: 46 },
  });
}

function specJson(s: Parameters<typeof requestSpecPrimitive>[0]): string {
  return JSON.stringify(requestSpecPrimitive(s));
}

// --- compute hosts --------------------------------------------------------------------

function planServicesAndNodes(p: Planner, cell: CellKey, placed: InstancePlan[]): Pick<CellPlan, 'services' | 'nodes'> {
  const svc: ServiceInsert[] = [];
  const nodes: CellPlan['nodes'] = [];
  const upHeartbeat = () => p.ago(p.rng.int(0, 9) * SECOND);

  for (const host of CELL_CONDUCTORS[cell]) {
    const created = p.ago(412 * DAY + p.rng.int(0, 3600) * SECOND);
    const seen = upHeartbeat();
    svc.push({
      uuid: demoUuid('service', host, 'nova-conductor'),
      host,
      binary: 'nova-conductor',
      topic: 'conductor',
      reportCount: Math.floor((seen.getTime() - created.getTime()) / (10 * SECOND)),
      disabled: false,
      lastSeenUp: seen,
      forcedDown: false,
      version: SERVICE_VERSION,
      createdAt: created,
      updatedAt: seen,
    });
  }

  for (const h of HOSTS.filter((x) => x.cell === cell)) {
    const created = p.ago(h.createdAgoMs + p.rng.int(0, 59) * SECOND);
    const seen = h.down ? p.ago(2 * HOUR + p.rng.int(5, 50) * SECOND) : upHeartbeat();
    const disabledAt = h.disabledReason ? p.ago(3 * DAY + 2 * HOUR) : null;
    svc.push({
      uuid: demoUuid('service', h.host, 'nova-compute'),
      host: h.host,
      binary: 'nova-compute',
      topic: 'compute',
      reportCount: Math.floor((seen.getTime() - created.getTime()) / (10 * SECOND)),
      disabled: Boolean(h.disabledReason),
      disabledReason: h.disabledReason ?? null,
      lastSeenUp: seen,
      forcedDown: false,
      version: h.version ?? SERVICE_VERSION,
      createdAt: created,
      updatedAt: disabledAt && disabledAt > seen ? disabledAt : seen,
    });

    const nodeNames = h.profile === 'ironic' ? IRONIC_NODES : [h.host];
    nodeNames.forEach((hh, idx) => {
      const on = placed.filter((i) => i.row.host === h.host && i.row.node === hh && i.deletedAt === null);
      const vcpusUsed = on.reduce((s, i) => s + (i.row.vcpus ?? 0), 0);
      const memUsed = on.reduce((s, i) => s + (i.row.memoryMb ?? 0), 0);
      const diskUsed = on.reduce(
        (s, i) => s + (i.row.imageRef === '' ? 0 : (i.row.rootGb ?? 0)) + (i.row.ephemeralGb ?? 0) + Math.ceil(i.flavor.def.swap / 1024),
        0,
      );
      const stats: Record<string, string> = { num_instances: String(on.length), io_workload: '0', failed_builds: '0' };
      for (const i of on) {
        const vm = `num_vm_${i.row.vmState}`;
        stats[vm] = String(Number(stats[vm] ?? 0) + 1);
        stats.num_task_None = String(Number(stats.num_task_None ?? 0) + 1);
        const proj = `num_proj_${i.row.projectId}`;
        stats[proj] = String(Number(stats[proj] ?? 0) + 1);
        stats.num_os_type_None = String(Number(stats.num_os_type_None ?? 0) + 1);
      }
      const seenNode = h.down ? seen : p.ago(p.rng.int(5, 55) * SECOND);
      if (h.profile === 'ironic') {
        // The ironic driver reports no standard resources (custom resource classes instead).
        nodes.push({
          uuid: hh,
          host: h.host,
          hypervisorHostname: hh,
          vcpus: 0,
          memoryMb: 0,
          localGb: 0,
          vcpusUsed: 0,
          memoryMbUsed: 0,
          localGbUsed: 0,
          freeRamMb: 0,
          freeDiskGb: 0,
          diskAvailableLeast: 0,
          runningVms: 0,
          currentWorkload: 0,
          hypervisorType: 'ironic',
          hypervisorVersion: 1,
          cpuInfo: '{}',
          hostIp: h.ip,
          cpuAllocationRatio: h.ratios.cpu,
          ramAllocationRatio: h.ratios.ram,
          diskAllocationRatio: h.ratios.disk,
          stats: JSON.stringify({ cpu_arch: 'x86_64', resource_class: 'baremetal.gen2', num_instances: '0' }),
          metrics: '[]',
          supportedInstances: JSON.stringify([['x86_64', 'baremetal', 'hvm']]),
          // discover_hosts set mapped = 1 only on the node whose check created the host
          // mapping; the sibling stays 0 and is re-examined on every run (§2.4).
          mapped: idx === 0 ? 1 : 0,
          createdAt: p.after(created, (idx + 1) * 40 * SECOND),
          updatedAt: seenNode,
        });
        return;
      }
      const prof = PROFILES[h.profile];
      const memoryMbUsed = RESERVED_HOST_MEMORY_MB + memUsed;
      nodes.push({
        uuid: demoUuid('compute-node', h.host, hh),
        host: h.host,
        hypervisorHostname: hh,
        vcpus: prof.vcpus,
        memoryMb: prof.memoryMb,
        localGb: prof.localGb,
        vcpusUsed,
        memoryMbUsed,
        localGbUsed: diskUsed,
        freeRamMb: prof.memoryMb - memoryMbUsed,
        freeDiskGb: prof.localGb - diskUsed,
        diskAvailableLeast: prof.localGb - Math.round(diskUsed * 0.45) - 21,
        runningVms: on.length,
        currentWorkload: 0,
        hypervisorType: 'QEMU',
        hypervisorVersion: 8002002,
        cpuInfo: cpuInfo(prof),
        hostIp: h.ip,
        cpuAllocationRatio: h.ratios.cpu,
        ramAllocationRatio: h.ratios.ram,
        diskAllocationRatio: h.ratios.disk,
        stats: JSON.stringify(stats),
        metrics: '[]',
        pciStats:
          h.profile === 'GPU'
            ? JSON.stringify({
                'nova_object.name': 'PciDevicePoolList',
                'nova_object.namespace': 'nova',
                'nova_object.version': '1.1',
                'nova_object.data': { objects: [] },
              })
            : null,
        supportedInstances: JSON.stringify([
          ['x86_64', 'kvm', 'hvm'],
          ['i686', 'kvm', 'hvm'],
        ]),
        mapped: h.mapped ? 1 : 0,
        createdAt: p.after(created, 35 * SECOND),
        updatedAt: seenNode,
      });
    });
  }
  return { services: svc, nodes };
}

// --- instances in real cells ----------------------------------------------------------

type Special = 'stopped' | 'paused' | 'soft-delete' | 'deleted' | 'locked' | 'gpu' | 'private' | 'legacy' | 'bfv';

const CELL_LAYOUT: Record<CellKey, { count: number; specials: Record<number, Special[]> }> = {
  cell1: {
    count: 42,
    specials: {
      2: ['legacy'],
      4: ['stopped'],
      6: ['gpu'],
      9: ['soft-delete'],
      12: ['deleted'],
      15: ['stopped'],
      18: ['legacy'],
      20: ['locked'],
      25: ['legacy', 'stopped'],
      27: ['stopped'],
      30: ['deleted', 'legacy'],
      33: ['gpu'],
      36: ['deleted'],
      41: ['deleted'],
    },
  },
  cell2: {
    count: 31,
    specials: {
      3: ['private'],
      5: ['stopped'],
      8: ['legacy'],
      10: ['deleted'],
      12: ['bfv'],
      14: ['paused'],
      17: ['private'],
      22: ['stopped'],
      28: ['deleted'],
    },
  },
};

const GENERAL_FLAVORS: Array<readonly [string, number]> = [
  ['m1.tiny', 2],
  ['m1.small', 6],
  ['m1.medium', 6],
  ['m1.large', 3],
  ['m1.xlarge', 1],
];

/** The super-conductor's event; `host` is the conductor that handled the request. */
function conductorEvent(p: Planner, start: Date, ok: boolean, opts: { traceback?: string | null; finish?: Date; host?: string } = {}): EventPlan {
  return {
    event: 'conductor_schedule_and_build_instances',
    start,
    finish: opts.finish ?? p.after(start, p.rng.int(1, 3) * SECOND),
    result: ok ? 'Success' : 'Error',
    host: opts.host ?? p.rng.pick(CONTROL_HOSTS),
    traceback: opts.traceback ?? null,
  };
}

function planCellInstances(p: Planner, cell: CellKey, cellId: number): InstancePlan[] {
  const layout = CELL_LAYOUT[cell];
  const hosts = HOSTS.filter((h) => h.cell === cell);
  const general = hosts.filter((h) => h.mapped && !h.down && h.weight > 0);
  const gpuHost = hosts.find((h) => h.profile === 'GPU');
  const out: InstancePlan[] = [];

  for (let n = 0; n < layout.count; n++) {
    const sp = new Set(layout.specials[n] ?? []);
    let flavorName: string;
    let project: { def: ProjectDef; id: string };
    if (sp.has('gpu')) {
      flavorName = GPU;
      project = p.project('ml-research');
    } else if (sp.has('private')) {
      flavorName = PRIVATE;
      project = p.project('billing');
    } else {
      flavorName = sp.has('legacy') ? LEGACY : p.rng.weighted(GENERAL_FLAVORS);
      project = p.project(p.rng.weighted(PROJECTS.map((x) => [x.name, x.weight] as const)));
    }
    const flavor = p.flavor(flavorName);
    const user = p.user(project.def);
    const host = sp.has('gpu') ? must(gpuHost, 'gpu host') : p.rng.weighted(general.map((h) => [h, h.weight] as const));
    const image = p.image(flavor);
    const bfv = sp.has('bfv');
    const prefix = sp.has('gpu') ? 'train-gpu' : sp.has('private') ? 'billing-db' : undefined;
    const displayName = p.displayName(project.def, prefix);
    const uuid = demoUuid('instance', cell, n);

    const createdAgo = (sp.has('legacy') ? p.rng.int(40 * 24, 59 * 24) : p.rng.int(2, 59 * 24)) * HOUR + p.rng.int(0, 3599) * SECOND;
    const created = p.ago(createdAgo);
    const launched = p.after(created, p.rng.int(25, 95) * SECOND);
    const ageMs = p.nowMs - launched.getTime();

    let vmState = 'active';
    let powerState: number = POWER_STATE.RUNNING;
    let updated = launched;
    let deletedAt: Date | null = null;
    let terminatedAt: Date | null = null;
    const actions: ActionPlan[] = [];
    const reqId = p.requestId();
    actions.push({
      action: 'create',
      requestId: reqId,
      userId: user.id,
      projectId: project.id,
      start: created,
      message: null,
      events: [
        conductorEvent(p, p.after(created, 1 * SECOND), true),
        { event: 'compute__do_build_and_run_instance', start: p.after(created, 4 * SECOND), finish: launched, result: 'Success', host: host.host },
      ],
    });
    /** Some time between launch and now. */
    const later = () => p.after(launched, Math.floor(ageMs * (0.3 + 0.6 * p.rng.next())));
    /** A user action on this instance with one successful compute event, as the demo's history needs. */
    const userAction = (action: string, event: string, start: Date, finish: Date): ActionPlan => ({
      action,
      requestId: p.requestId(),
      userId: user.id,
      projectId: project.id,
      start,
      message: null,
      events: [{ event, start, finish, result: 'Success', host: host.host }],
    });

    if (sp.has('stopped')) {
      vmState = 'stopped';
      powerState = POWER_STATE.SHUTDOWN;
      updated = later();
      actions.push(userAction('stop', 'compute_stop_instance', updated, p.after(updated, 6 * SECOND)));
    }
    if (sp.has('paused')) {
      vmState = 'paused';
      powerState = POWER_STATE.PAUSED;
      updated = later();
      actions.push(userAction('pause', 'compute_pause_instance', updated, p.after(updated, 2 * SECOND)));
    }
    if (sp.has('soft-delete')) {
      // SOFT_DELETED: still deleted = 0, restorable until reclaim_instance_interval.
      vmState = 'soft-delete';
      powerState = POWER_STATE.SHUTDOWN;
      updated = p.ago(5 * HOUR + 12 * MINUTE);
      actions.push(userAction('delete', 'compute_soft_delete_instance', updated, p.after(updated, 9 * SECOND)));
    }
    if (sp.has('deleted')) {
      vmState = 'deleted';
      powerState = POWER_STATE.NOSTATE;
      terminatedAt = later();
      deletedAt = p.after(terminatedAt, 1 * SECOND);
      updated = deletedAt;
      actions.push(userAction('delete', 'compute_terminate_instance', p.after(terminatedAt, -8 * SECOND), terminatedAt));
    }
    if (sp.has('locked')) {
      const lockedAt = later();
      actions.push({ action: 'lock', requestId: p.requestId(), userId: user.id, projectId: project.id, start: lockedAt, message: null, events: [] });
      if (lockedAt > updated) updated = lockedAt;
    }

    const row: InstancePlan['row'] = {
      uuid,
      userId: user.id,
      projectId: project.id,
      imageRef: bfv ? '' : image.id,
      kernelId: '',
      ramdiskId: '',
      hostname: sanitizeHostname(displayName),
      launchIndex: 0,
      keyName: `${user.name.split('.')[0]}-key`,
      powerState,
      vmState,
      taskState: null,
      memoryMb: flavor.def.memoryMb,
      vcpus: flavor.def.vcpus,
      rootGb: flavor.def.rootGb,
      ephemeralGb: flavor.def.ephemeralGb,
      host: host.host,
      node: host.host,
      instanceTypeId: flavor.id,
      reservationId: p.reservationId(),
      launchedAt: launched,
      terminatedAt,
      launchedOn: host.host,
      availabilityZone: 'nova',
      displayName,
      displayDescription: displayName,
      locked: sp.has('locked'),
      lockedBy: sp.has('locked') ? 'admin' : null,
      progress: 0,
      cleaned: sp.has('deleted') ? 1 : 0,
      hidden: false,
      createdAt: created,
      updatedAt: updated,
    };
    const mappingCreated = p.after(created, -1 * SECOND);
    out.push({
      row,
      deletedAt,
      flavor,
      actions,
      faults: [],
      mapping: {
        instanceUuid: uuid,
        cellId,
        projectId: project.id,
        userId: user.id,
        queuedForDelete: vmState === 'deleted' || vmState === 'soft-delete',
        createdAt: mappingCreated,
        updatedAt: vmState === 'deleted' || vmState === 'soft-delete' ? updated : p.after(created, 2 * SECOND),
      },
      spec: {
        instanceUuid: uuid,
        spec: specJson({
          instanceUuid: uuid,
          flavor: flavor.primitive,
          image: bfv ? { name: null, minDisk: 0 } : image,
          projectId: project.id,
          userId: user.id,
          availabilityZone: null,
          numInstances: 1,
          isBfv: bfv,
        }),
        createdAt: mappingCreated,
        updatedAt: p.after(created, 2 * SECOND),
      },
    });
  }

  if (cell === 'cell1') {
    out.push(quotaRecheckError(p, cellId));
    out.push(fakeVifInstance(p, cellId));
  }
  return out;
}

/** A cell1 instance the quota recheck put in ERROR after it was created in the cell (§5.2 step 3). */
function quotaRecheckError(p: Planner, cellId: number): InstancePlan {
  const project = p.project('ci-runners');
  const user = p.user(project.def);
  const flavor = p.flavor('m1.small');
  const image = p.image(flavor);
  const uuid = demoUuid('instance', 'cell1', 'quota-recheck');
  const created = p.ago(2 * DAY + 7 * HOUR + 13 * MINUTE);
  const failed = p.after(created, 3 * SECOND);
  const conductor = p.rng.pick(CONTROL_HOSTS);
  const displayName = p.displayName(project.def, 'ci-runner');
  const message = 'Quota exceeded for instances: Requested 1, but already used 24 of 24 instances';
  return {
    row: {
      uuid,
      userId: user.id,
      projectId: project.id,
      imageRef: image.id,
      kernelId: '',
      ramdiskId: '',
      hostname: sanitizeHostname(displayName),
      launchIndex: 0,
      keyName: 'gitlab-key',
      powerState: POWER_STATE.NOSTATE,
      vmState: 'error',
      taskState: null,
      memoryMb: flavor.def.memoryMb,
      vcpus: flavor.def.vcpus,
      rootGb: flavor.def.rootGb,
      ephemeralGb: flavor.def.ephemeralGb,
      host: null,
      node: null,
      instanceTypeId: flavor.id,
      reservationId: p.reservationId(),
      availabilityZone: 'nova',
      displayName,
      displayDescription: displayName,
      locked: false,
      progress: 0,
      createdAt: p.after(created, 2 * SECOND),
      updatedAt: failed,
    },
    deletedAt: null,
    flavor,
    actions: [
      {
        action: 'create',
        requestId: p.requestId(),
        userId: user.id,
        projectId: project.id,
        start: created,
        message: 'Error',
        events: [conductorEvent(p, p.after(created, 1 * SECOND), false, { traceback: quotaTraceback(message), finish: failed, host: conductor })],
      },
    ],
    faults: [{ code: 403, message, details: '', host: conductor, createdAt: failed }],
    mapping: {
      instanceUuid: uuid,
      cellId,
      projectId: project.id,
      userId: user.id,
      queuedForDelete: false,
      createdAt: p.after(created, -1 * SECOND),
      updatedAt: failed,
    },
    // _cleanup_build_artifacts destroys the request spec along with the build request.
    spec: null,
  };
}

/** The VIF online migration's fake instance: created then destroyed at once; map_instances mapped it. */
function fakeVifInstance(p: Planner, cellId: number): InstancePlan {
  const created = p.ago(433 * DAY + 5 * HOUR);
  return {
    row: {
      uuid: FAKE_INSTANCE_UUID,
      userId: FAKE_INSTANCE_UUID,
      projectId: FAKE_INSTANCE_UUID,
      createdAt: created,
      updatedAt: null,
      cleaned: 0,
      hidden: false,
      locked: false,
    },
    deletedAt: p.after(created, 1 * SECOND),
    flavor: p.flavor('m1.tiny'),
    actions: [],
    faults: [],
    mapping: {
      instanceUuid: FAKE_INSTANCE_UUID,
      cellId,
      projectId: FAKE_INSTANCE_UUID,
      userId: FAKE_INSTANCE_UUID,
      queuedForDelete: false,
      createdAt: p.ago(61 * DAY + 3 * HOUR),
      updatedAt: null,
    },
    spec: null,
  };
}

// --- cell0: the graveyard ---------------------------------------------------------------

type FailureKind = 'not-enough-hosts' | 'nvh-empty' | 'nvh-no-such-host' | 'max-retries' | 'network' | 'quota';

interface Cell0Failure {
  kind: FailureKind;
  flavor: string;
  agoMs: number;
  project: string;
  /** A second, later fault (the latest one is what nova shows). */
  thenKind?: FailureKind;
  deleted?: boolean;
}

const CELL0_FAILURES: Cell0Failure[] = [
  { kind: 'not-enough-hosts', flavor: 'm1.xlarge', agoMs: 13 * DAY + 5 * HOUR, project: 'data-platform' },
  { kind: 'not-enough-hosts', flavor: LEGACY, agoMs: 12 * DAY + 17 * HOUR, project: 'sandbox' },
  { kind: 'not-enough-hosts', flavor: 'm1.small', agoMs: 11 * DAY + 2 * HOUR, project: 'ci-runners', thenKind: 'max-retries' },
  { kind: 'not-enough-hosts', flavor: LEGACY, agoMs: 10 * DAY + 9 * HOUR, project: 'billing' },
  { kind: 'not-enough-hosts', flavor: GPU, agoMs: 9 * DAY + 3 * HOUR, project: 'ml-research' },
  { kind: 'not-enough-hosts', flavor: 'm1.tiny', agoMs: 8 * DAY + 7 * HOUR, project: 'sandbox', deleted: true },
  { kind: 'network', flavor: 'm1.small', agoMs: 7 * DAY + 16 * HOUR, project: 'web-frontend' },
  { kind: 'not-enough-hosts', flavor: 'm1.xlarge', agoMs: 6 * DAY + 12 * HOUR, project: 'data-platform' },
  { kind: 'nvh-no-such-host', flavor: 'm1.small', agoMs: 5 * DAY + 1 * HOUR, project: 'ci-runners' },
  { kind: 'max-retries', flavor: 'm1.medium', agoMs: 4 * DAY + 4 * HOUR, project: 'ci-runners' },
  { kind: 'nvh-empty', flavor: 'm1.medium', agoMs: 3 * DAY + 14 * HOUR, project: 'sandbox' },
  { kind: 'not-enough-hosts', flavor: GPU, agoMs: 2 * DAY + 7 * HOUR, project: 'ml-research' },
  { kind: 'nvh-empty', flavor: 'm1.large', agoMs: 1 * DAY + 22 * HOUR, project: 'web-frontend' },
  { kind: 'quota', flavor: 'm1.large', agoMs: 1 * DAY + 3 * HOUR, project: 'sandbox' },
  { kind: 'not-enough-hosts', flavor: 'm1.xlarge', agoMs: 19 * HOUR, project: 'web-frontend' },
  { kind: 'max-retries', flavor: 'm1.large', agoMs: 12 * HOUR, project: 'data-platform' },
  { kind: 'not-enough-hosts', flavor: GPU, agoMs: 3 * HOUR + 36 * MINUTE, project: 'ml-research' },
];

const PY = '/usr/lib/python3/dist-packages';

function frames(lines: Array<[string, number, string, string]>): string {
  return lines.map(([file, line, fn, code]) => `  File "${PY}/${file}", line ${line}, in ${fn}\n    ${code}\n`).join('');
}

function noValidHostTraceback(message: string): string {
  return (
    'Traceback (most recent call last):\n' +
    frames([
      ['nova/conductor/manager.py', 1713, 'schedule_and_build_instances', 'host_lists = self._schedule_instances(context, request_specs[0],'],
      ['nova/conductor/manager.py', 1031, '_schedule_instances', 'host_lists = self.query_client.select_destinations('],
      ['nova/scheduler/client/query.py', 41, 'select_destinations', 'return self.scheduler_rpcapi.select_destinations(context, spec_obj,'],
      ['nova/scheduler/rpcapi.py', 160, 'select_destinations', "return cctxt.call(ctxt, 'select_destinations', **msg_args)"],
      ['oslo_messaging/rpc/client.py', 190, 'call', 'result = self.transport._send('],
      ['oslo_messaging/transport.py', 123, '_send', 'return self._driver.send(target, ctxt, message,'],
      ['oslo_messaging/_drivers/amqpdriver.py', 815, 'send', 'return self._send(target, ctxt, message, wait_for_reply, timeout,'],
      ['oslo_messaging/_drivers/amqpdriver.py', 807, '_send', 'raise result'],
    ]) +
    `nova.exception_Remote.NoValidHost_Remote: ${message}\n` +
    'Traceback (most recent call last):\n\n' +
    `  File "${PY}/oslo_messaging/rpc/server.py", line 244, in inner\n    return func(*args, **kwargs)\n\n` +
    `  File "${PY}/nova/scheduler/manager.py", line 245, in select_destinations\n    selections = self._select_destinations(\n\n` +
    `  File "${PY}/nova/scheduler/manager.py", line 272, in _select_destinations\n    selections = self._schedule(\n\n` +
    `  File "${PY}/nova/scheduler/manager.py", line 453, in _schedule\n    self._ensure_sufficient_hosts(\n\n` +
    `  File "${PY}/nova/scheduler/manager.py", line 495, in _ensure_sufficient_hosts\n    raise exception.NoValidHost(reason=reason)\n\n` +
    `nova.exception.NoValidHost: ${message}\n`
  );
}

function maxRetriesTraceback(message: string): string {
  return (
    'Traceback (most recent call last):\n' +
    frames([
      ['nova/conductor/manager.py', 686, 'build_instances', 'host_lists = self._schedule_instances(context, spec_obj,'],
      ['nova/conductor/manager.py', 1027, '_schedule_instances', 'scheduler_utils.populate_retry(filter_properties, instance_uuid)'],
      ['nova/scheduler/utils.py', 1017, 'populate_retry', 'raise exception.MaxRetriesExceeded(reason=msg)'],
    ]) +
    `nova.exception.MaxRetriesExceeded: ${message}\n`
  );
}

function networkTraceback(message: string): string {
  return (
    'Traceback (most recent call last):\n' +
    frames([
      ['nova/compute/manager.py', 2079, '_build_networks_for_instance', 'network_info = self._allocate_network(context, instance,'],
      ['nova/compute/manager.py', 2101, '_allocate_network', 'return network_model.NetworkInfoAsyncWrapper('],
      ['nova/network/neutron.py', 1223, 'allocate_for_instance', 'created_port_ids = self._update_ports_for_instance('],
      ['nova/network/neutron.py', 1367, '_update_ports_for_instance', 'with excutils.save_and_reraise_exception():'],
      ['oslo_utils/excutils.py', 227, '__exit__', 'self.force_reraise()'],
      ['oslo_utils/excutils.py', 200, 'force_reraise', 'raise self.value'],
      ['nova/network/neutron.py', 1342, '_update_ports_for_instance', 'updated_port = self._update_port('],
      ['neutronclient/v2_0/client.py', 828, 'update_port', 'return self._update_resource(self.port_path % (port), body=body,'],
    ]) +
    "neutronclient.common.exceptions.ServiceUnavailable: 503-{'message': 'The server is currently unavailable. Please try again at a later time.<br /><br />\\nThe Keystone service is temporarily unavailable.\\n\\n', 'code': '503 Service Unavailable', 'title': 'Service Unavailable'}\n" +
    '\nDuring handling of the above exception, another exception occurred:\n\n' +
    'Traceback (most recent call last):\n' +
    frames([
      ['nova/compute/manager.py', 2466, '_do_build_and_run_instance', 'self._build_and_run_instance(context, instance, image,'],
      ['nova/compute/manager.py', 2715, '_build_and_run_instance', 'raise exception.BuildAbortException(instance_uuid=instance.uuid,'],
    ]) +
    `nova.exception.BuildAbortException: ${message}\n`
  );
}

function quotaTraceback(message: string): string {
  return (
    'Traceback (most recent call last):\n' +
    frames([
      ['nova/conductor/manager.py', 1789, 'schedule_and_build_instances', 'compute_utils.check_num_instances_quota('],
      ['nova/compute/utils.py', 1153, 'check_num_instances_quota', 'objects.Quotas.check_deltas(context, deltas,'],
      ['nova/objects/quotas.py', 381, 'check_deltas', 'cls.limit_check_project_and_user(context, project_values=project_values,'],
      ['nova/limit/local.py', 199, 'enforce_db_limit', 'raise exception.OverQuota(overs=overs, quotas=quotas, usages=usages,'],
    ]) +
    `nova.exception.TooManyInstances: ${message}\n`
  );
}

function failureFault(kind: FailureKind, uuid: string, flavor: FlavorRec): { code: number; message: string; details: string } {
  switch (kind) {
    case 'not-enough-hosts': {
      const message = `${NO_VALID_HOST} There are not enough hosts available.`;
      return { code: 500, message, details: noValidHostTraceback(message) };
    }
    case 'nvh-empty': {
      // Placement returned no allocation candidates: NoValidHost(reason="").
      const message = `${NO_VALID_HOST} `;
      return { code: 500, message, details: noValidHostTraceback(message) };
    }
    case 'nvh-no-such-host': {
      const message = `${NO_VALID_HOST} No such host - host: cell1-cmp-099.dc1.example.net node: None `;
      return { code: 500, message, details: noValidHostTraceback(message) };
    }
    case 'max-retries': {
      const message = `Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance ${uuid}.`;
      return { code: 500, message, details: maxRetriesTraceback(message) };
    }
    case 'network': {
      const message = `Build of instance ${uuid} aborted: Failed to allocate the network(s), not rescheduling.`;
      return { code: 500, message, details: networkTraceback(message) };
    }
    case 'quota': {
      const message = `Quota exceeded for cores: Requested ${flavor.def.vcpus}, but already used 118 of 120 cores`;
      // Only code 500 faults carry details (nova/compute/utils.py _get_fault_details).
      return { code: 403, message, details: '' };
    }
  }
}

function planCell0(p: Planner, cell0Id: number): InstancePlan[] {
  return CELL0_FAILURES.map((f, n) => {
    const flavor = p.flavor(f.flavor);
    const project = p.project(f.project);
    const user = p.user(project.def);
    const image = p.image(flavor);
    const uuid = demoUuid('instance', 'cell0', n);
    const requested = p.ago(f.agoMs + p.rng.int(0, 1800) * SECOND);
    const buried = p.after(requested, p.rng.int(2, 9) * SECOND);
    const conductor = p.rng.pick(CONTROL_HOSTS);
    const prefix = f.flavor === GPU ? 'train-gpu' : undefined;
    const displayName = p.displayName(project.def, prefix);
    const first = failureFault(f.kind, uuid, flavor);
    const faults: InstancePlan['faults'] = [{ ...first, host: conductor, createdAt: buried }];
    let lastFailure = buried;
    if (f.thenKind) {
      lastFailure = p.after(buried, 2 * MINUTE + 17 * SECOND);
      faults.push({ ...failureFault(f.thenKind, uuid, flavor), host: conductor, createdAt: lastFailure });
    }
    const actions: ActionPlan[] = [
      {
        action: 'create',
        requestId: p.requestId(),
        userId: user.id,
        projectId: project.id,
        start: requested,
        message: 'Error',
        events: [
          conductorEvent(p, p.after(requested, 1 * SECOND), false, {
            traceback: f.kind === 'quota' ? quotaTraceback(first.message) : first.details,
            finish: buried,
            host: conductor,
          }),
        ],
      },
    ];
    let deletedAt: Date | null = null;
    let vmState = 'error';
    let updated = lastFailure;
    if (f.deleted) {
      // Deleted through the API (§5.5): vm_state deleted, terminated_at, deleted = id; mapping kept.
      deletedAt = p.ago(6 * DAY + 2 * HOUR);
      vmState = 'deleted';
      updated = deletedAt;
      actions.push({
        action: 'delete',
        requestId: p.requestId(),
        userId: user.id,
        projectId: project.id,
        start: p.after(deletedAt, -3 * SECOND),
        message: null,
        events: [],
      });
    }
    const row: InstancePlan['row'] = {
      uuid,
      userId: user.id,
      projectId: project.id,
      imageRef: image.id,
      kernelId: '',
      ramdiskId: '',
      hostname: sanitizeHostname(displayName),
      launchIndex: 0,
      keyName: `${user.name.split('.')[0]}-key`,
      powerState: POWER_STATE.NOSTATE,
      vmState,
      taskState: null,
      memoryMb: flavor.def.memoryMb,
      vcpus: flavor.def.vcpus,
      rootGb: flavor.def.rootGb,
      ephemeralGb: flavor.def.ephemeralGb,
      host: null,
      node: null,
      computeId: null,
      instanceTypeId: flavor.id,
      reservationId: p.reservationId(),
      launchedAt: null,
      terminatedAt: f.deleted ? deletedAt : null,
      launchedOn: null,
      availabilityZone: n % 5 === 3 ? 'nova' : null,
      displayName,
      displayDescription: displayName,
      locked: false,
      progress: 0,
      cleaned: f.deleted ? 1 : 0,
      hidden: false,
      createdAt: buried,
      updatedAt: updated,
    };
    return {
      row,
      deletedAt,
      flavor,
      actions,
      faults,
      mapping: {
        instanceUuid: uuid,
        cellId: cell0Id,
        projectId: project.id,
        userId: user.id,
        queuedForDelete: Boolean(f.deleted),
        createdAt: p.after(requested, -1 * SECOND),
        updatedAt: f.deleted ? deletedAt : buried,
      },
      spec: {
        instanceUuid: uuid,
        spec: specJson({
          instanceUuid: uuid,
          flavor: flavor.primitive,
          image,
          projectId: project.id,
          userId: user.id,
          availabilityZone: row.availabilityZone ?? null,
        }),
        createdAt: p.after(requested, -1 * SECOND),
        updatedAt: null,
      },
    };
  });
}

// --- api-only rows: build requests, orphan, marker ------------------------------------

type BuildKind = 'fresh' | 'stuck' | 'unparseable' | 'nullInstance';

interface BuildDef {
  key: string;
  kind: BuildKind;
  agoMs: number;
  project: string;
  flavor: string;
  prefix?: string;
  /** Multi-create: shared reservation, launch index. */
  group?: { key: string; index: number; of: number };
}

const BUILDS: BuildDef[] = [
  {
    key: 'fresh-a',
    kind: 'fresh',
    agoMs: 11 * SECOND,
    project: 'web-frontend',
    flavor: 'm1.medium',
    prefix: 'web-prod',
    group: { key: 'web', index: 0, of: 2 },
  },
  {
    key: 'fresh-b',
    kind: 'fresh',
    agoMs: 11 * SECOND,
    project: 'web-frontend',
    flavor: 'm1.medium',
    prefix: 'web-prod',
    group: { key: 'web', index: 1, of: 2 },
  },
  { key: 'fresh-c', kind: 'fresh', agoMs: 2 * MINUTE + 50 * SECOND, project: 'data-platform', flavor: 'm1.large', prefix: 'spark-worker' },
  { key: 'stuck-2h', kind: 'stuck', agoMs: 2 * HOUR + 4 * MINUTE, project: 'ci-runners', flavor: 'm1.small', prefix: 'ci-runner' },
  { key: 'stuck-26h', kind: 'stuck', agoMs: 26 * HOUR + 11 * MINUTE, project: 'ml-research', flavor: GPU, prefix: 'train-gpu' },
  { key: 'unparseable', kind: 'unparseable', agoMs: 47 * MINUTE, project: 'sandbox', flavor: 'm1.small' },
  { key: 'null', kind: 'nullInstance', agoMs: 5 * HOUR + 20 * MINUTE, project: 'data-platform', flavor: 'm1.medium', prefix: 'pg-replica' },
];

/** What a truncated write leaves behind: not JSON. */
const TRUNCATED_INSTANCE = '{"nova_object.name": "Instance", "nova_object.da';

interface ApiExtras {
  buildRequests: Array<typeof buildRequests.$inferInsert>;
  mappings: MappingInsert[];
  specs: SpecInsert[];
  byKind: Record<BuildKind, string[]>;
  orphanUuid: string;
  markerUuid: string;
}

function planApiExtras(p: Planner): ApiExtras {
  const out: ApiExtras = {
    buildRequests: [],
    mappings: [],
    specs: [],
    byKind: { fresh: [], stuck: [], unparseable: [], nullInstance: [] },
    orphanUuid: '',
    markerUuid: '',
  };
  // A multi-create request shares user, image, name, reservation (nova names members '<name>-<n>').
  const groups = new Map<string, { user: { name: string; id: string }; image: ImageDef; name: string; reservationId: string }>();
  for (const b of BUILDS) {
    const uuid = demoUuid('build-request', b.key);
    const project = p.project(b.project);
    const flavor = p.flavor(b.flavor);
    const created = p.ago(b.agoMs);
    let g = b.group ? groups.get(b.group.key) : undefined;
    if (!g) {
      g = { user: p.user(project.def), image: p.image(flavor), name: p.displayName(project.def, b.prefix), reservationId: p.reservationId() };
      if (b.group) groups.set(b.group.key, g);
    }
    const { user, image, reservationId } = g;
    const displayName = b.group ? `${g.name}-${b.group.index + 1}` : g.name;
    const instance = buildRequestInstancePrimitive({
      uuid,
      displayName,
      projectId: project.id,
      userId: user.id,
      imageRef: image.id,
      flavor: flavor.primitive,
      availabilityZone: null,
      metadata: b.group ? { deploy: 'blue-green', owner: 'web-team' } : {},
      systemMetadata: {
        image_min_disk: String(Math.max(image.minDisk, flavor.def.rootGb)),
        image_min_ram: '0',
        image_disk_format: 'qcow2',
        image_container_format: 'bare',
        image_base_image_ref: image.id,
      },
      keyName: `${user.name.split('.')[0]}-key`,
      reservationId,
      launchIndex: b.group?.index ?? 0,
    });
    out.buildRequests.push({
      instanceUuid: uuid,
      projectId: project.id,
      instance: b.kind === 'nullInstance' ? null : b.kind === 'unparseable' ? TRUNCATED_INSTANCE : JSON.stringify(instance),
      blockDeviceMappings: JSON.stringify(imageBdmListPrimitive({ instanceUuid: uuid, imageId: image.id })),
      tags: JSON.stringify(tagListPrimitive(b.group ? ['web', 'blue'] : [])),
      createdAt: created,
      updatedAt: null,
    });
    out.mappings.push({
      instanceUuid: uuid,
      cellId: null,
      projectId: project.id,
      userId: user.id,
      queuedForDelete: false,
      createdAt: created,
      updatedAt: null,
    });
    out.specs.push({
      instanceUuid: uuid,
      spec: specJson({ instanceUuid: uuid, flavor: flavor.primitive, image, projectId: project.id, userId: user.id, numInstances: b.group?.of ?? 1 }),
      createdAt: created,
      updatedAt: null,
    });
    out.byKind[b.kind].push(uuid);
  }

  // §5.4 end state: deleted while still a build request, conductor never came back.
  {
    const uuid = demoUuid('orphan-mapping', 1);
    const project = p.project('web-frontend');
    const user = p.user(project.def);
    const flavor = p.flavor('m1.small');
    const image = p.image(flavor);
    const created = p.ago(5 * DAY + 3 * HOUR + 12 * MINUTE);
    out.mappings.push({
      instanceUuid: uuid,
      cellId: null,
      projectId: project.id,
      userId: user.id,
      queuedForDelete: true,
      createdAt: created,
      updatedAt: p.after(created, 41 * SECOND),
    });
    out.specs.push({
      instanceUuid: uuid,
      spec: specJson({ instanceUuid: uuid, flavor: flavor.primitive, image, projectId: project.id, userId: user.id }),
      createdAt: created,
      updatedAt: null,
    });
    out.orphanUuid = uuid;
  }

  // map_instances' resume marker: the last processed uuid (an instance since archived), dashes → spaces.
  out.markerUuid = demoUuid('archived-instance', 'cell1', 'last-mapped').replace(/-/g, ' ');
  out.mappings.push({
    instanceUuid: out.markerUuid,
    cellId: null,
    projectId: INSTANCE_MIGRATION_MARKER,
    userId: INSTANCE_MIGRATION_MARKER,
    queuedForDelete: false,
    createdAt: p.ago(61 * DAY + 3 * HOUR),
    updatedAt: null,
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

async function writeCell(handle: CellHandle, plan: CellPlan): Promise<void> {
  await handle.db.transaction(async (tx) => {
    if (plan.services.length) {
      const svc = await tx.insert(services).values(plan.services).returning({ id: services.id, host: services.host, binary: services.binary });
      const serviceId = new Map(svc.map((s) => [`${s.host}|${s.binary}`, s.id]));
      if (plan.nodes.length) {
        const nodes = await tx
          .insert(computeNodes)
          .values(plan.nodes.map((n) => ({ ...n, serviceId: serviceId.get(`${n.host}|nova-compute`) ?? null })))
          .returning({ id: computeNodes.id, host: computeNodes.host, hh: computeNodes.hypervisorHostname });
        const nodeId = new Map(nodes.map((n) => [`${n.host}|${n.hh}`, n.id]));
        for (const i of plan.instances) {
          if (i.row.host && i.row.node) i.row.computeId = must(nodeId.get(`${i.row.host}|${i.row.node}`), `compute node ${i.row.node}`);
        }
      }
    }
    if (!plan.instances.length) return;

    await tx.insert(instances).values(plan.instances.map((i) => i.row));
    await tx.insert(instanceExtra).values(
      plan.instances.map((i) => ({
        instanceUuid: i.row.uuid,
        // instance_create always writes an instance_extra row; the fake VIF instance has no flavor.
        flavor: i.row.uuid === FAKE_INSTANCE_UUID ? null : instanceExtraFlavor(i.flavor.primitive),
        pciRequests: i.row.uuid === FAKE_INSTANCE_UUID ? null : '[]',
        numaTopology: null,
        createdAt: i.row.createdAt,
        updatedAt: null,
      })),
    );

    const actionRows = plan.instances.flatMap((i) =>
      i.actions.map((a) => ({
        action: a.action,
        instanceUuid: i.row.uuid,
        requestId: a.requestId,
        userId: a.userId,
        projectId: a.projectId,
        startTime: a.start,
        finishTime: null,
        message: a.message,
        createdAt: a.start,
        updatedAt: a.events.reduce<Date | null>((m, e) => (e.finish && (!m || e.finish > m) ? e.finish : m), null),
      })),
    );
    if (actionRows.length) {
      const ids = await tx.insert(instanceActions).values(actionRows).returning({ id: instanceActions.id, requestId: instanceActions.requestId });
      const actionId = new Map(ids.map((r) => [r.requestId, r.id]));
      const events = plan.instances.flatMap((i) =>
        i.actions.flatMap((a) =>
          a.events.map((e) => ({
            event: e.event,
            actionId: must(actionId.get(a.requestId), `action ${a.requestId}`),
            startTime: e.start,
            finishTime: e.finish,
            result: e.result,
            traceback: e.traceback ?? null,
            host: e.host,
            details: null,
            createdAt: e.start,
            updatedAt: e.finish,
          })),
        ),
      );
      if (events.length) await tx.insert(instanceActionsEvents).values(events);
    }

    const faults = plan.instances.flatMap((i) => i.faults.map((f) => ({ ...f, instanceUuid: i.row.uuid })));
    if (faults.length) await tx.insert(instanceFaults).values(faults);

    // Soft deletes, as instance_destroy does them: deleted = id, deleted_at; instance_actions are kept.
    const gone = plan.instances.filter((i) => i.deletedAt);
    if (gone.length) {
      const values = sql.join(
        gone.map((i) => sql`(${i.row.uuid}::varchar, ${i.deletedAt!.toISOString()}::timestamp)`),
        sql`, `,
      );
      for (const [table, column] of [
        ['instances', 'uuid'],
        ['instance_extra', 'instance_uuid'],
        ['instance_faults', 'instance_uuid'],
      ] as const) {
        await tx.execute(
          sql`update ${sql.identifier(table)} as t set deleted = t.id, deleted_at = v.at from (values ${values}) as v(uuid, at) where t.${sql.identifier(column)} = v.uuid and t.deleted = 0`,
        );
      }
    }
  });
}

function countInstances(plan: InstancePlan[]): DemoInstanceCounts {
  const byVmState: Record<string, number> = {};
  let live = 0;
  let softDeleted = 0;
  let deleted = 0;
  for (const i of plan) {
    if (i.deletedAt) deleted++;
    else if (i.row.vmState === 'soft-delete') softDeleted++;
    else {
      live++;
      const s = i.row.vmState ?? 'null';
      byVmState[s] = (byVmState[s] ?? 0) + 1;
    }
  }
  return { rows: plan.length, live, softDeleted, deleted, byVmState };
}

function controlPlaneServices(p: Planner): ServiceInsert[] {
  const out: ServiceInsert[] = [];
  for (const host of CONTROL_HOSTS) {
    for (const [binary, topic] of [
      ['nova-scheduler', 'scheduler'],
      ['nova-conductor', 'conductor'],
    ] as const) {
      const created = p.ago(433 * DAY + p.rng.int(0, 7200) * SECOND);
      const seen = p.ago(p.rng.int(0, 9) * SECOND);
      out.push({
        uuid: demoUuid('service', host, binary),
        host,
        binary,
        topic,
        reportCount: Math.floor((seen.getTime() - created.getTime()) / (10 * SECOND)),
        disabled: false,
        lastSeenUp: seen,
        forcedDown: false,
        version: SERVICE_VERSION,
        createdAt: created,
        updatedAt: seen,
      });
    }
  }
  return out;
}

/**
 * Seed the demo deployment. The databases must be migrated and empty of demo data;
 * cell mappings for cell0/cell1/cell2 must exist (their ids are passed in).
 */
export async function seedDemo(deps: SeedDemoDeps): Promise<DemoSummary> {
  const now = deps.now ?? new Date();
  const { cell0, cell1, cell2 } = deps.cells;

  return deps.api.db.transaction(async (tx) => {
    const clash = await tx
      .select({ name: flavors.name })
      .from(flavors)
      .where(
        inArray(
          flavors.name,
          FLAVOR_DEFS.map((f) => f.name),
        ),
      );
    if (clash.length) throw new Error(`demo already seeded: flavor(s) ${clash.map((c) => c.name).join(', ')} exist`);

    // Flavors (with the soon-to-be-deleted one, in creation order so ids are realistic).
    const nowMs = now.getTime();
    const inserted = await tx
      .insert(flavors)
      .values(
        FLAVOR_DEFS.map((f) => ({
          name: f.name,
          flavorid: f.flavorid,
          memoryMb: f.memoryMb,
          vcpus: f.vcpus,
          rootGb: f.rootGb,
          ephemeralGb: f.ephemeralGb,
          swap: f.swap,
          rxtxFactor: 1.0,
          vcpuWeight: null,
          disabled: false,
          isPublic: f.isPublic,
          description: f.description,
          createdAt: roundSec(nowMs - f.createdDaysAgo * DAY),
          updatedAt: null,
        })),
      )
      .returning();
    const flavorByName = new Map<string, FlavorRec>();
    for (const row of inserted) {
      const def = must(FLAVOR_DEFS.find((f) => f.name === row.name));
      flavorByName.set(row.name, { def, id: row.id, primitive: flavorPrimitive({ ...row, extraSpecs: def.extraSpecs }) });
    }
    const specRows = FLAVOR_DEFS.flatMap((f) =>
      Object.entries(f.extraSpecs).map(([key, value]) => ({
        flavorId: must(flavorByName.get(f.name)).id,
        key,
        value,
        createdAt: roundSec(nowMs - f.createdDaysAgo * DAY + MINUTE),
      })),
    );
    if (specRows.length) await tx.insert(flavorExtraSpecs).values(specRows);
    const projectRows = FLAVOR_DEFS.flatMap((f) =>
      f.projects.map((name) => ({
        flavorId: must(flavorByName.get(f.name)).id,
        projectId: keystoneId('project', name),
        createdAt: roundSec(nowMs - f.createdDaysAgo * DAY + 2 * MINUTE),
      })),
    );
    if (projectRows.length) await tx.insert(flavorProjects).values(projectRows);

    // Plan everything (deterministic order of PRNG draws).
    const p = new Planner(now, flavorByName);
    const placed1 = planCellInstances(p, 'cell1', cell1.id);
    const placed2 = planCellInstances(p, 'cell2', cell2.id);
    const buried = planCell0(p, cell0.id);
    const sortByCreated = (xs: InstancePlan[]) =>
      xs.sort((a, b) => a.row.createdAt.getTime() - b.row.createdAt.getTime() || a.row.uuid.localeCompare(b.row.uuid));
    const plans: Record<DemoCellKey, CellPlan> = {
      cell0: { services: controlPlaneServices(p), nodes: [], instances: sortByCreated(buried) },
      cell1: { ...planServicesAndNodes(p, 'cell1', placed1), instances: sortByCreated(placed1) },
      cell2: { ...planServicesAndNodes(p, 'cell2', placed2), instances: sortByCreated(placed2) },
    };
    const extras = planApiExtras(p);

    // The cell databases, each in its own transaction.
    await Promise.all([writeCell(cell0.handle, plans.cell0), writeCell(cell1.handle, plans.cell1), writeCell(cell2.handle, plans.cell2)]);

    // m1.legacy is hard-deleted with its extra specs and projects (nova _flavor_destroy);
    // instances keep their embedded copy and a dangling instance_type_id.
    const legacy = must(flavorByName.get(LEGACY));
    await tx.delete(flavorExtraSpecs).where(eq(flavorExtraSpecs.flavorId, legacy.id));
    await tx.delete(flavorProjects).where(eq(flavorProjects.flavorId, legacy.id));
    await tx.delete(flavors).where(eq(flavors.id, legacy.id));

    // Host mappings for discovered hosts.
    const cellIdOf = { cell1: cell1.id, cell2: cell2.id };
    const mappedHosts = HOSTS.filter((h) => h.mapped);
    await tx
      .insert(hostMappings)
      .values(mappedHosts.map((h) => ({ cellId: cellIdOf[h.cell], host: h.host, createdAt: roundSec(nowMs - h.createdAgoMs + 4 * MINUTE + 12 * SECOND) })));

    const allPlans = [...plans.cell0.instances, ...plans.cell1.instances, ...plans.cell2.instances];
    await tx.insert(instanceMappings).values([...allPlans.flatMap((i) => (i.mapping ? [i.mapping] : [])), ...extras.mappings]);
    await tx.insert(requestSpecs).values([...allPlans.flatMap((i) => (i.spec ? [i.spec] : [])), ...extras.specs]);
    await tx.insert(buildRequests).values(extras.buildRequests);

    const ironic = must(HOSTS.find((h) => h.profile === 'ironic'));
    const down = must(HOSTS.find((h) => h.down));
    const disabled = must(HOSTS.find((h) => h.disabledReason));
    const summary: DemoSummary = {
      now,
      projects: PROJECTS.map((x) => ({ name: x.name, id: keystoneId('project', x.name) })),
      flavors: {
        live: FLAVOR_DEFS.filter((f) => f.name !== LEGACY).map((f) => f.name),
        deleted: { name: LEGACY, id: legacy.id, flavorid: legacy.def.flavorid },
        gpu: GPU,
        private: { name: PRIVATE, projects: must(FLAVOR_DEFS.find((f) => f.name === PRIVATE)).projects.map((n) => keystoneId('project', n)) },
      },
      hosts: {
        mapped: mappedHosts.map((h) => h.host),
        unmapped: HOSTS.filter((h) => !h.mapped).map((h) => h.host),
        unmappedByCell: {
          cell1: HOSTS.filter((h) => !h.mapped && h.cell === 'cell1').map((h) => h.host),
          cell2: HOSTS.filter((h) => !h.mapped && h.cell === 'cell2').map((h) => h.host),
        },
        byCell: { cell1: HOSTS.filter((h) => h.cell === 'cell1').map((h) => h.host), cell2: HOSTS.filter((h) => h.cell === 'cell2').map((h) => h.host) },
        down: down.host,
        disabled: { host: disabled.host, reason: must(disabled.disabledReason) },
        ironic: { host: ironic.host, nodes: [...IRONIC_NODES], mappedNode: must(IRONIC_NODES[0]) },
        conductorHosts: [...CONTROL_HOSTS],
      },
      services: { cell0: plans.cell0.services.length, cell1: plans.cell1.services.length, cell2: plans.cell2.services.length },
      instances: { cell0: countInstances(plans.cell0.instances), cell1: countInstances(plans.cell1.instances), cell2: countInstances(plans.cell2.instances) },
      cell0: {
        failed: plans.cell0.instances.filter((i) => !i.deletedAt).length,
        deletedUuid: must(plans.cell0.instances.find((i) => i.deletedAt)).row.uuid,
        twoFaultsUuid: must(plans.cell0.instances.find((i) => i.faults.length === 2)).row.uuid,
        notEnoughHostsFlavors: [...new Set(CELL0_FAILURES.filter((f) => f.kind === 'not-enough-hosts' && !f.deleted).map((f) => f.flavor))].sort(),
      },
      legacyInstanceUuids: [...plans.cell1.instances, ...plans.cell2.instances]
        .filter((i) => i.flavor.def.name === LEGACY && i.row.uuid !== FAKE_INSTANCE_UUID)
        .map((i) => i.row.uuid),
      quotaRecheckErrorUuid: demoUuid('instance', 'cell1', 'quota-recheck'),
      buildRequests: extras.byKind,
      orphanMappingUuid: extras.orphanUuid,
      markerInstanceUuid: extras.markerUuid,
      fakeInstanceUuid: FAKE_INSTANCE_UUID,
    };
    return summary;
  });
}
