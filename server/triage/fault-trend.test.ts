import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { listFaultGroups } from './fault-groups';
import { NO_FAULT_KEY } from './fault-text';
import { cell0FaultTrend, type FaultTrend, foldTrend } from './fault-trend';
import { buryInCell0, depsFor, takeCell0Down } from './testing';
import { trendBuckets, type TrendWindow } from './trend-window';

/** Cellar's clock for the whole file: 14:25:30 UTC on 10 March 2026. */
const NOW = new Date('2026-03-10T14:25:30.000Z');
const at = (iso: string) => new Date(iso);

const NVH = 'No valid host was found. There are not enough hosts available.';
const RETRIES = (uuid: string) => `Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance ${uuid}.`;
const RETRIES_KEY = 'Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance <uuid>.';
const NETWORK = (uuid: string) => `Build of instance ${uuid} aborted: Failed to allocate the network(s), not rescheduling.`;
const NETWORK_KEY = 'Build of instance <uuid> aborted: Failed to allocate the network(s), not rescheduling.';
const QUOTA = 'Quota exceeded for cores: Requested 8, but already used 118 of 120 cores';
const QUOTA_KEY = 'Quota exceeded for cores: Requested <n>, but already used <n> of <n> cores';

let dep: TestDeployment;
let deps: Deps;
const P = 'p-trend';
const OTHER = 'p-trend-other';

/** One failure buried in cell0 with a single fault at `when`. */
const fail = (message: string, when: string, over: Parameters<typeof buryInCell0>[1] = {}) =>
  buryInCell0(dep, { projectId: P, createdAt: new Date(at(when).getTime() - 5000), faults: [{ message, createdAt: at(when) }], ...over });

beforeAll(async () => {
  dep = await createTestDeployment();
  deps = depsFor(dep, { now: () => NOW });
  // The 24h window is [2026-03-09 15:00, 2026-03-10 15:00); 7d is [03-04, 03-11); 30d is [02-09, 03-11).
  await fail(NVH, '2026-03-10T14:10:00Z');
  await fail(NVH, '2026-03-10T13:00:00.000Z', { flavor: 'm1.xlarge' });
  await fail(RETRIES(crypto.randomUUID()), '2026-03-10T11:30:00Z');
  await fail(RETRIES(crypto.randomUUID()), '2026-03-10T11:05:00Z', { projectId: OTHER });
  await fail(NVH, '2026-03-09T15:00:00.000Z'); // the 24h window's first instant
  await fail(NVH, '2026-03-09T14:59:59.999Z'); // a millisecond before it
  await fail(NVH, '2026-03-10T14:45:00Z'); // stamped ahead of Cellar's clock, this hour still
  await fail(NVH, '2026-03-10T15:00:00.000Z'); // the next hour: out of 24h, in today
  // Two faults: the latest (MAX(id)) decides the group and the time.
  const two = crypto.randomUUID();
  await buryInCell0(dep, {
    uuid: two,
    projectId: P,
    createdAt: at('2026-03-10T11:59:00Z'),
    faults: [
      { message: NVH, createdAt: at('2026-03-10T12:00:00Z') },
      { message: NETWORK(two), createdAt: at('2026-03-10T12:30:00Z') },
    ],
  });
  // No fault at all: counted at the instance's created_at.
  await buryInCell0(dep, { projectId: P, createdAt: at('2026-03-10T10:15:00Z'), faults: [] });
  // A deleted instance is not a live failure.
  const gone = await fail(NVH, '2026-03-10T14:00:00Z');
  await dep.cell0.handle.sql`update instances set deleted = id, deleted_at = ${'2026-03-10 14:05:00'}::timestamp where uuid = ${gone}`;
  // A soft-deleted latest fault: the live one before it counts.
  await buryInCell0(dep, {
    projectId: P,
    createdAt: at('2026-03-10T09:19:00Z'),
    faults: [
      { message: QUOTA, createdAt: at('2026-03-10T09:20:00Z') },
      { message: NVH, createdAt: at('2026-03-10T09:40:00Z'), deleted: true },
    ],
  });
  await fail(NVH, '2026-03-04T00:00:00.000Z'); // the 7d window's first instant
  await fail(NVH, '2026-03-03T23:59:59.999Z'); // a millisecond before it
  await fail(NVH, '2026-02-20T08:00:00Z');
  await fail(NVH, '2026-02-08T23:59:59.999Z'); // before the 30d window
});

afterAll(() => dep?.close());

async function trend(window: TrendWindow, filters = {}): Promise<FaultTrend> {
  const r = await cell0FaultTrend(deps, { window, filters });
  if (r.state !== 'up') throw new Error(r.state);
  return r.data;
}

/** The non-zero buckets of a series, as {index: count}. */
const spikes = (series: number[]) => Object.fromEntries(series.flatMap((n, i) => (n ? [[i, n]] : [])));

