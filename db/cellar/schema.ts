/**
 * Cellar's own tables, in the `cellar` schema of the api database: never mixed with
 * nova's names, with migrations of their own (db/cellar/migrations), applied on any api
 * database, nova's included.
 */
import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, jsonb, pgSchema, primaryKey, serial, text, unique, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { createdAt, ts, utcNow } from '../timestamps';

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
 * The memory of cell health, shared by every console process and the CLI: per cell the
 * last success and failure, the reason, the consecutive failures, and when the background
 * probe asks it next. A cell that failed a moment ago is answered as down at once instead
 * of costing the fan-out deadline on every request.
 */
export const cellHealth = cellar.table('cell_health', {
  cellUuid: varchar('cell_uuid', { length: 36 }).primaryKey(),
  lastSuccessAt: ts('last_success_at'),
  lastFailureAt: ts('last_failure_at'),
  /** The fan-out's DownReason of the last failure: timeout, refused, auth or error. */
  reason: varchar('reason', { length: 16 }),
  message: text('message'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  /** The first failure of the current run of failures; null while it answers. */
  downSince: ts('down_since'),
  /**
   * Which database the row is about: a digest of the URL the cell was reached at
   * (db/cell-health.ts, healthTarget). A mapping pointed elsewhere is not held down for
   * what its old database did.
   */
  target: varchar('target', { length: 32 }),
  /** When the probe asks a down cell again (backoff); null while it answers. */
  nextProbeAt: ts('next_probe_at'),
  updatedAt: ts('updated_at').notNull().default(utcNow),
});

/**
 * Last-known figures per cell and kind (capacity, compute nodes, host mappings, instance
 * counts, …): the last good answer, shown marked stale with its time while the cell does
 * not answer. The value is stored as superjson, so dates come back as dates.
 */
export const cellFigures = cellar.table(
  'cell_figures',
  {
    cellUuid: varchar('cell_uuid', { length: 36 }).notNull(),
    kind: varchar('kind', { length: 64 }).notNull(),
    observedAt: ts('observed_at').notNull().default(utcNow),
    value: jsonb('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.cellUuid, t.kind] })],
);

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
    /** The console replica (or CLI process) that holds it while it runs, or last held it. */
    runner: varchar('runner', { length: 255 }),
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

/**
 * One row per discover_hosts run, from the console or the CLI: who, when, how, and what it
 * found. Written when the run starts (finished_at NULL while it works) and completed when it
 * ends, so a run that died half-way still shows. Dry runs are recorded too (dry_run = true):
 * they write nothing to nova's tables, only this log.
 */
export const discoveryRuns = cellar.table(
  'discovery_runs',
  {
    id: serial('id').primaryKey(),
    startedAt: ts('started_at').notNull().default(utcNow),
    finishedAt: ts('finished_at'),
    /** The OS user for the CLI, 'console' for the console (until sign-in exists). */
    actor: varchar('actor', { length: 255 }).notNull(),
    /** 'per-node' (compute_nodes, nova's default) or 'by-service' (nova-compute services). */
    mode: varchar('mode', { length: 16 }).notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    strict: boolean('strict').notNull().default(false),
    /** The one cell asked for; NULL = every cell except cell0. */
    cellUuid: varchar('cell_uuid', { length: 36 }),
    newlyMapped: integer('newly_mapped').notNull().default(0),
    /** Hosts someone else mapped between this run's look and its insert (a race, not an error). */
    alreadyMapped: integer('already_mapped').notNull().default(0),
    /** Hosts a dry run would have mapped. */
    wouldMap: integer('would_map').notNull().default(0),
    skippedCells: integer('skipped_cells').notNull().default(0),
    /** 'mapped' | 'nothing-to-map' | 'dry-run' | 'failed'; NULL while running. */
    outcome: varchar('outcome', { length: 16 }),
    /** The skipped cells with their reasons, and the error of a failed run. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** The console replica that ran it, for the periodic runs (actor 'periodic'); NULL for a run someone started. */
    replica: varchar('replica', { length: 255 }),
  },
  (t) => [index('discovery_runs_started_at_idx').on(t.startedAt)],
);

/**
 * Periodic discovery (nova's [scheduler] discover_hosts_in_cells_interval), one row: who
 * leads (the replica holding the lease runs it; another takes over once the lease is
 * past), when the last run started, and whether an operator paused it, shared by every
 * replica on this api database.
 */
export const discoverySchedule = cellar.table(
  'discovery_schedule',
  {
    id: integer('id').primaryKey().default(1),
    paused: boolean('paused').notNull().default(false),
    pausedBy: varchar('paused_by', { length: 255 }),
    pausedAt: ts('paused_at'),
    leader: varchar('leader', { length: 255 }),
    leaseUntil: ts('lease_until'),
    /** The leader's interval, as its CELLAR_DISCOVER_HOSTS_INTERVAL_S says. */
    intervalS: integer('interval_s'),
    lastRunAt: ts('last_run_at'),
  },
  () => [check('discovery_schedule_one_row', sql`id = 1`)],
);

/*
 * Access control (issue 5). better-auth's four tables (user, session, account,
 * verification) under Cellar's names; the JS keys are better-auth's field names, which is
 * how its drizzle adapter finds the columns. Users are created by Cellar's users domain,
 * never by self sign-up, so `username` and `role` are always set.
 */
export const authUsers = cellar.table(
  'users',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** better-auth requires one; Cellar's accounts have none, so it is `<username>@users.cellar.invalid`. */
    email: text('email').notNull(),
    emailVerified: boolean('email_verified').notNull().default(false),
    image: text('image'),
    createdAt: ts('created_at').notNull().default(utcNow),
    updatedAt: ts('updated_at').notNull().default(utcNow),
    username: varchar('username', { length: 64 }).notNull(),
    displayUsername: varchar('display_username', { length: 64 }),
    role: varchar('role', { length: 16 }).notNull().default('viewer'),
  },
  (t) => [
    unique('users_email_key').on(t.email),
    unique('users_username_key').on(t.username),
    check('users_role_check', sql`${t.role} in ('viewer', 'support', 'operator')`),
  ],
);

/** Sessions live here, so every console replica behind a load balancer sees the same ones. */
export const authSessions = cellar.table(
  'sessions',
  {
    id: text('id').primaryKey(),
    expiresAt: ts('expires_at').notNull(),
    token: text('token').notNull(),
    createdAt: ts('created_at').notNull().default(utcNow),
    updatedAt: ts('updated_at').notNull().default(utcNow),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    userId: text('user_id')
      .notNull()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
  },
  (t) => [unique('sessions_token_key').on(t.token), index('sessions_user_id_idx').on(t.userId)],
);

/** Credentials: one 'credential' account per user holds the library's password hash. */
export const authAccounts = cellar.table(
  'accounts',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: ts('access_token_expires_at'),
    refreshTokenExpiresAt: ts('refresh_token_expires_at'),
    scope: text('scope'),
    password: text('password'),
    createdAt: ts('created_at').notNull().default(utcNow),
    updatedAt: ts('updated_at').notNull().default(utcNow),
  },
  (t) => [index('accounts_user_id_idx').on(t.userId), unique('accounts_provider_account_key').on(t.providerId, t.accountId)],
);

export const authVerifications = cellar.table(
  'verifications',
  {
    id: text('id').primaryKey(),
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull().default(utcNow),
    updatedAt: ts('updated_at').notNull().default(utcNow),
  },
  (t) => [index('verifications_identifier_idx').on(t.identifier)],
);

/**
 * The session-signing secret when none is configured (BETTER_AUTH_SECRET /
 * CELLAR_AUTH_SECRET): made once by whichever replica starts first, shared by all.
 */
export const authSecret = cellar.table(
  'auth_secret',
  {
    id: integer('id').primaryKey().default(1),
    secret: text('secret').notNull(),
    createdAt: createdAt().notNull(),
  },
  (t) => [check('auth_secret_single_row', sql`${t.id} = 1`)],
);

/**
 * Automation tokens: only the sha256 of the secret is kept. A name is unique among the
 * tokens not revoked, so a revoked name can be reused.
 */
export const apiTokens = cellar.table(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    name: varchar('name', { length: 64 }).notNull(),
    role: varchar('role', { length: 16 }).notNull(),
    secretHash: varchar('secret_hash', { length: 64 }).notNull(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
    createdAt: createdAt().notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    revokedBy: varchar('revoked_by', { length: 255 }),
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [
    unique('api_tokens_secret_hash_key').on(t.secretHash),
    uniqueIndex('api_tokens_active_name_idx').on(t.name).where(sql`revoked_at is null`),
    check('api_tokens_role_check', sql`${t.role} in ('viewer', 'support', 'operator')`),
  ],
);

/**
 * Every write and every refused write, from the console (tRPC mutations) and the CLI
 * (write verbs). Read newest first by id (keyset), filtered by actor, action or outcome.
 */
export const auditLog = cellar.table(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().default(utcNow),
    /** 'console' or 'cli'. */
    source: varchar('source', { length: 16 }).notNull(),
    /** 'user', 'token', 'cli', 'internal' or 'anonymous'. */
    actorKind: varchar('actor_kind', { length: 16 }).notNull(),
    actor: varchar('actor', { length: 255 }).notNull(),
    role: varchar('role', { length: 16 }),
    /** The tRPC procedure path (cells.delete) or the CLI verb (delete_cell, user add). */
    action: varchar('action', { length: 255 }).notNull(),
    /** The cell, host, instance, user or token acted on, when the input names one. */
    target: text('target'),
    /** The input with URL passwords masked and password/secret/token fields dropped. */
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** 'done', 'refused', 'failed', or 'started' (written before the write runs, replaced by its outcome). */
    outcome: varchar('outcome', { length: 16 }).notNull(),
    reason: text('reason'),
    requestId: varchar('request_id', { length: 64 }),
    exitCode: integer('exit_code'),
    /** The client address the request came from (console requests). */
    address: varchar('address', { length: 64 }),
    /**
     * Refusals before a procedure runs (no session, a role too low, input the guard or the
     * schema refuses) are one row per address, actor, action and minute: the key, how many
     * calls it stands for, and when the last came.
     */
    aggregateKey: text('aggregate_key'),
    repeatCount: integer('repeat_count').notNull().default(1),
    lastAt: ts('last_at'),
  },
  (t) => [
    index('audit_log_actor_id_idx').on(t.actor, t.id),
    index('audit_log_action_id_idx').on(t.action, t.id),
    index('audit_log_outcome_id_idx').on(t.outcome, t.id),
    index('audit_log_at_idx').on(t.at),
    uniqueIndex('audit_log_aggregate_key_idx').on(t.aggregateKey).where(sql`${t.aggregateKey} is not null`),
    check('audit_log_outcome_check', sql`${t.outcome} in ('done', 'refused', 'failed', 'started')`),
  ],
);

/**
 * Sign-in attempts, for the limits per account and per address. An attempt is written as
 * 'pending' before the password is checked (so concurrent guesses count against each
 * other), then becomes 'failed', or is deleted when it succeeds; 'locked' marks an
 * attempt refused by a limit, which does not extend the lock.
 */
export const signInAttempts = cellar.table(
  'sign_in_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().default(utcNow),
    username: varchar('username', { length: 255 }).notNull(),
    address: varchar('address', { length: 64 }).notNull(),
    state: varchar('state', { length: 16 }).notNull(),
  },
  (t) => [index('sign_in_attempts_username_at_idx').on(t.username, t.at), index('sign_in_attempts_address_at_idx').on(t.address, t.at)],
);
