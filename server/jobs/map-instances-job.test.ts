import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { type JobRunner, startJobRunner } from './job-runner';
import type { Job } from './job';
import { getJob } from './list-jobs';
import { readMapInstancesProgress } from './map-instances-job';
import { startMapInstances } from './start-map-instances';
import { cellWithInstances, jobsTestDeps, mappingState, waitFor } from './testing';

let dep: TestDeployment;
let deps: Deps;
const runners: JobRunner[] = [];
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  deps = jobsTestDeps(dep);
});
afterAll(() => dep?.close());
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

const runner = (batch: number, staleAfterMs = 60_000) => {
  const r = startJobRunner(deps, { pollMs: 20, staleAfterMs, mapInstancesBatch: batch });
  runners.push(r);
  return r;
};
const ended = (id: number, timeoutMs = 60_000) =>
  waitFor(
    `job ${id} to end`,
    async () => {
      const j = await getJob(deps, id);
      return j.state === 'done' || j.state === 'failed' ? j : undefined;
    },
    timeoutMs,
  );
const mapCell = async (cell: TestCell) => (await startMapInstances(deps, { cellUuid: cell.uuid, actor: 'tester' })).job;

describe('the map_instances job', () => {
  let cell: TestCell;
  beforeAll(async () => {
    cell = await cellWithInstances(dep, 2345, { fake: true });
  });

  it('maps every instance of the cell, deleted ones included, never the fake one, and stores its totals', async () => {
    const queued = await mapCell(cell);
    expect(queued).toMatchObject({ state: 'queued', target: cell.uuid, actor: 'tester' });
    runner(1000);
    const done = await ended(queued.id);
    const totals = { total: 2346, scanned: 2346, mapped: 2345, alreadyMapped: 0, skipped: 1, batches: 3 };
    expect(done).toMatchObject({ state: 'done', error: null, progress: { ...totals, marker: null }, result: totals });
    expect(await mappingState(dep, cell)).toEqual({
      instances: 2345,
      mappingRows: 2345,
      distinctMappings: 2345,
      markers: 0,
      unmappedInstances: 0,
      fakeMapped: false,
    });
    const [deleted] = await dep.api.sql<{ n: number }[]>`
      select count(*)::int as n from instance_mappings where cell_id = ${cell.id} and project_id like 'project-%' and queued_for_delete = false`;
    expect(deleted!.n).toBe(2345);
  });

  it('run again, it maps nothing twice: everything is already mapped', async () => {
    const again = await mapCell(cell);
    runner(1000);
    expect(await ended(again.id)).toMatchObject({
      state: 'done',
      result: { total: 2346, scanned: 2346, mapped: 0, alreadyMapped: 2345, skipped: 1 },
    });
    expect(await mappingState(dep, cell)).toMatchObject({ mappingRows: 2345, unmappedInstances: 0, markers: 0 });
  });

  it('maps instances that lost their mapping, and starts from the oldest even with a stale marker of another cell', async () => {
    const gone = await dep.api.sql`
      delete from instance_mappings where id in (select id from instance_mappings where cell_id = ${cell.id} order by id desc limit 40)`;
    expect(gone.count).toBe(40);
    await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id)
      values ('9f0e1d2c 0000 4000 8000 000000000000', null, ${INSTANCE_MIGRATION_MARKER}, ${INSTANCE_MIGRATION_MARKER})`;
    const job = await mapCell(cell);
    runner(1000);
    expect(await ended(job.id)).toMatchObject({ state: 'done', result: { scanned: 2346, mapped: 40, alreadyMapped: 2305, skipped: 1 } });
    expect(await mappingState(dep, cell)).toMatchObject({ mappingRows: 2345, unmappedInstances: 0, markers: 0 });
  });

  it("two jobs on two cells at once do not move each other's marker (nova has one for all cells)", async () => {
    const a = await cellWithInstances(dep, 3000);
    const b = await cellWithInstances(dep, 2000);
    const [ja, jb] = [await mapCell(a), await mapCell(b)];
    runner(250);
    runner(250);
    const [da, db] = await Promise.all([ended(ja.id), ended(jb.id)]);
    expect(da).toMatchObject({ state: 'done', result: { total: 3000, scanned: 3000, mapped: 3000, alreadyMapped: 0 } });
    expect(db).toMatchObject({ state: 'done', result: { total: 2000, scanned: 2000, mapped: 2000, alreadyMapped: 0 } });
    expect(await mappingState(dep, a)).toMatchObject({ mappingRows: 3000, unmappedInstances: 0, markers: 0 });
    expect(await mappingState(dep, b)).toMatchObject({ mappingRows: 2000, unmappedInstances: 0, markers: 0 });
  });

  it('a cell that does not answer fails the job with a plain message, and maps nothing', async () => {
    const down = await dep.addCell({ name: 'jobs-down', url: 'postgresql://nova:pw@127.0.0.1:1/nova_cell9' });
    const { job } = await startMapInstances(deps, { cellUuid: down.uuid, actor: 'tester' });
    runner(1000);
    const failed = await ended(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^Cell jobs-down does not answer \(refused: .*\); no instances were mapped\.$/);
    expect(failed.error).not.toContain('pw@');
  });

  it('refuses to queue for a cell that does not exist', async () => {
    await expect(startMapInstances(deps, { cellUuid: '9d0c0b7e-0000-4000-8000-00000000dead', actor: 'x' })).rejects.toMatchObject({
      kind: 'not_found',
      message: 'Cell with uuid 9d0c0b7e-0000-4000-8000-00000000dead was not found.',
    });
  });
});

describe('the map_instances job killed half-way', () => {
  it('is taken over once its heartbeat is stale and maps every instance exactly once', async () => {
    const BATCH = 500;
    const cell = await cellWithInstances(dep, 50_000, { fake: true });
    const job = await mapCell(cell);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/jobs/runner-process.fixture.ts'], {
      env: { ...process.env, CELLAR_FIXTURE_API_URL: dep.apiUrl, CELLAR_FIXTURE_BATCH: String(BATCH), CELLAR_FIXTURE_STALE_MS: '2000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let atKill: Job;
    try {
      // Kill it once it has mapped a few batches: far from done, with mappings written.
      await waitFor(
        'the child runner to map a few batches',
        async () => {
          if (child.exitCode !== null) throw new Error(`the child runner exited early: ${output}`);
          const p = readMapInstancesProgress((await getJob(deps, job.id)).progress);
          return p.mapped >= 4 * BATCH ? p : undefined;
        },
        120_000,
        5,
      );
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      atKill = await getJob(deps, job.id);
    } finally {
      child.kill('SIGKILL');
    }
    expect(atKill.state).toBe('running');
    const stored = readMapInstancesProgress(atKill.progress);
    expect(stored.total).toBe(50_001);
    expect(stored.scanned).toBeLessThan(50_001);
    expect(stored.marker).not.toBeNull();
    const half = await mappingState(dep, cell);
    expect(half.mappingRows).toBeGreaterThanOrEqual(stored.mapped);
    expect(half.unmappedInstances).toBeGreaterThan(0);

    runner(BATCH, 2000);
    const done = await ended(job.id, 150_000);
    // A new claim, after the dead runner's last heartbeat.
    expect(done.startedAt!.getTime()).toBeGreaterThan(atKill.heartbeatAt!.getTime());
    expect(done.state).toBe('done');
    const p = readMapInstancesProgress(done.progress);
    expect(p).toMatchObject({ total: 50_001, scanned: 50_001, skipped: 1, marker: null });
    // Every instance once: the batch cut off by the kill is read again, and what the dead
    // process had inserted from it counts as already mapped.
    expect(p.mapped + p.alreadyMapped).toBe(50_000);
    expect(p.alreadyMapped).toBeLessThanOrEqual(BATCH);
    expect(done.result).toMatchObject({ total: 50_001, scanned: 50_001, mapped: p.mapped, alreadyMapped: p.alreadyMapped, skipped: 1 });

    expect(await mappingState(dep, cell)).toEqual({
      instances: 50_000,
      mappingRows: 50_000,
      distinctMappings: 50_000,
      markers: 0,
      unmappedInstances: 0,
      fakeMapped: false,
    });
  }, 240_000);
});
