/**
 * nova's oslo.versionedobjects primitives, as JSON-ready objects: what nova stores in
 * instance_extra.flavor, build_requests.instance, build_requests.block_device_mappings,
 * build_requests.tags and request_specs.spec (cells-v2.md §1.4, §1.5, §2.3).
 *
 * Builders produce the shape `obj_to_primitive()` gives:
 *   {"nova_object.name", "nova_object.namespace": "nova", "nova_object.version",
 *    "nova_object.data": {...}, "nova_object.changes": [...]}
 * The reader (`readFlavorFromPrimitive`) is tolerant: stored rows may be old, partial,
 * truncated or NULL, and a page must never crash on them.
 */

export interface Primitive<D = Record<string, unknown>> {
  'nova_object.name': string;
  'nova_object.namespace': 'nova';
  'nova_object.version': string;
  'nova_object.data': D;
  'nova_object.changes'?: string[];
}

/** oslo.versionedobjects DateTimeField serialisation: ISO 8601, whole seconds, 'Z'. */
export function isoTime(d: Date | null | undefined): string | null {
  if (!d) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function primitive<D extends Record<string, unknown>>(name: string, version: string, data: D, changes?: string[] | true): Primitive<D> {
  const out: Primitive<D> = {
    'nova_object.name': name,
    'nova_object.namespace': 'nova',
    'nova_object.version': version,
    'nova_object.data': data,
  };
  if (changes === true) out['nova_object.changes'] = Object.keys(data).sort();
  else if (changes?.length) out['nova_object.changes'] = [...changes].sort();
  return out;
}

// ---------------------------------------------------------------------------------------
// Flavor
// ---------------------------------------------------------------------------------------

/** A flavors row as drizzle returns it (db/api/schema.ts), plus its extra specs. */
export interface FlavorLike {
  id: number;
  name: string;
  memoryMb: number;
  vcpus: number;
  rootGb: number | null;
  ephemeralGb: number | null;
  flavorid: string;
  swap: number;
  rxtxFactor: number | null;
  vcpuWeight: number | null;
  disabled: boolean | null;
  isPublic: boolean | null;
  description: string | null;
  createdAt?: Date | null;
  updatedAt?: Date | null;
  /** flavor_extra_specs as key → value; may be given here or as the second argument. */
  extraSpecs?: Record<string, string>;
}

export interface FlavorData extends Record<string, unknown> {
  id: number;
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  flavorid: string;
  swap: number;
  rxtx_factor: number;
  vcpu_weight: number | null;
  disabled: boolean;
  is_public: boolean;
  extra_specs: Record<string, string>;
  description: string | null;
  created_at: string | null;
  updated_at: string | null;
  deleted_at: null;
  deleted: boolean;
}

/** nova.objects.flavor.Flavor 1.2, as embedded in instance_extra.flavor and request specs. */
export function flavorPrimitive(flavor: FlavorLike, extraSpecs?: Record<string, string>): Primitive<FlavorData> {
  return primitive('Flavor', '1.2', {
    id: flavor.id,
    name: flavor.name,
    memory_mb: flavor.memoryMb,
    vcpus: flavor.vcpus,
    root_gb: flavor.rootGb ?? 0,
    ephemeral_gb: flavor.ephemeralGb ?? 0,
    flavorid: flavor.flavorid,
    swap: flavor.swap ?? 0,
    rxtx_factor: flavor.rxtxFactor ?? 1.0,
    vcpu_weight: flavor.vcpuWeight ?? null,
    disabled: flavor.disabled ?? false,
    is_public: flavor.isPublic ?? true,
    extra_specs: { ...(flavor.extraSpecs ?? {}), ...(extraSpecs ?? {}) },
    description: flavor.description ?? null,
    created_at: isoTime(flavor.createdAt),
    updated_at: isoTime(flavor.updatedAt),
    deleted_at: null,
    deleted: false,
  });
}

/** instance_extra.flavor: `{"cur": <Flavor primitive>, "old": null, "new": null}` (nova _save_flavor). */
export function instanceExtraFlavor(cur: Primitive<FlavorData>, old: Primitive<FlavorData> | null = null, next: Primitive<FlavorData> | null = null): string {
  return JSON.stringify({ cur, old, new: next });
}

// ---------------------------------------------------------------------------------------
// Image (ImageMeta) — embedded in request specs
// ---------------------------------------------------------------------------------------

export interface ImageLike {
  /** Glance id; absent for boot-from-volume. */
  id?: string | null;
  name?: string | null;
  status?: string;
  diskFormat?: string;
  containerFormat?: string;
  minDisk?: number;
  minRam?: number;
  size?: number;
  owner?: string | null;
  properties?: Record<string, unknown>;
  createdAt?: Date | null;
}

export function imageMetaPrimitive(image: ImageLike | null | undefined): Primitive {
  const data: Record<string, unknown> = {};
  if (image?.id) data.id = image.id;
  if (image?.name) data.name = image.name;
  data.status = image?.status ?? 'active';
  if (image?.id) {
    data.disk_format = image.diskFormat ?? 'qcow2';
    data.container_format = image.containerFormat ?? 'bare';
    data.size = image.size ?? 0;
    if (image.owner) data.owner = image.owner;
    if (image.createdAt) data.created_at = isoTime(image.createdAt);
  }
  data.min_disk = image?.minDisk ?? 0;
  data.min_ram = image?.minRam ?? 0;
  data.properties = primitive('ImageMetaProps', '1.38', { ...(image?.properties ?? {}) }, true);
  return primitive('ImageMeta', '1.8', data, true);
}

// ---------------------------------------------------------------------------------------
// Instance, as stored in build_requests.instance
// ---------------------------------------------------------------------------------------

export interface BuildRequestInstanceInput {
  uuid: string;
  displayName: string;
  displayDescription?: string | null;
  hostname?: string;
  projectId: string;
  userId: string;
  /** Glance id; '' for boot-from-volume. */
  imageRef: string;
  flavor: Primitive<FlavorData>;
  availabilityZone?: string | null;
  metadata?: Record<string, string>;
  systemMetadata?: Record<string, string>;
  keyName?: string | null;
  reservationId?: string;
  launchIndex?: number;
  configDrive?: string;
  lockedBy?: 'owner' | 'admin' | null;
}

/** nova.objects.instance.Instance 2.8, not yet persisted (vm_state building, task_state scheduling). */
export function buildRequestInstancePrimitive(i: BuildRequestInstanceInput): Primitive {
  const f = i.flavor['nova_object.data'];
  const data: Record<string, unknown> = {
    uuid: i.uuid,
    display_name: i.displayName,
    display_description: i.displayDescription ?? i.displayName,
    hostname: i.hostname ?? sanitizeHostname(i.displayName),
    project_id: i.projectId,
    user_id: i.userId,
    image_ref: i.imageRef,
    kernel_id: '',
    ramdisk_id: '',
    flavor: i.flavor,
    old_flavor: null,
    new_flavor: null,
    instance_type_id: f.id,
    memory_mb: f.memory_mb,
    vcpus: f.vcpus,
    root_gb: f.root_gb,
    ephemeral_gb: f.ephemeral_gb,
    vm_state: 'building',
    task_state: 'scheduling',
    power_state: 0,
    progress: 0,
    availability_zone: i.availabilityZone ?? null,
    metadata: i.metadata ?? {},
    system_metadata: i.systemMetadata ?? {},
    key_name: i.keyName ?? null,
    key_data: null,
    reservation_id: i.reservationId ?? null,
    launch_index: i.launchIndex ?? 0,
    config_drive: i.configDrive ?? '',
    locked: false,
    locked_by: i.lockedBy ?? null,
    host: null,
    node: null,
    launched_on: null,
    os_type: null,
    architecture: null,
    root_device_name: null,
    user_data: null,
    access_ip_v4: null,
    access_ip_v6: null,
    cell_name: null,
    shutdown_terminate: false,
    disable_terminate: false,
    numa_topology: null,
    pci_requests: primitive('InstancePCIRequests', '1.1', { instance_uuid: i.uuid, requests: [] }, true),
    trusted_certs: null,
    keypairs: primitive('KeyPairList', '1.3', { objects: [] }, true),
    hidden: false,
  };
  return primitive('Instance', '2.8', data, true);
}

/** nova's hostname sanitisation, close enough: lowercase, [a-z0-9-], at most 63 characters. */
export function sanitizeHostname(name: string): string {
  const h = name
    .toLowerCase()
    .replace(/[ _]/g, '-')
    .replace(/[^a-z0-9.-]/g, '')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 63);
  return h || 'server';
}

