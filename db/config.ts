import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { maskUrl, parseDbUrl } from './url';

/**
 * Cellar's configuration, read once from the environment (and ./.env when present).
 * The names are a contract with scripts and other tools: keep them stable.
 */

/**
 * A database URL variable: a PostgreSQL URL as parseDbUrl reads it, nova's SQLAlchemy form
 * included (postgresql+psycopg2://…?sslmode=require, any driver), MySQL refused. The value
 * is kept as written: {scheme} in cell templates expands to it and masked messages show
 * it; connect.ts turns it into the driver's URL when it connects.
 */
const dbUrl = (name: string) =>
  z
    .string()
    .trim()
    .min(1)
    .superRefine((value, ctx) => {
      try {
        parseDbUrl(value);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    })
    .describe(name);

/** An allocation ratio: a number above 0, as placement accepts (1.5, 16, 0.9). */
const allocationRatio = () =>
  z.coerce
    .number({ message: 'must be a number, e.g. 4.0' })
    .refine((v) => Number.isFinite(v) && v > 0, 'must be a number above 0, e.g. 4.0')
    .refine((v) => v <= 1000, 'must be at most 1000');

const schema = z.object({
  CELLAR_API_DATABASE_URL: dbUrl('CELLAR_API_DATABASE_URL').optional(),
  CELLAR_DATABASE_URL: dbUrl('CELLAR_DATABASE_URL').optional(),
  CELLAR_CELL_DEADLINE_MS: z.coerce
    .number({ message: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(50, 'must be at least 50 ms')
    .max(120_000, 'must be at most 120000 ms (two minutes)')
    .default(3000),
  // The api database's bounds (db/runtime.ts, apiPoolOptions): the server cancels a
  // statement on it after CELLAR_API_STATEMENT_TIMEOUT_MS; a connection that has heard
  // nothing back for that and one second more is closed (a stopped or stalled server never
  // runs the statement); a new connection must be ready within CELLAR_API_CONNECT_TIMEOUT_S.
  // So every request that needs the api database answers in bounded time; when the database
  // does not answer, the answer says so ("the api database does not answer").
  CELLAR_API_STATEMENT_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100 ms')
    .max(600_000, 'must be at most 600000 ms (ten minutes)')
    .default(5000),
  CELLAR_API_CONNECT_TIMEOUT_S: z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(120, 'must be at most 120 seconds (two minutes)')
    .default(3),
  // The connection budget per cell database server (db/registry.ts): cells whose URLs share
  // host and port share this many connections of this process; a fan-out over more cells
  // waits its turn within its deadline. Well under PostgreSQL's default max_connections
  // (100), leaving room for other consoles, the CLI and nova itself.
  CELLAR_CELL_CONNECTIONS_PER_SERVER: z.coerce
    .number({ message: 'must be a whole number of connections' })
    .int('must be a whole number of connections')
    .min(2, 'must be at least 2')
    .max(10_000, 'must be at most 10000')
    .default(40),
  CELLAR_CELL_DATABASE_USER: z.string().trim().min(1).max(63, 'must be a PostgreSQL role name (at most 63 characters)').optional(),
  CELLAR_CELL_DATABASE_PASSWORD: z.string().min(1).optional(),
  CELLAR_DATA_DIR: z.string().trim().min(1).default('.data'),
  PORT: z.coerce
    .number({ message: 'must be a TCP port number' })
    .int('must be a TCP port number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(3000),
  CELLAR_TEST_DATABASE_URL: dbUrl('CELLAR_TEST_DATABASE_URL').optional(),
  CELLAR_SERVICE_DOWN_TIME_S: z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .default(60),
  // nova's [scheduler] discover_hosts_in_cells_interval: periodic discovery every N seconds
  // on one replica at a time; unset (or nova's -1) is off, as nova's default is.
  CELLAR_DISCOVER_HOSTS_INTERVAL_S: z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .refine((n) => n === -1 || n >= 1, 'must be at least 1 second (or -1: off)')
    .optional(),
  // A running job whose replica has not beaten for this long is taken over by another replica,
  // which resumes it from its stored progress (the job's lease).
  CELLAR_JOB_LEASE_S: z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(2, 'must be at least 2 seconds')
    .max(3600, 'must be at most 3600 seconds')
    .default(60),
  // Instances per map_instances job batch (one read from the cell, one INSERT, one stored progress).
  CELLAR_MAP_INSTANCES_BATCH: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100_000, 'must be at most 100000')
    .default(10_000),
  CELLAR_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // nova's [DEFAULT]initial_{cpu,ram,disk}_allocation_ratio: the ratio of a compute node
  // that stores none (NULL or 0.0), and what register_compute writes on a new one. The
  // defaults are nova's current ones (server/nova/capacity.ts, NOVA_INITIAL_ALLOCATION_RATIOS).
  CELLAR_INITIAL_CPU_ALLOCATION_RATIO: allocationRatio().default(4.0),
  CELLAR_INITIAL_RAM_ALLOCATION_RATIO: allocationRatio().default(1.0),
  CELLAR_INITIAL_DISK_ALLOCATION_RATIO: allocationRatio().default(1.0),
});

export type CellarConfig = z.infer<typeof schema> & { dataDir: string };

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

function readDotenv(cwd: string): Record<string, string> {
  const file = path.join(cwd, '.env');
  if (!fs.existsSync(file)) return {};
  return parseDotenv(fs.readFileSync(file));
}

/** Parse a configuration; the environment wins over .env. Throws ConfigError naming the first bad variable. */
export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()): CellarConfig {
  // An empty (or blank) value means "not set", in the environment and in .env alike, so
  // `PORT=` in .env gives the default rather than a confusing error.
  const merged: Record<string, string | undefined> = {};
  for (const source of [readDotenv(cwd), env]) {
    for (const [k, v] of Object.entries(source)) if (v !== undefined && v.trim() !== '') merged[k] = v;
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'configuration');
    const given = merged[variable];
    const problem = given === undefined ? issue.message : `${issue.message} (got ${JSON.stringify(redactForMessage(variable, given))})`;
    throw new ConfigError(variable, problem);
  }
  return { ...result.data, dataDir: path.resolve(cwd, result.data.CELLAR_DATA_DIR) };
}

function redactForMessage(variable: string, value: string): string {
  // maskUrl handles passwords holding '/', '@' or '?', and masks whole what is not a URL.
  if (variable.endsWith('_PASSWORD')) return '****';
  return variable.endsWith('_URL') ? (maskUrl(value) ?? '') : value;
}

let cached: CellarConfig | undefined;

/** The process-wide configuration. Tests and the start script may call resetConfig() after changing env. */
export function config(): CellarConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

export function resetConfig(): void {
  cached = undefined;
}
