import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { enqueueJob } from './enqueue-job';
import { jobsTestDeps } from './testing';

let dep: TestDeployment;
let deps: Deps;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  deps = jobsTestDeps(dep);
});
afterAll(() => dep?.close());

const activeRows = (kind: string, target: string) =>
  dep.api.sql<{ id: number; state: string }[]>`select id, state from cellar.jobs where kind = ${kind} and target = ${target} order by id`;

describe('enqueueJob', () => {
  it('queues a job with its params and actor', async () => {
    const { job, created } = await enqueueJob(deps, { kind: 'map_instances', target: 't-1', params: { why: 'test' }, actor: 'alice' });
    expect(created).toBe(true);
    expect(job).toMatchObject({
      kind: 'map_instances',
      target: 't-1',
      state: 'queued',
      params: { why: 'test' },
      progress: {},
      actor: 'alice',
      startedAt: null,
    });
    expect(job.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(job.createdAt.getTime() - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('twice for the same target gives one job: the second call gets the first one back', async () => {
    const a = await enqueueJob(deps, { kind: 'map_instances', target: 't-2', actor: 'alice' });
    const b = await enqueueJob(deps, { kind: 'map_instances', target: 't-2', actor: 'bob' });
    expect(b.created).toBe(false);
    expect(b.job.id).toBe(a.job.id);
    expect(b.job.actor).toBe('alice');
    expect(await activeRows('map_instances', 't-2')).toHaveLength(1);
  });

  it('many at once for one target still give one job (the unique index decides, not a look first)', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => enqueueJob(deps, { kind: 'map_instances', target: 't-3', actor: `u${i}` })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(await activeRows('map_instances', 't-3')).toHaveLength(1);
  });

  it('a new job once the last one has ended; other targets and kinds are independent', async () => {
    const first = await enqueueJob(deps, { kind: 'map_instances', target: 't-4' });
    await dep.api.sql`update cellar.jobs set state = 'done' where id = ${first.job.id}`;
    const again = await enqueueJob(deps, { kind: 'map_instances', target: 't-4' });
    expect(again.created).toBe(true);
    expect(again.job.id).not.toBe(first.job.id);
    const other = await enqueueJob(deps, { kind: 'map_instances', target: 't-5' });
    const otherKind = await enqueueJob(deps, { kind: 'other_kind', target: 't-4' });
    expect([other.created, otherKind.created]).toEqual([true, true]);
    expect((await activeRows('map_instances', 't-4')).map((r) => r.state)).toEqual(['done', 'queued']);
  });
});