// ---------------------------------------------------------------------------------------
// RequestSpec
// ---------------------------------------------------------------------------------------

export interface RequestSpecInput {
  instanceUuid: string;
  flavor: Primitive<FlavorData>;
  image: ImageLike | null;
  projectId: string;
  userId: string;
  availabilityZone?: string | null;
  numInstances?: number;
  isBfv?: boolean;
  schedulerHints?: Record<string, string[]>;
  securityGroups?: string[];
}

/** nova.objects.request_spec.RequestSpec 1.14, with the non-persisted fields nulled as nova saves it. */
export function requestSpecPrimitive(s: RequestSpecInput): Primitive {
  const data: Record<string, unknown> = {
    instance_uuid: s.instanceUuid,
    flavor: s.flavor,
    image: imageMetaPrimitive(s.image),
    project_id: s.projectId,
    user_id: s.userId,
    availability_zone: s.availabilityZone ?? null,
    num_instances: s.numInstances ?? 1,
    numa_topology: null,
    pci_requests: primitive('InstancePCIRequests', '1.1', { requests: [] }, true),
    ignore_hosts: null,
    force_hosts: null,
    force_nodes: null,
    requested_destination: null,
    retry: null,
    limits: primitive('SchedulerLimits', '1.0', { numa_topology: null, vcpu: null, disk_gb: null, memory_mb: null }, true),
    instance_group: null,
    scheduler_hints: s.schedulerHints ?? {},
    security_groups: primitive(
      'SecurityGroupList',
      '1.1',
      {
        objects: (s.securityGroups ?? ['default']).map((name) => primitive('SecurityGroup', '1.2', { name }, true)),
      },
      true,
    ),
    is_bfv: s.isBfv ?? false,
  };
  return primitive('RequestSpec', '1.14', data, true);
}

