import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { trpcError } from '../testing';
import { buryInCell0, depsFor } from '../triage/testing';
import { createCallerFactory } from '../trpc';
import { overviewRouter } from './router';

const createCaller = createCallerFactory(overviewRouter);
const NOW = new Date('2026-03-10T14:25:30.000Z');
let dep: TestDeployment;
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  dep = await createTestDeployment();
  const deps = depsFor(dep, { now: () => NOW });
  caller = createCaller({ requestId: 'test', deps: () => deps });
});

afterAll(() => dep?.close());

describe('overview router', () => {
  it("answers cell0's failures over the window asked, 7 days when none is", async () => {
    await buryInCell0(dep, { faults: [{ message: 'No valid host was found. ', createdAt: new Date('2026-03-10T03:00:00Z') }] });
    const week = await caller.failures({});
    expect(week.state === 'up' && [week.data.window, week.data.bucketStarts.length, week.data.total]).toEqual(['7d', 7, 1]);
    const day = await caller.failures({ window: '24h' });
    expect(day.state === 'up' && day.data.groups.map((g) => [g.key, g.count, g.series[12]])).toEqual([['No valid host was found.', 1, 1]]);
  });

  it('refuses a window it does not know with a plain message, before any database is asked', async () => {
    for (const window of ['1y', "7d' or 1=1 --", '']) {
      const e = await trpcError(caller.failures({ window: window as '7d' }));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toBe('window: the window is 24h, 7d or 30d');
    }
  });

  it('answers the build request ages from the api database', async () => {
    const a = await caller.buildRequestAges();
    expect(a).toMatchObject({ total: 0, stuck: 0, unknownAge: 0, stuckAfterMinutes: 10 });
    expect(a.buckets.map((b) => b.count)).toEqual([0, 0, 0, 0, 0]);
  });
});
