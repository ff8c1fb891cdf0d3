import { boolean, doublePrecision, index, integer, pgTable, serial, text, unique, varchar } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../timestamps';

export const cellMappings = pgTable(
  'cell_mappings',
  {
    id: serial('id').primaryKey(),
    uuid: varchar('uuid', { length: 36 }).notNull(),
    name: varchar('name', { length: 255 }),
    transportUrl: text('transport_url'),
    databaseConnection: text('database_connection'),
    disabled: boolean('disabled').default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('uniq_cell_mappings0uuid').on(t.uuid), index('uuid_idx').on(t.uuid)],
);

export const hostMappings = pgTable(
  'host_mappings',
  {
    id: serial('id').primaryKey(),
    cellId: integer('cell_id')
      .notNull()
      .references(() => cellMappings.id),
    host: varchar('host', { length: 255 }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('uniq_host_mappings0host').on(t.host), index('host_idx').on(t.host)],
);

export const instanceMappings = pgTable(
  'instance_mappings',
  {
    id: serial('id').primaryKey(),
    instanceUuid: varchar('instance_uuid', { length: 36 }).notNull(),
    cellId: integer('cell_id').references(() => cellMappings.id),
    projectId: varchar('project_id', { length: 255 }).notNull(),
    userId: varchar('user_id', { length: 255 }),
    queuedForDelete: boolean('queued_for_delete').default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('uniq_instance_mappings0instance_uuid').on(t.instanceUuid),
    index('instance_uuid_idx').on(t.instanceUuid),
    index('project_id_idx').on(t.projectId),
    index('instance_mappings_user_id_project_id_idx').on(t.userId, t.projectId),
    // Not nova's: down-cell listing and per-cell counts read mappings by cell.
    index('instance_mappings_cell_id_idx').on(t.cellId),
  ],
);

export const buildRequests = pgTable(
  'build_requests',
  {
    id: serial('id').primaryKey(),
    instanceUuid: varchar('instance_uuid', { length: 36 }),
    projectId: varchar('project_id', { length: 255 }).notNull(),
    instance: text('instance'),
    blockDeviceMappings: text('block_device_mappings'),
    tags: text('tags'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('uniq_build_requests0instance_uuid').on(t.instanceUuid),
    index('build_requests_instance_uuid_idx').on(t.instanceUuid),
    index('build_requests_project_id_idx').on(t.projectId),
  ],
);

export const requestSpecs = pgTable(
  'request_specs',
  {
    id: serial('id').primaryKey(),
    instanceUuid: varchar('instance_uuid', { length: 36 }).notNull(),
    spec: text('spec').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('uniq_request_specs0instance_uuid').on(t.instanceUuid), index('request_spec_instance_uuid_idx').on(t.instanceUuid)],
);

export const flavors = pgTable(
  'flavors',
  {
    id: serial('id').primaryKey(),
    name: varchar('name', { length: 255 }).notNull(),
    memoryMb: integer('memory_mb').notNull(),
    vcpus: integer('vcpus').notNull(),
    swap: integer('swap').notNull().default(0),
    vcpuWeight: integer('vcpu_weight'),
    flavorid: varchar('flavorid', { length: 255 }).notNull(),
    rxtxFactor: doublePrecision('rxtx_factor').default(1),
    rootGb: integer('root_gb'),
    ephemeralGb: integer('ephemeral_gb'),
    disabled: boolean('disabled').default(false),
    isPublic: boolean('is_public').default(true),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('uniq_flavors0name').on(t.name), unique('uniq_flavors0flavorid').on(t.flavorid)],
);

export const flavorExtraSpecs = pgTable(
  'flavor_extra_specs',
  {
    id: serial('id').primaryKey(),
    flavorId: integer('flavor_id')
      .notNull()
      .references(() => flavors.id),
    key: varchar('key', { length: 255 }).notNull(),
    value: varchar('value', { length: 255 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('uniq_flavor_extra_specs0flavor_id0key').on(t.flavorId, t.key), index('flavor_extra_specs_flavor_id_key_idx').on(t.flavorId, t.key)],
);

export const flavorProjects = pgTable(
  'flavor_projects',
  {
    id: serial('id').primaryKey(),
    flavorId: integer('flavor_id')
      .notNull()
      .references(() => flavors.id),
    projectId: varchar('project_id', { length: 255 }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('uniq_flavor_projects0flavor_id0project_id').on(t.flavorId, t.projectId)],
);