// ---------------------------------------------------------------------------------------
// Block device mappings and tags, as stored in build_requests
// ---------------------------------------------------------------------------------------

/** A BlockDeviceMappingList with the single image → local root disk nova creates for a plain boot. */
export function imageBdmListPrimitive(opts: { instanceUuid: string; imageId: string | null; volumeSizeGb?: number | null }): Primitive {
  const bdm = opts.imageId
    ? {
        source_type: 'image',
        destination_type: 'local',
        image_id: opts.imageId,
        boot_index: 0,
        delete_on_termination: true,
        device_type: 'disk',
        device_name: null,
        volume_size: null,
        instance_uuid: opts.instanceUuid,
        no_device: false,
        disk_bus: null,
        guest_format: null,
        tag: null,
      }
    : {
        source_type: 'image',
        destination_type: 'volume',
        image_id: null,
        boot_index: 0,
        delete_on_termination: true,
        device_type: 'disk',
        device_name: 'vda',
        volume_size: opts.volumeSizeGb ?? 20,
        instance_uuid: opts.instanceUuid,
        no_device: false,
        disk_bus: null,
        guest_format: null,
        tag: null,
      };
  return primitive('BlockDeviceMappingList', '1.18', { objects: [primitive('BlockDeviceMapping', '1.20', bdm, true)] }, true);
}

export function tagListPrimitive(tags: string[] = []): Primitive {
  return primitive('TagList', '1.1', { objects: tags.map((tag) => primitive('Tag', '1.1', { tag }, true)) }, true);
}

// ---------------------------------------------------------------------------------------
// Tolerant reader
// ---------------------------------------------------------------------------------------

export interface EmbeddedFlavor {
  name: string;
  /** The public/API id; null if the primitive lacks it. */
  flavorid: string | null;
  vcpus: number;
  memoryMb: number;
  rootGb: number;
  ephemeralGb: number;
  swap: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** The data of a Flavor primitive found in any of the shapes nova stores one in. */
function findFlavorData(v: unknown, depth = 0): Record<string, unknown> | null {
  if (!isObject(v) || depth > 4) return null;
  const name = v['nova_object.name'];
  const data = v['nova_object.data'];
  if (name === 'Flavor' && isObject(data)) return data;
  if (typeof name === 'string' && isObject(data)) {
    // An Instance (build_requests.instance) or a RequestSpec (request_specs.spec).
    return findFlavorData(data.flavor, depth + 1);
  }
  // instance_extra.flavor: {"cur": …, "old": …, "new": …}
  if ('cur' in v) return findFlavorData(v.cur, depth + 1);
  // A bare flavor dict (very old rows, or a primitive without the envelope).
  if (typeof v.name === 'string' && num(v.vcpus) !== null && num(v.memory_mb) !== null) return v;
  return null;
}

/**
 * The flavor embedded in instance_extra.flavor ({"cur": …}), a Flavor primitive, an
 * Instance primitive (build_requests.instance) or a RequestSpec primitive
 * (request_specs.spec). Returns null for NULL, unparseable or unrecognised input; never throws.
 */
export function readFlavorFromPrimitive(json: string | null | undefined | Record<string, unknown>): EmbeddedFlavor | null {
  try {
    if (json === null || json === undefined) return null;
    const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : json;
    const d = findFlavorData(parsed);
    if (!d) return null;
    const name = typeof d.name === 'string' ? d.name : null;
    const vcpus = num(d.vcpus);
    const memoryMb = num(d.memory_mb);
    if (name === null || vcpus === null || memoryMb === null) return null;
    const flavorid = typeof d.flavorid === 'string' ? d.flavorid : typeof d.flavorid === 'number' ? String(d.flavorid) : null;
    return {
      name,
      flavorid,
      vcpus,
      memoryMb,
      rootGb: num(d.root_gb) ?? 0,
      ephemeralGb: num(d.ephemeral_gb) ?? 0,
      swap: num(d.swap) ?? 0,
    };
  } catch {
    return null;
  }
}
