import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequests } from '@/db/api/schema';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { AGE_BUCKETS, ageBucketOf } from './age-buckets';
import { buildRequestAges } from './build-request-ages';
import { listBuildRequests } from './build-requests';
import { depsFor } from './testing';

const NOW = new Date('2026-03-10T14:25:30.000Z');
let dep: TestDeployment;
let deps: Deps;

/** Ages in seconds at every bucket edge, one a little ahead of the clock, and one with no created_at. */
const AGES = [0, 59, 60, 599, 600, 601, 3599, 3600, 86_399, 86_400, 200_000, -30];

beforeAll(async () => {
  dep = await createTestDeployment();
  deps = depsFor(dep, { now: () => NOW });
  const row = (createdAt: Date | null, over: Partial<typeof buildRequests.$inferInsert> = {}) => ({
    instanceUuid: crypto.randomUUID(),
    projectId: 'p-ages',
    instance: null,
    createdAt,
    ...over,
  });
  await dep.api.db.insert(buildRequests).values([
    ...AGES.map((s) => row(new Date(NOW.getTime() - s * 1000))),
    row(null),
    // Never pending boots: map_instances' marker and the VIF migration's fake instance.
    row(new Date(NOW.getTime() - 7200_000), { projectId: INSTANCE_MIGRATION_MARKER }),
    row(new Date(NOW.getTime() - 7200_000), { instanceUuid: FAKE_INSTANCE_UUID }),
  ]);
});

afterAll(() => dep?.close());

describe('buildRequestAges', () => {
  it('counts the pending build requests by age bucket, edges in the older bucket, the marker and the fake instance left out', async () => {
    const a = await buildRequestAges(deps);
    expect(a.buckets).toEqual([
      { key: 'under-1m', label: 'under 1 min', count: 3 }, // 0, 59 and the one ahead of the clock
      { key: '1m-10m', label: '1–10 min', count: 2 }, // 60, 599
      { key: '10m-1h', label: '10–60 min', count: 3 }, // 600, 601, 3599
      { key: '1h-1d', label: '1–24 h', count: 2 }, // 3600, 86399
      { key: 'over-1d', label: 'over 1 day', count: 2 },
    ]);
    expect(a.unknownAge).toBe(1);
    expect(a.total).toBe(AGES.length + 1);
    // Stuck is "older than 10 minutes", as on the build requests page: 600 s is not, 601 s is.
    expect(a.stuck).toBe(6);
    expect(a.asOf).toEqual(NOW);
  });

  it('agrees with the build requests page row by row: same rows, same ages, same stuck ones', async () => {
    for (const stuckAfterMinutes of [1, 10, 60 * 24]) {
      const [a, list] = await Promise.all([buildRequestAges(deps, { stuckAfterMinutes }), listBuildRequests(deps, { stuckAfterMinutes })]);
      const fromList = new Map<string, number>(AGE_BUCKETS.map((b) => [b.key, 0]));
      for (const b of list.buildRequests) if (b.ageSeconds !== null) fromList.set(ageBucketOf(b.ageSeconds), fromList.get(ageBucketOf(b.ageSeconds))! + 1);
      expect(Object.fromEntries(a.buckets.map((b) => [b.key, b.count]))).toEqual(Object.fromEntries(fromList));
      expect(a.stuck).toBe(list.buildRequests.filter((b) => b.stuck).length);
      expect(a.total).toBe(list.buildRequests.length);
      expect(a.stuckAfterMinutes).toBe(stuckAfterMinutes);
    }
  });
});

describe('ageBucketOf', () => {
  it('puts an edge in the older bucket and a negative age in the youngest', () => {
    expect([-5, 0, 59.9, 60, 600, 3600, 86_400, 1e9].map(ageBucketOf)).toEqual([
      'under-1m',
      'under-1m',
      'under-1m',
      '1m-10m',
      '10m-1h',
      '1h-1d',
      'over-1d',
      'over-1d',
    ]);
  });
});
