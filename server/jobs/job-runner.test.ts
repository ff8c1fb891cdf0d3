import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { enqueueJob } from './enqueue-job';
import { type JobBody, type JobRunner, startJobRunner } from './job-runner';
import { LostClaimError } from './job-updates';
import { getJob } from './list-jobs';
import { jobsTestDeps, waitFor } from './testing';

let dep: TestDeployment;
let deps: Deps;
const runners: JobRunner[] = [];
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  deps = jobsTestDeps(dep);
});
afterAll(() => dep?.close());
beforeEach(async () => {
  await dep.api.sql`delete from cellar.jobs`;
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

const KIND = 'test_kind';
const start = (body: JobBody, opts: { staleAfterMs?: number } = {}) => {
  const r = startJobRunner(deps, { pollMs: 20, staleAfterMs: opts.staleAfterMs ?? 60_000, bodies: { [KIND]: body } });
  runners.push(r);
  return r;
};
const ended = (id: number) =>
  waitFor(`job ${id} to end`, async () => {
    const j = await getJob(deps, id);
    return j.state === 'done' || j.state === 'failed' ? j : undefined;
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startJobRunner', () => {
  it('two runners at once: every job runs exactly once, by one of them', async () => {
    const runs: { job: number; runner: string }[] = [];
    const body =
      (runner: string): JobBody =>
      async ({ job, finish }) => {
        runs.push({ job: job.id, runner });
        await sleep(30);
        await finish({ step: 1 }, { by: runner });
      };
    const jobs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => enqueueJob(deps, { kind: KIND, target: t })));
    start(body('one'));
    start(body('two'));
    const done = await Promise.all(jobs.map((j) => ended(j.job.id)));
    expect(done.map((j) => j.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(runs.map((r) => r.job).sort()).toEqual(jobs.map((j) => j.job.id).sort());
    for (const j of done) expect(j.result).toEqual({ by: runs.find((r) => r.job === j.id)!.runner });
  });

  it('a refusal fails the job with its plain message; anything else with one line and no trace', async () => {
    const refused = await enqueueJob(deps, { kind: KIND, target: 'refused' });
    const broken = await enqueueJob(deps, { kind: KIND, target: 'broken' });
    start(async ({ job, report }) => {
      await report({ scanned: 5 });
      if (job.target === 'refused') throw refuse.notFound('Cell with uuid x was not found.', 255);
      throw new TypeError('boom: select * from "instances" where uuid = $1');
    });
    expect(await ended(refused.job.id)).toMatchObject({ state: 'failed', error: 'Cell with uuid x was not found.', progress: { scanned: 5 } });
    const b = await ended(broken.job.id);
    expect(b.state).toBe('failed');
    // The console shows the job's error: one plain line with a request id, never the library's text or SQL.
    expect(b.error).toMatch(/^The job stopped\. An unexpected error occurred \(request id [0-9a-f]{8}\)\. The details are in Cellar's log\.$/);
    expect(b.error).not.toMatch(/boom|select/);
    expect(b.error).not.toMatch(/\bat\b.*\.ts/);
    expect(b.finishedAt).toBeInstanceOf(Date);
  });

  it('stop() lets the step end and puts the job back in the queue; the next runner goes on from its progress', async () => {
    const { job } = await enqueueJob(deps, { kind: KIND, target: 'long' });
    const seen: Record<string, unknown>[] = [];
    const body: JobBody = async ({ job: j, signal, report, finish }) => {
      seen.push(j.progress);
      let step = Number(j.progress.step ?? 0);
      for (;;) {
        signal.throwIfAborted();
        step++;
        await report({ step });
        if (step === 1000) return finish({ step }, { steps: step });
        await sleep(5);
      }
    };
    const first = start(body);
    await waitFor('some progress', async () => (Number((await getJob(deps, job.id)).progress.step ?? 0) >= 3 ? true : undefined));
    await first.stop();
    const paused = await getJob(deps, job.id);
    expect(paused.state).toBe('queued');
    const reached = Number(paused.progress.step);
    expect(reached).toBeGreaterThanOrEqual(3);

    start(body);
    await waitFor('the resumed job to start', async () => (seen.length === 2 ? true : undefined));
    expect(seen[1]).toEqual({ step: reached });
  });

  it('a runner whose job was taken over stops writing to it; the new runner finishes it', async () => {
    const { job } = await enqueueJob(deps, { kind: KIND, target: 'taken' });
    let wakeUp!: () => void;
    const hung = new Promise<void>((resolve) => (wakeUp = resolve));
    let late: unknown = null;
    // The first runner reports once, then hangs (a long staleness: its own heartbeat would not come for minutes).
    start(
      async ({ report }) => {
        await report({ by: 'first' });
        await hung;
        try {
          await report({ by: 'first, too late' });
        } catch (e) {
          late = e;
          throw e;
        }
      },
      { staleAfterMs: 600_000 },
    );
    await waitFor('the first runner to work', async () => ((await getJob(deps, job.id)).progress.by === 'first' ? true : undefined));
    // Its heartbeat is old now, so another runner may take the job over.
    await dep.api.sql`update cellar.jobs set heartbeat_at = (now() at time zone 'utc') - interval '1 hour' where id = ${job.id}`;
    start(async ({ finish }) => finish({ by: 'second' }, { by: 'second' }), { staleAfterMs: 1000 });
    expect(await ended(job.id)).toMatchObject({ state: 'done', result: { by: 'second' } });
    wakeUp();
    await waitFor('the first runner to wake up', async () => (late ? true : undefined));
    expect(late).toBeInstanceOf(LostClaimError);
    expect(await getJob(deps, job.id)).toMatchObject({ state: 'done', progress: { by: 'second' }, result: { by: 'second' }, error: null });
  });
});
