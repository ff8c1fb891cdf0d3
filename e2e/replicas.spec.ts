/**
 * Two console processes (separate ports, `node bin/start.mjs` as an operator runs it) on one
 * api database, as behind a load balancer: a session made on one works on the other; a job
 * runs once, and when the replica running it is killed the other resumes it, every row done
 * once; periodic discovery runs once per interval in total, never on both at once, moves to
 * the other replica when its leader dies, and a pause from either stops both.
 *
 * The deployment is made here with Cellar's own verbs (db sync, create_cell) on databases of
 * the e2e run's PostgreSQL server: the demo's databases stay out of it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from '@playwright/test';
import postgres from 'postgres';
import { E2E_DATA_DIR } from '../playwright.config';
import { expect, test } from './fixtures';

const PORTS = { a: Number(process.env.CELLAR_REPLICA_E2E_PORT ?? 3281), b: Number(process.env.CELLAR_REPLICA_E2E_PORT ?? 3281) + 1 };
const INTERVAL_S = 2;
const LEASE_S = 3;
const BATCH = 2000;
const INSTANCES = 60_000;
const TAG = `rep_${crypto.randomBytes(4).toString('hex')}`;
const PASSWORD = `replica-${crypto.randomBytes(9).toString('hex')}`;

const server = JSON.parse(fs.readFileSync(path.join(E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
const urlOf = (db: string) => `postgresql://postgres:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}/${db}`;
const API_URL = urlOf(`${TAG}_api`);
const CELL_URL = urlOf(`${TAG}_cell1`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellar-replicas-'));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [path.resolve('bin/cellar.mjs'), ...args], {
    env: { ...process.env, CELLAR_API_DATABASE_URL: API_URL, CELLAR_DATABASE_URL: CELL_URL, CELLAR_DATA_DIR: dataDir },
    encoding: 'utf8',
    input,
  });
  return { code: r.status ?? 1, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

interface Replica {
  name: 'replica-a' | 'replica-b';
  port: number;
  base: string;
  child: ChildProcess;
  log: string[];
}

const replicas: Partial<Record<'a' | 'b', Replica>> = {};

async function startReplica(which: 'a' | 'b'): Promise<Replica> {
  const port = PORTS[which];
  const name = `replica-${which}` as const;
  const child = spawn(process.execPath, [path.resolve('bin/start.mjs')], {
    env: {
      ...process.env,
      PORT: String(port),
      CELLAR_API_DATABASE_URL: API_URL,
      CELLAR_DATABASE_URL: CELL_URL,
      CELLAR_DATA_DIR: dataDir,
      CELLAR_REPLICA_NAME: name,
      CELLAR_DISCOVER_HOSTS_INTERVAL_S: String(INTERVAL_S),
      CELLAR_JOB_LEASE_S: String(LEASE_S),
      CELLAR_MAP_INSTANCES_BATCH: String(BATCH),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r: Replica = { name, port, base: `http://127.0.0.1:${port}`, child, log: [] };
  child.stdout!.on('data', (d) => r.log.push(String(d)));
  child.stderr!.on('data', (d) => r.log.push(String(d)));
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited: ${r.log.join('')}`);
        return (await fetch(`${r.base}/api/health`).catch(() => null))?.status ?? 0;
      },
      { timeout: 120_000, intervals: [250] },
    )
    .toBeGreaterThan(0);
  replicas[which] = r;
  return r;
}

function kill(r: Replica): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

async function signIn(browser: Browser, base: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: base, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('User name').fill('operator');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('region', { name: 'Signed in' })).toContainText('Signed in as operator');
  await page.close();
  return context;
}

let sql: postgres.Sql;
let cell: postgres.Sql;
let cellUuid: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const admin = postgres(urlOf('postgres'), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${TAG}_api`);
    await admin.unsafe(`create database ${TAG}_cell1`);
  } finally {
    await admin.end();
  }
  for (const args of [['db', 'sync']]) expect(cli(args)).toMatchObject({ code: 0 });
  const made = cli(['create_cell', '--name', 'rcell1', '--database_connection', CELL_URL, '--transport-url', 'rabbit://nova:pw@mq.example.net/', '--verbose']);
  expect(made.code, made.stderr).toBe(0);
  cellUuid = made.stdout.match(/[0-9a-f-]{36}/)![0];
  expect(cli(['db', 'sync', '--cell_uuid', cellUuid]).code).toBe(0);
  expect(cli(['user', 'add', 'operator', '--role', 'operator', '--password-stdin'], PASSWORD).code).toBe(0);
  sql = postgres(API_URL, { max: 2, onnotice: () => {} });
  cell = postgres(CELL_URL, { max: 2, onnotice: () => {} });
  await cell`
    insert into instances (uuid, project_id, user_id, vm_state, deleted, created_at)
    select md5(${TAG} || i)::uuid::text, 'project-' || (i % 7), 'user-' || (i % 11), 'active', 0, timestamp '2026-01-01' + i * interval '1 second'
    from generate_series(1, ${INSTANCES}) as i`;
  await Promise.all([startReplica('a'), startReplica('b')]);
});

test.afterAll(async () => {
  for (const r of Object.values(replicas)) if (r) await kill(r);
  await sql?.end({ timeout: 2 });
  await cell?.end({ timeout: 2 });
  const admin = postgres(urlOf('postgres'), { max: 1, onnotice: () => {} });
  try {
    for (const db of [`${TAG}_api`, `${TAG}_cell1`]) await admin.unsafe(`drop database if exists ${db} with (force)`);
  } finally {
    await admin.end();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface RunRow {
  id: number;
  replica: string | null;
  started: number;
  finished: number | null;
}

const periodicRuns = async () =>
  (
    await sql<{ id: number; replica: string | null; started: string; finished: string | null }[]>`
      select id, replica, extract(epoch from started_at) * 1000 as started, extract(epoch from finished_at) * 1000 as finished
      from cellar.discovery_runs where actor = 'periodic' order by started_at, id`
  ).map((r): RunRow => ({ id: r.id, replica: r.replica, started: Number(r.started), finished: r.finished === null ? null : Number(r.finished) }));

/**
 * No periodic run is under way: the last one claimed has its row, and every row started
 * since `since` has finished (a run cut off by a SIGKILL never does: look after it).
 */