describe('cell0FaultTrend', () => {
  it('24h: by UTC hour, stacked by normalised fault, the window edges kept exactly', async () => {
    const t = await trend('24h');
    expect(t.bucket).toBe('hour');
    expect(t.start).toEqual(at('2026-03-09T15:00:00Z'));
    expect(t.end).toEqual(at('2026-03-10T15:00:00Z'));
    expect(t.bucketStarts).toHaveLength(24);
    expect(t.groups.map((g) => [g.key, g.count, spikes(g.series)])).toEqual([
      // 14:10 and 14:45 in this hour (23), 13:00 sharp (22), the window's first instant (0).
      [NVH, 4, { 0: 1, 22: 1, 23: 2 }],
      // Two messages that differ by their uuid are one group.
      [RETRIES_KEY, 2, { 20: 2 }],
      // Equal counts: the most recent first.
      [NETWORK_KEY, 1, { 21: 1 }],
      [NO_FAULT_KEY, 1, { 19: 1 }],
      [QUOTA_KEY, 1, { 18: 1 }],
    ]);
    expect(t.total).toBe(9);
    expect(t.totals.reduce((s, n) => s + n, 0)).toBe(9);
    expect(spikes(t.totals)).toEqual({ 0: 1, 18: 1, 19: 1, 20: 2, 21: 1, 22: 1, 23: 2 });
  });

  it('7d: by UTC day, today whole (a fault an hour ahead included), the first instant in and the one before out', async () => {
    const t = await trend('7d');
    expect(t.bucket).toBe('day');
    expect(t.bucketStarts.map((d) => d.toISOString().slice(0, 10))).toEqual([
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
    expect(t.groups.map((g) => [g.key, g.count, spikes(g.series)])).toEqual([
      [NVH, 7, { 0: 1, 5: 2, 6: 4 }],
      [RETRIES_KEY, 2, { 6: 2 }],
      // Equal counts in the same latest bucket: by text.
      [NO_FAULT_KEY, 1, { 6: 1 }],
      [NETWORK_KEY, 1, { 6: 1 }],
      [QUOTA_KEY, 1, { 6: 1 }],
    ]);
    expect(t.total).toBe(12);
  });

  it('30d: every live failure of the last 30 days, the same groups the fault groups count', async () => {
    const t = await trend('30d');
    expect(t.bucketStarts[0]).toEqual(at('2026-02-09T00:00:00Z'));
    const groups = await listFaultGroups(deps, {});
    if (groups.state !== 'up') throw new Error(groups.state);
    // Only one failure is older than the window: an NVH a millisecond before 9 February.
    const expected = groups.data.groups.map((g) => [g.key, g.key === NVH ? g.count - 1 : g.count]).sort();
    expect(t.groups.map((g) => [g.key, g.count]).sort()).toEqual(expected);
    expect(t.total).toBe(groups.data.instances - 1);
    for (const g of t.groups) expect(g.series.reduce((s, n) => s + n, 0)).toBe(g.count);
  });

  it("applies the fault groups' filters: an exact flavor, a project, a fault text", async () => {
    const xl = await trend('24h', { flavor: 'm1.xlarge' });
    expect(xl.groups.map((g) => [g.key, g.count, spikes(g.series)])).toEqual([[NVH, 1, { 22: 1 }]]);
    // A flavor name that only looks like it is not it.
    expect((await trend('24h', { flavor: 'm1.xl' })).groups).toEqual([]);
    const other = await trend('24h', { project: OTHER });
    expect(other.groups.map((g) => [g.key, g.count])).toEqual([[RETRIES_KEY, 1]]);
    const quota = await trend('7d', { fault: 'quota EXCEEDED' });
    expect(quota.groups.map((g) => [g.key, g.count])).toEqual([[QUOTA_KEY, 1]]);
  });

  it('an empty window is all zeros, not missing buckets', async () => {
    const r = await cell0FaultTrend(depsFor(dep, { now: () => at('2031-01-01T00:00:00Z') }), { window: '24h' });
    expect(r.state === 'up' && r.data).toMatchObject({ total: 0, groups: [], totals: new Array(24).fill(0) });
  });

  it('when cell0 does not answer: reported down with its UNKNOWN count and last-known counts, not thrown', async () => {
    // An unfiltered read of the groups keeps cell0's counts.
    const seen = await listFaultGroups(deps, {});
    expect(seen.state).toBe('up');
    const down = await takeCell0Down(dep);
    try {
      const r = await cell0FaultTrend(deps, { window: '7d' });
      expect(r.state).toBe('down');
      if (r.state !== 'down') return;
      expect(r.down).toHaveLength(1);
      expect(r.down[0]!.reason).toBe('refused');
      // Every mapped cell0 instance not queued for delete (the deleted one's mapping is not queued here).
      expect(r.unknownCount).toBeGreaterThanOrEqual(14);
      expect(r.lastKnown?.value.instances).toBe(seen.state === 'up' ? seen.data.instances : -1);
      expect(JSON.stringify(r)).not.toContain('s3cret-cell0');
    } finally {
      await down.restore();
    }
  });
});

describe('foldTrend', () => {
  const buckets = trendBuckets('24h', NOW);
  it('folds rows by normalised text and bucket, and drops a row outside the window', () => {
    const t = foldTrend(
      [
        { bucket: 3, message: 'Boom 1', flavor: null, n: 2 },
        { bucket: 3, message: 'Boom 22', flavor: null, n: 1 },
        { bucket: 23, message: 'Boom 7', flavor: null, n: 4 },
        { bucket: 24, message: 'Boom 8', flavor: null, n: 9 },
        { bucket: -1, message: 'Boom 8', flavor: null, n: 9 },
        { bucket: 5, message: null, flavor: null, n: 1 },
      ],
      buckets,
    );
    expect(t.groups.map((g) => [g.key, g.count, spikes(g.series)])).toEqual([
      ['Boom <n>', 7, { 3: 3, 23: 4 }],
      [NO_FAULT_KEY, 1, { 5: 1 }],
    ]);
    expect(t.total).toBe(8);
    expect(t.totals).toHaveLength(24);
  });
});
