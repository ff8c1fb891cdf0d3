/**
 * A cell database (nova's "main" database; cell0 uses the same schema), with nova's
 * table, column, key and index names (nova/db/main/models.py). Rows are soft-deleted:
 * deleted = id and deleted_at = now, which is why unique keys include `deleted`.
 */
import { bigint, boolean, doublePrecision, index, inet, integer, pgTable, serial, text, unique, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { createdAt, ts, updatedAt } from '../timestamps';

const softDelete = () => ({
  deletedAt: ts('deleted_at'),
  deleted: integer('deleted').notNull().default(0),
});

export const instances = pgTable(
  'instances',
  {
    id: serial('id').primaryKey(),
    uuid: varchar('uuid', { length: 36 }).notNull(),
    userId: varchar('user_id', { length: 255 }),
    projectId: varchar('project_id', { length: 255 }),
    imageRef: varchar('image_ref', { length: 255 }),
    kernelId: varchar('kernel_id', { length: 255 }),
    ramdiskId: varchar('ramdisk_id', { length: 255 }),
    hostname: varchar('hostname', { length: 255 }),
    launchIndex: integer('launch_index'),
    keyName: varchar('key_name', { length: 255 }),
    powerState: integer('power_state'),
    vmState: varchar('vm_state', { length: 255 }),
    taskState: varchar('task_state', { length: 255 }),
    memoryMb: integer('memory_mb'),
    vcpus: integer('vcpus'),
    rootGb: integer('root_gb'),
    ephemeralGb: integer('ephemeral_gb'),
    host: varchar('host', { length: 255 }),
    node: varchar('node', { length: 255 }),
    computeId: bigint('compute_id', { mode: 'number' }),
    instanceTypeId: integer('instance_type_id'),
    reservationId: varchar('reservation_id', { length: 255 }),
    launchedAt: ts('launched_at'),
    terminatedAt: ts('terminated_at'),
    launchedOn: text('launched_on'),
    availabilityZone: varchar('availability_zone', { length: 255 }),
    displayName: varchar('display_name', { length: 255 }),
    displayDescription: varchar('display_description', { length: 255 }),
    locked: boolean('locked'),
    lockedBy: varchar('locked_by', { length: 5 }),
    progress: integer('progress'),
    cleaned: integer('cleaned').default(0),
    hidden: boolean('hidden').default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ...softDelete(),
  },
  (t) => [
    unique('uniq_instances0uuid').on(t.uuid),
    index('instances_project_id_idx').on(t.projectId),
    index('instances_project_id_deleted_idx').on(t.projectId, t.deleted),
    index('instances_uuid_deleted_idx').on(t.uuid, t.deleted),
    index('instances_host_node_deleted_idx').on(t.host, t.node, t.deleted),
    index('instances_host_deleted_cleaned_idx').on(t.host, t.deleted, t.cleaned),
    index('instances_deleted_created_at_idx').on(t.deleted, t.createdAt),
    index('instances_task_state_updated_at_idx').on(t.taskState, t.updatedAt),
    index('instances_reservation_id_idx').on(t.reservationId),
    index('instances_compute_id_deleted_idx').on(t.computeId, t.deleted),
    // Not nova's: the cross-cell list walks (created_at desc, uuid asc) with keyset markers.
    index('instances_created_at_uuid_idx').on(t.createdAt.desc(), t.uuid),
  ],
);

export const instanceExtra = pgTable(
  'instance_extra',
  {
    id: serial('id').primaryKey(),
    instanceUuid: varchar('instance_uuid', { length: 36 }).notNull(),
    flavor: text('flavor'),
    numaTopology: text('numa_topology'),
    pciRequests: text('pci_requests'),
    deviceMetadata: text('device_metadata'),
    vcpuModel: text('vcpu_model'),
    migrationContext: text('migration_context'),
    keypairs: text('keypairs'),
    trustedCerts: text('trusted_certs'),
    resources: text('resources'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ...softDelete(),
  },
  (t) => [index('instance_extra_idx').on(t.instanceUuid)],
);

export const instanceFaults = pgTable(
  'instance_faults',
  {
    id: serial('id').primaryKey(),
    instanceUuid: varchar('instance_uuid', { length: 36 }),
    code: integer('code').notNull(),
    message: varchar('message', { length: 255 }),
    details: text('details'),
    host: varchar('host', { length: 255 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ...softDelete(),
  },
  (t) => [
    index('instance_faults_host_idx').on(t.host),
    index('instance_faults_instance_uuid_deleted_created_at_idx').on(t.instanceUuid, t.deleted, t.createdAt),
  ],
);

export const instanceActions = pgTable(
  'instance_actions',
  {
    id: serial('id').primaryKey(),
    action: varchar('action', { length: 255 }),
    instanceUuid: varchar('instance_uuid', { length: 36 }),
    requestId: varchar('request_id', { length: 255 }),
    userId: varchar('user_id', { length: 255 }),
    projectId: varchar('project_id', { length: 255 }),
    startTime: ts('start_time'),
    finishTime: ts('finish_time'),
    message: varchar('message', { length: 255 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ...softDelete(),
  },
  (t) => [
    index('instance_uuid_idx').on(t.instanceUuid),
    index('request_id_idx').on(t.requestId),
    index('instance_actions_instance_uuid_updated_at_idx').on(t.instanceUuid, t.updatedAt),
  ],
);

export const instanceActionsEvents = pgTable(
  'instance_actions_events',
  {
    id: serial('id').primaryKey(),
    event: varchar('event', { length: 255 }),
    actionId: integer('action_id').references(() => instanceActions.id),
    startTime: ts('start_time'),
    finishTime: ts('finish_time'),
    result: varchar('result', { length: 255 }),
    traceback: text('traceback'),
    host: varchar('host', { length: 255 }),
    details: text('details'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ...softDelete(),
  },
  (t) => [index('instance_actions_events_action_id_idx').on(t.actionId)],
);

export const services = pgTable(
  'services',
  {
    id: serial('id').primaryKey(),
    uuid: varchar('uuid', { length: 36 }),
    host: varchar('host', { length: 255 }),
    binary: varchar('binary', { length: 255 }),
    topic: varchar('topic', { length: 255 }),
    reportCount: integer('report_count').notNull().default(0),
    disabled: boolean('disabled').default(false),
    disabledReason: varchar('disabled_reason', { length: 255 }),
    lastSeenUp: ts('last_seen_up'),
    forcedDown: boolean('forced_down').default(false),
    version: integer('version').default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ...softDelete(),
  },
  (t) => [
    unique('uniq_services0host0topic0deleted').on(t.host, t.topic, t.deleted),
    unique('uniq_services0host0binary0deleted').on(t.host, t.binary, t.deleted),
    uniqueIndex('services_uuid_idx').on(t.uuid),
    index('services_host_idx').on(t.host),
  ],
);

export const computeNodes = pgTable(
  'compute_nodes',
  {
    id: serial('id').primaryKey(),
    uuid: varchar('uuid', { length: 36 }),
    serviceId: integer('service_id'),
    host: varchar('host', { length: 255 }),
    hypervisorHostname: varchar('hypervisor_hostname', { length: 255 }),
    vcpus: integer('vcpus').notNull(),
    memoryMb: integer('memory_mb').notNull(),
    localGb: integer('local_gb').notNull(),
    vcpusUsed: integer('vcpus_used').notNull(),
    memoryMbUsed: integer('memory_mb_used').notNull(),
    localGbUsed: integer('local_gb_used').notNull(),
    hypervisorType: text('hypervisor_type').notNull(),
    hypervisorVersion: integer('hypervisor_version').notNull(),
    cpuInfo: text('cpu_info').notNull(),
    freeRamMb: integer('free_ram_mb'),
    freeDiskGb: integer('free_disk_gb'),
    diskAvailableLeast: integer('disk_available_least'),
    runningVms: integer('running_vms'),
    currentWorkload: integer('current_workload'),
    hostIp: inet('host_ip'),
    cpuAllocationRatio: doublePrecision('cpu_allocation_ratio'),
    ramAllocationRatio: doublePrecision('ram_allocation_ratio'),
    diskAllocationRatio: doublePrecision('disk_allocation_ratio'),
    stats: text('stats'),
    metrics: text('metrics'),
    pciStats: text('pci_stats'),
    numaTopology: text('numa_topology'),
    supportedInstances: text('supported_instances'),
    extraResources: text('extra_resources'),
    mapped: integer('mapped').default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ...softDelete(),
  },
  (t) => [
    unique('uniq_compute_nodes0host0hypervisor_hostname0deleted').on(t.host, t.hypervisorHostname, t.deleted),
    uniqueIndex('compute_nodes_uuid_idx').on(t.uuid),
    index('compute_nodes_mapped_idx').on(t.mapped, t.deleted),
  ],
);
