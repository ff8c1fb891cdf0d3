/**
 * The api database (nova_api), with nova's table, column, key and index names
 * (nova/db/api/models.py). Cellar's own tables live in the `cellar` schema.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSchema,
  pgTable,
  serial,
  text,
  unique,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { createdAt, ts, updatedAt, utcNow } from '../timestamps';

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
  (t) => [
    unique('uniq_request_specs0instance_uuid').on(t.instanceUuid),
    index('request_spec_instance_uuid_idx').on(t.instanceUuid),
  ],
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
  (t) => [
    unique('uniq_flavor_extra_specs0flavor_id0key').on(t.flavorId, t.key),
    index('flavor_extra_specs_flavor_id_key_idx').on(t.flavorId, t.key),
  ],
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

/** Cellar's own tables: never mixed with nova's names. */
export const cellar = pgSchema('cellar');

/** One row: when and how this installation was set up (the demo is seeded once). */
export const installation = cellar.table('installation', {
  id: integer('id').primaryKey().default(1),
  createdAt: createdAt().notNull(),
  demoSeededAt: ts('demo_seeded_at'),
  notes: jsonb('notes').$type<Record<string, unknown>>().default(sql`'{}'::jsonb`),
});

/**
 * Last-known figures per cell, so a cell that stops answering still shows what it had,
 * marked stale with the time it was observed (console-ux: "keeps its last-known figures").
 */
export const cellObservations = cellar.table('cell_observations', {
  cellUuid: varchar('cell_uuid', { length: 36 }).primaryKey(),
  observedAt: ts('observed_at').notNull().default(utcNow),
  figures: jsonb('figures').$type<Record<string, number>>().notNull(),
});

/**
 * Background jobs the console starts (map_instances over a cell, …). A job survives the
 * process that runs it: its progress is stored as it goes, so a killed job resumes.
 * At most one queued or running job per (kind, target).
 */
export const jobs = cellar.table(
  'jobs',
  {
    id: serial('id').primaryKey(),
    kind: varchar('kind', { length: 64 }).notNull(),
    target: varchar('target', { length: 255 }).notNull(),
    state: varchar('state', { length: 16 }).notNull().default('queued'),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
    actor: varchar('actor', { length: 255 }),
    createdAt: createdAt().notNull(),
    startedAt: ts('started_at'),
    heartbeatAt: ts('heartbeat_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    uniqueIndex('jobs_one_active_idx').on(t.kind, t.target).where(sql`state in ('queued', 'running')`),
    index('jobs_kind_created_idx').on(t.kind, t.createdAt),
  ],
);
