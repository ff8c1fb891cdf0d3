/**
 * Where the nova e2e project's server (serve-nova.ts) and its spec (e2e/nova-deployment.spec.ts)
 * meet: the port of the second console and the files the server writes for the spec.
 * No imports beyond node's: playwright.config.ts loads this.
 */
import path from 'node:path';

/** The second console, on the nova deployment's own databases. */
export const NOVA_E2E_PORT = Number(process.env.CELLAR_NOVA_E2E_PORT ?? 3101);
export const NOVA_E2E_BASE_URL = `http://127.0.0.1:${NOVA_E2E_PORT}`;

const results = path.resolve('test-results');
/** What the clone holds (fill_nova.py's facts), its URLs and the two users the server made. */
export const NOVA_E2E_FILE = path.join(results, 'nova-e2e.json');
/** pg_dump --schema-only --schema=public of the four databases, before Cellar touched them. */
export const NOVA_E2E_DUMPS_BEFORE = path.join(results, 'nova-e2e-dumps-before.json');
/** Everything the server and the console it runs printed. */
export const NOVA_E2E_START_LOG = path.join(results, 'nova-e2e-start.log');
/** The embedded PostgreSQL when CELLAR_TEST_DATABASE_URL is not set (nova's templates are kept in it). */
export const NOVA_E2E_PG_DIR = path.resolve('.test-data', 'e2e-nova-pg');
/** CELLAR_DATA_DIR of the console: never used (the api database is configured), kept apart from every other. */
export const NOVA_E2E_UNUSED_DATA_DIR = path.resolve('.test-data', 'e2e-nova-unused');

export interface NovaE2eUser {
  username: string;
  password: string;
  role: 'operator' | 'viewer';
}

export interface NovaE2eDatabase {
  role: 'api' | 'cell0' | 'cell1' | 'cell2';
  database: string;
  /** postgresql:// (for pg_dump, postgres.js) */
  url: string;
  /** postgresql+psycopg2:// as nova stores it */
  novaUrl: string;
}

/** The JSON in NOVA_E2E_FILE. `facts` is db/testing/nova's NovaFacts. */
export interface NovaE2eState<Facts = unknown> {
  startedAt: string;
  baseUrl: string;
  /** the server's URL with the password masked, for messages */
  server: string;
  /** the CELLAR_API_DATABASE_URL the console was given */
  apiUrl: string;
  databases: Record<NovaE2eDatabase['role'], NovaE2eDatabase>;
  users: { operator: NovaE2eUser; viewer: NovaE2eUser };
  facts: Facts;
  /** seconds: nova's templates (built or found) and the clone; Cellar's schema and users; the console's start */
  timings: Record<string, number>;
}
