import { spawn } from 'node:child_process';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NOVA_TEST_TIMEOUT_MS } from '@/db/testing/nova/nova-deployment';
import { type JobRunner, startJobRunner } from '../jobs/job-runner';
import { getJob } from '../jobs/list-jobs';
import { waitFor } from '../jobs/testing';
import { cellarOnNova, type CellarOnNova } from '../on-nova/testing';
import { archiveBatch } from './archive-batch';
import { readArchiveJobProgress } from './contract';
import { readArchivePlan } from './archive-tables';
import { ARCHIVE_JOB, PURGE_JOB } from './contract';
import { startArchiveJob } from './start-archive';
import { seedDeletedInstances, taggedCounts } from './testing';

let t: CellarOnNova;
let cell1: postgres.Sql;
let cellId: number;
const runners: JobRunner[] = [];
beforeAll(async () => {
  t = await cellarOnNova();
  cell1 = postgres(t.nova.cell1.url, { max: 2, onnotice: () => {} });
  const [c] = await t.deps.api.sql<{ id: number }[]>`select id from cell_mappings where uuid = ${t.nova.cell1.uuid}`;
  cellId = c!.id;
}, NOVA_TEST_TIMEOUT_MS);
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await cell1?.end({ timeout: 2 });
  await t?.close();
});

const runner = (staleAfterMs = 60_000) => {
  const r = startJobRunner(t.deps, { pollMs: 20, staleAfterMs });
  runners.push(r);
  return r;
};
const ended = (id: number, timeoutMs = 120_000) =>
  waitFor(
    `job ${id} to end`,
    async () => {
      const j = await getJob(t.deps, id);
      return j.state === 'done' || j.state === 'failed' ? j : undefined;
    },
    timeoutMs,
  );
const apiLeft = async (uuids: string[]) =>
  (
    await t.deps.api.sql<{ n: number }[]>`
    select ((select count(*) from instance_mappings where instance_uuid = any(${uuids})) + (select count(*) from request_specs where instance_uuid = any(${uuids})))::int as n`
  )[0]!.n;

