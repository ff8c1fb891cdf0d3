import 'server-only';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as apiSchema from './api/schema';
import * as cellSchema from './cell/schema';
import { parseDbUrl } from './url';

export type ApiSchema = typeof apiSchema;
export type CellSchema = typeof cellSchema;

export interface DbHandle<S extends Record<string, unknown>> {
  /** The raw postgres.js client, for set-based SQL drizzle does not express well. */
  sql: postgres.Sql;
  db: PostgresJsDatabase<S>;
  database: string;
  /** The driver URL, credentials included: for maintenance connections, never for display. */
  url: string;
  close(): Promise<void>;
}
export type ApiHandle = DbHandle<ApiSchema>;
export type CellHandle = DbHandle<CellSchema>;

export interface PoolOptions {
  /** Connections at most. Cells get a small pool: 75 cells on one server must fit its limit. */
  max?: number;
  idleTimeoutS?: number;
  connectTimeoutS?: number;
  /** Server-side statement timeout, so a query abandoned by a deadline does not run on. */
  statementTimeoutMs?: number;
  applicationName?: string;
}

function open<S extends Record<string, unknown>>(url: string, schema: S, opts: PoolOptions): DbHandle<S> {
  const target = parseDbUrl(url);
  const connection: Record<string, string> = {
    application_name: opts.applicationName ?? 'cellar',
    TimeZone: 'UTC',
  };
  if (opts.statementTimeoutMs) connection.statement_timeout = String(opts.statementTimeoutMs);
  const sql = postgres(target.url, {
    max: opts.max ?? 10,
    idle_timeout: opts.idleTimeoutS ?? 30,
    connect_timeout: opts.connectTimeoutS ?? 10,
    max_lifetime: 60 * 30,
    connection,
    onnotice: () => {},
  });
  const db = drizzle(sql, { schema });
  return {
    sql,
    db,
    database: target.database,
    url: target.url,
    close: () => sql.end({ timeout: 2 }),
  };
}

export function openApiDatabase(url: string, opts: PoolOptions = {}): ApiHandle {
  return open(url, apiSchema, { max: 10, ...opts });
}

export function openCellDatabase(url: string, opts: PoolOptions = {}): CellHandle {
  return open(url, cellSchema, { max: 3, idleTimeoutS: 20, ...opts });
}

/** A short-lived maintenance connection (CREATE DATABASE and the like). */
export function openAdmin(url: string): postgres.Sql {
  return postgres(parseDbUrl(url).url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
}
