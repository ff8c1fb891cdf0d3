import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { claimJob } from './claim-job';
import { enqueueJob } from './enqueue-job';
import { failJob, finishJob, heartbeatJob, LostClaimError, releaseJob, reportProgress } from './job-updates';
import { getJob } from './list-jobs';
import { jobsTestDeps } from './testing';

let dep: TestDeployment;
let deps: Deps;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  deps = jobsTestDeps(dep);
});
afterAll(() => dep?.close());
beforeEach(async () => {
  await dep.api.sql`delete from cellar.jobs`;
});

const KINDS = { kinds: ['map_instances'], staleAfterMs: 60_000 };
/** Make a running job look abandoned: its last heartbeat long ago. */
const ageHeartbeat = (id: number) => dep.api.sql`update cellar.jobs set heartbeat_at = (now() at time zone 'utc') - interval '1 hour' where id = ${id}`;

describe('claimJob', () => {
  it('takes the oldest queued job of the kinds asked for, once; nothing left gives null', async () => {
    await enqueueJob(deps, { kind: 'other_kind', target: 'x' });
    const a = await enqueueJob(deps, { kind: 'map_instances', target: 'a' });
    const b = await enqueueJob(deps, { kind: 'map_instances', target: 'b' });
    const first = await claimJob(deps, KINDS);
    expect(first).toMatchObject({ id: a.job.id, state: 'running' });
    expect(first!.startedAt).toBeInstanceOf(Date);
    expect((await claimJob(deps, KINDS))?.id).toBe(b.job.id);
    expect(await claimJob(deps, KINDS)).toBeNull();
    expect((await getJob(deps, a.job.id)).state).toBe('running');
  });

  it('runners asking at the same time never get the same job', async () => {
    const queued = await Promise.all(['a', 'b', 'c'].map((t) => enqueueJob(deps, { kind: 'map_instances', target: t })));
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimJob(deps, KINDS)));
    const got = claims.filter((c) => c !== null).map((c) => c!.id);
    expect(got.sort()).toEqual(queued.map((q) => q.job.id).sort());
  });

  it('leaves a running job with a fresh heartbeat alone, and takes one whose heartbeat is stale, before queued ones', async () => {
    const a = await enqueueJob(deps, { kind: 'map_instances', target: 'a' });
    const held = await claimJob(deps, KINDS);
    const b = await enqueueJob(deps, { kind: 'map_instances', target: 'b' });
    await reportProgress(deps, held!, { scanned: 40 });

    await ageHeartbeat(a.job.id);
    const taken = await claimJob(deps, KINDS);
    expect(taken).toMatchObject({ id: a.job.id, state: 'running', progress: { scanned: 40 } });
    expect(taken!.claim).not.toBe(held!.claim);
    expect((await claimJob(deps, KINDS))?.id).toBe(b.job.id);
  });

  it('the runner that lost a job to a takeover can no longer write to it', async () => {
    await enqueueJob(deps, { kind: 'map_instances', target: 'a' });
    const old = (await claimJob(deps, KINDS))!;
    await ageHeartbeat(old.id);
    const fresh = (await claimJob(deps, KINDS))!;
    for (const write of [
      () => heartbeatJob(deps, old),
      () => reportProgress(deps, old, { scanned: 1 }),
      () => finishJob(deps, old, {}, { mapped: 1 }),
      () => failJob(deps, old, 'late'),
      () => releaseJob(deps, old),
    ]) {
      await expect(write()).rejects.toBeInstanceOf(LostClaimError);
    }
    await reportProgress(deps, fresh, { scanned: 2 });
    await finishJob(deps, fresh, { scanned: 3 }, { mapped: 3 });
    expect(await getJob(deps, fresh.id)).toMatchObject({ state: 'done', progress: { scanned: 3 }, result: { mapped: 3 }, error: null });
  });

  it('a failed job keeps its progress and says why; a released one goes back to the queue', async () => {
    const a = await enqueueJob(deps, { kind: 'map_instances', target: 'a' });
    const claimed = (await claimJob(deps, KINDS))!;
    await reportProgress(deps, claimed, { scanned: 7 });
    await releaseJob(deps, claimed);
    expect((await getJob(deps, a.job.id)).state).toBe('queued');
    const again = (await claimJob(deps, KINDS))!;
    expect(again).toMatchObject({ id: a.job.id, progress: { scanned: 7 } });
    await failJob(deps, again, 'Cell cell9 does not answer.');
    const failed = await getJob(deps, a.job.id);
    expect(failed).toMatchObject({ state: 'failed', error: 'Cell cell9 does not answer.', progress: { scanned: 7 } });
    expect(failed.finishedAt).toBeInstanceOf(Date);
    expect(await claimJob(deps, KINDS)).toBeNull();
  });

  it('get refuses an unknown job with a plain message', async () => {
    await expect(getJob(deps, 987654)).rejects.toMatchObject({ kind: 'not_found', message: 'Job 987654 was not found.' });
  });
});