describe('the archive and purge jobs', { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it('archive: every cell, cell0 first, batch by batch with progress; counts audited; a second job archives nothing', async () => {
    const s = await seedDeletedInstances(cell1, t.deps.api.sql, { tag: 'job-a', count: 40, deletedAt: '2001-01-01 00:00:00', cellId });
    const before = new Date('2001-06-01T00:00:00Z');
    const { job } = await startArchiveJob(t.deps, { kind: ARCHIVE_JOB, maxRows: 10, before, actor: 'tester' });
    runner();
    const done = await ended(job.id);
    expect(done.state).toBe('done');
    const p = readArchiveJobProgress(done.progress);
    expect(p.cells.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2']);
    expect(p.cells.every((c) => c.state === 'done')).toBe(true);
    expect(p.cells[1]!.tables).toMatchObject({ instances: 40, instance_actions_events: 40, instance_system_metadata: 80 });
    expect(p.batches).toBeGreaterThanOrEqual(4);
    expect(p.api).toMatchObject({ instance_mappings: 40, request_specs: 40 });
    expect(await apiLeft(s.uuids)).toBe(0);
    expect((await taggedCounts(cell1, 'job-a')).shadow_instances).toBe(40);
    const [audit] = await t.deps.api.sql<{ actor: string; input: { counts: { total: number } } }[]>`
      select actor, input from cellar.audit_log where action = 'archive_deleted_rows job' order by id desc limit 1`;
    expect(audit).toMatchObject({ actor: 'tester', input: { counts: { total: 320 } } });

    const again = (await startArchiveJob(t.deps, { kind: ARCHIVE_JOB, maxRows: 10, before, actor: 'tester' })).job;
    expect(await ended(again.id)).toMatchObject({ state: 'done', result: { total: 0 } });

    const purge = (await startArchiveJob(t.deps, { kind: PURGE_JOB, before, actor: 'tester' })).job;
    const purged = await ended(purge.id);
    expect(purged.state).toBe('done');
    expect(readArchiveJobProgress(purged.progress).cells.find((c) => c.name === 'cell1')!.tables).toMatchObject({ shadow_instances: 40 });
    expect((await taggedCounts(cell1, 'job-a')).shadow_instances).toBe(0);
  });

  it('resumed after a kill between a batch and its api rows, it deletes the api rows of what that batch archived', async () => {
    const s = await seedDeletedInstances(cell1, t.deps.api.sql, { tag: 'job-g', count: 7, deletedAt: '2000-01-01 00:00:00', cellId });
    const plan = await readArchivePlan(cell1);
    // The batch commits on the cell; the process dies before the api delete.
    const run = await archiveBatch(cell1, plan, { maxRows: 1000, before: new Date('2000-06-01T00:00:00Z'), statementTimeoutMs: 10_000 });
    expect(run.instanceUuids.sort()).toEqual([...s.uuids].sort());
    expect(await apiLeft(s.uuids)).toBe(14);
    const { job } = await startArchiveJob(t.deps, { kind: ARCHIVE_JOB, maxRows: 10, before: new Date('2000-06-01T00:00:00Z'), actor: 'tester' });
    const cells = (await t.deps.api.sql<{ uuid: string; name: string }[]>`select uuid, name from cell_mappings order by id`).map((c) => ({
      uuid: c.uuid,
      name: c.name,
      state: c.uuid === t.nova.cell1.uuid ? 'running' : c.name === 'cell0' ? 'done' : 'pending',
      tables: {},
      total: 0,
      message: null,
    }));
    await t.deps.api
      .sql`update cellar.jobs set progress = ${JSON.stringify({ cells, api: {}, total: 0, batches: 1, inflight: t.nova.cell1.uuid })}::jsonb where id = ${job.id}`;
    runner();
    const done = await ended(job.id);
    expect(done.state).toBe('done');
    expect(readArchiveJobProgress(done.progress).api).toMatchObject({ instance_mappings: 7, request_specs: 7 });
    expect(await apiLeft(s.uuids)).toBe(0);
  });

  it('killed half way, it is taken over and archives every row exactly once, the api rows too', async () => {
    const N = 6000;
    const s = await seedDeletedInstances(cell1, t.deps.api.sql, { tag: 'job-k', count: N, deletedAt: '2001-01-01 00:00:00', cellId });
    const { job } = await startArchiveJob(t.deps, { kind: ARCHIVE_JOB, maxRows: 100, before: new Date('2001-06-01T00:00:00Z'), actor: 'tester' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/jobs/runner-process.fixture.ts'], {
      env: { ...process.env, CELLAR_FIXTURE_API_URL: t.nova.api.url, CELLAR_FIXTURE_STALE_MS: '2000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, signal) => resolve(signal)));
    try {
      await waitFor(
        'the child runner to archive a few batches',
        async () => {
          if (child.exitCode !== null) throw new Error(`the child runner exited early: ${output}`);
          const p = readArchiveJobProgress((await getJob(t.deps, job.id)).progress);
          return p.batches >= 5 ? p : undefined;
        },
        120_000,
        5,
      );
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      child.kill('SIGKILL');
    }
    const atKill = await taggedCounts(cell1, 'job-k');
    expect(atKill.shadow_instances).toBeGreaterThan(0);
    expect(atKill.shadow_instances).toBeLessThan(N);
    runner(2000);
    const done = await ended(job.id);
    expect(done.state).toBe('done');
    const after = await taggedCounts(cell1, 'job-k');
    expect(after).toMatchObject({
      instances: 0,
      shadow_instances: N,
      instance_extra: 0,
      shadow_instance_extra: N,
      shadow_instance_system_metadata: 2 * N,
      shadow_instance_faults: N,
      instance_actions: 0,
      shadow_instance_actions: N,
      instance_actions_events: 0,
      shadow_instance_actions_events: N,
    });
    const [dupes] = await cell1<{ n: number }[]>`select (count(*) - count(distinct uuid))::int as n from shadow_instances`;
    expect(dupes!.n).toBe(0);
    expect(await apiLeft(s.uuids)).toBe(0);
  });
});