async function settled(since = 0): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await sql<{ quiet: boolean }[]>`
            select not exists (select 1 from cellar.discovery_runs where actor = 'periodic' and finished_at is null
                               and extract(epoch from started_at) * 1000 >= ${since})
                   and coalesce((select last_run_at from cellar.discovery_schedule where id = 1)
                                <= (select max(started_at) from cellar.discovery_runs where actor = 'periodic'), true) as quiet`
        )[0]!.quiet,
      { timeout: 30_000, intervals: [50] },
    )
    .toBe(true);
}

function expectNeverTogether(runs: RunRow[]) {
  for (let i = 1; i < runs.length; i++) {
    expect(runs[i - 1]!.finished, `run ${runs[i - 1]!.id} finished`).not.toBeNull();
    expect(runs[i]!.started).toBeGreaterThanOrEqual(runs[i - 1]!.finished!);
    // The runs are claimed an interval apart in the database's time; the log's start is the
    // replica's clock a few queries after its claim, which a busy machine delays unevenly.
    expect(runs[i]!.started - runs[i - 1]!.started).toBeGreaterThanOrEqual(INTERVAL_S * 1000 - 300);
  }
}

test('a session made on one replica is good on the other', async ({ browser }) => {
  const context = await signIn(browser, replicas.a!.base);
  try {
    const page = await context.newPage();
    // Cookies are per host, not per port: the browser sends replica A's session to replica B.
    await page.goto(`${replicas.b!.base}/computes`);
    await expect(page.getByRole('region', { name: 'Signed in' })).toContainText('Signed in as operator');
  } finally {
    await context.close();
  }
});

test('periodic discovery: once per interval in total, never at once; the lead moves when its replica dies; a pause from either stops both', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  await cell`
    insert into compute_nodes (uuid, host, hypervisor_hostname, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used,
                               hypervisor_type, hypervisor_version, cpu_info, mapped, created_at, deleted)
    values (${crypto.randomUUID()}, 'rep-cmp-1', 'rep-cmp-1', 8, 16384, 100, 0, 512, 0, 'QEMU', 8002002, '{}', 0, now(), 0)`;
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 12_000));
  await settled();
  const window = (await periodicRuns()).filter((r) => r.started >= t0 && r.started < t0 + 12_000);
  // 12 s at 2 s start to start: at most 6 runs in total (7 with the edges of the window);
  // fewer only when a run takes longer than the interval on a busy machine.
  expect(window.length).toBeGreaterThanOrEqual(3);
  expect(window.length).toBeLessThanOrEqual(7);
  expectNeverTogether(await periodicRuns());
  const leaders = new Set(window.map((r) => r.replica));
  expect(leaders.size).toBe(1);
  const [mapped] = await sql<{ n: number }[]>`select count(*)::int as n from host_mappings where host = 'rep-cmp-1'`;
  expect(mapped!.n).toBe(1);

  // Both replicas show the same schedule and runs.
  const context = await signIn(browser, replicas.a!.base);
  try {
    const page = await context.newPage();
    const leader = [...leaders][0]!;
    for (const r of [replicas.a!, replicas.b!]) {
      await page.goto(`${r.base}/computes?refresh=false`);
      await expect(page.getByRole('status', { name: 'Discovery schedule' })).toContainText(`Every ${INTERVAL_S} s on ${leader}`);
      await expect(page.getByRole('table', { name: 'Periodic discovery runs' }).locator('tbody tr').first()).toContainText(leader);
    }

    // The leader dies: within its lease the other replica leads, and the runs go on there alone.
    const dead = leader === 'replica-a' ? replicas.a! : replicas.b!;
    const alive = dead === replicas.a ? replicas.b! : replicas.a!;
    await kill(dead);
    const killedAt = Date.now();
    await expect
      .poll(async () => (await periodicRuns()).filter((r) => r.started > killedAt).map((r) => r.replica), { timeout: (LEASE_S + 3 * INTERVAL_S) * 1000 })
      .toContain(alive.name);
    await settled(killedAt);
    expect(new Set((await periodicRuns()).filter((r) => r.started > killedAt).map((r) => r.replica))).toEqual(new Set([alive.name]));
    await startReplica(dead === replicas.a ? 'a' : 'b');

    // Paused on one replica's page: neither starts a run.
    await page.goto(`${replicas.b!.base}/computes?refresh=false`);
    await page.getByRole('button', { name: 'Pause periodic discovery…' }).click();
    await page.getByRole('dialog', { name: 'Pause periodic discovery?' }).getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByRole('status', { name: 'Discovery schedule' })).toContainText('Paused by operator');
    await settled(killedAt); // a run already under way finishes
    const atPause = (await periodicRuns()).length;
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_S * 1000));
    expect((await periodicRuns()).length).toBe(atPause);
    await page.goto(`${replicas.a!.base}/computes?refresh=false`);
    await expect(page.getByRole('status', { name: 'Discovery schedule' })).toContainText('Paused by operator');
    const [audit] = await sql<{ n: number }[]>`select count(*)::int as n from cellar.audit_log where action = 'hosts.setDiscoveryPaused' and outcome = 'done'`;
    expect(audit!.n).toBe(1);
    await page.getByRole('button', { name: 'Resume periodic discovery…' }).click();
    await page.getByRole('dialog', { name: 'Resume periodic discovery?' }).getByRole('button', { name: 'Resume' }).click();
    await expect.poll(async () => (await periodicRuns()).length, { timeout: 3 * INTERVAL_S * 1000 + LEASE_S * 1000 }).toBeGreaterThan(atPause);
  } finally {
    await context.close();
  }
});

test('a job is run by one replica; killed mid-job, the other resumes it and every instance is mapped once; its progress shows on both', async ({ browser }) => {
  test.setTimeout(240_000);
  const context = await signIn(browser, replicas.a!.base);
  try {
    const started = await context.request.post(`${replicas.a!.base}/api/trpc/jobs.startMapInstances`, {
      headers: { 'content-type': 'application/json' },
      data: { json: { cellUuid } },
    });
    expect(started.status()).toBe(200);
    const jobId = ((await started.json()) as { result: { data: { json: { job: { id: number } } } } }).result.data.json.job.id;

    // A few batches in, on whichever replica claimed it.
    const atKill = await expect
      .poll(
        async () => {
          const [j] = await sql<{ runner: string | null; state: string; mapped: number }[]>`
            select runner, state, coalesce((progress->>'mapped')::int, 0) as mapped from cellar.jobs where id = ${jobId}`;
          return j!.state === 'running' && j!.mapped >= 3 * BATCH ? j!.runner : null;
        },
        { timeout: 120_000, intervals: [20] },
      )
      .not.toBeNull()
      .then(async () => (await sql<{ runner: string }[]>`select runner from cellar.jobs where id = ${jobId}`)[0]!.runner);
    const holder = atKill === 'replica-a' ? replicas.a! : replicas.b!;
    const other = holder === replicas.a ? replicas.b! : replicas.a!;
    // Its progress is read from the other replica as from its own.
    for (const r of [holder, other]) {
      const got = await context.request.get(`${r.base}/api/trpc/jobs.get?input=${encodeURIComponent(JSON.stringify({ json: { id: jobId } }))}`);
      expect(got.status()).toBe(200);
      const job = ((await got.json()) as { result: { data: { json: { runner: string; state: string; progress: { mapped: number } } } } }).result.data.json;
      expect(job).toMatchObject({ runner: holder.name, state: 'running' });
      expect(job.progress.mapped).toBeGreaterThanOrEqual(3 * BATCH);
    }
    await kill(holder);
    const [mid] = await sql<{ mapped: number; total: number }[]>`
      select coalesce((progress->>'mapped')::int, 0) as mapped, (progress->>'total')::int as total from cellar.jobs where id = ${jobId}`;
    expect(mid!.mapped).toBeLessThan(INSTANCES);

    await expect
      .poll(async () => (await sql<{ state: string }[]>`select state from cellar.jobs where id = ${jobId}`)[0]!.state, { timeout: 180_000 })
      .toBe('done');
    const [done] = await sql<{ runner: string; mapped: number; already: number; scanned: number }[]>`
      select runner, (progress->>'mapped')::int as mapped, (progress->>'alreadyMapped')::int as already, (progress->>'scanned')::int as scanned
      from cellar.jobs where id = ${jobId}`;
    expect(done!.runner).toBe(other.name);
    expect(done!.scanned).toBe(INSTANCES);
    // Every instance once: the cut-off batch is read again and what the dead replica had written counts as already mapped.
    expect(done!.mapped + done!.already).toBe(INSTANCES);
    expect(done!.already).toBeLessThanOrEqual(BATCH);
    const [m] = await sql<{ rows: number; distinct: number }[]>`
      select count(*)::int as rows, count(distinct instance_uuid)::int as distinct from instance_mappings
      where cell_id = (select id from cell_mappings where uuid = ${cellUuid})`;
    expect(m).toEqual({ rows: INSTANCES, distinct: INSTANCES });
    // One job, claimed twice (the second time after the kill), never a second job.
    const [jobs] = await sql<{ n: number }[]>`select count(*)::int as n from cellar.jobs where kind = 'map_instances'`;
    expect(jobs!.n).toBe(1);
  } finally {
    await context.close();
  }
});
