import { describe, expect, it } from 'vitest';
import { OTHER_COLOR, SERIES_COLORS } from '../../_components/charts/palette';
import type { CellCapacityReportFigures } from '@/server/boot/contract';
import type { BuildRequestAges, FaultTrend } from '@/server/overview/contract';
import { agesLabel, capacityCategories, capacityLabel, capacityRows, failureCategories, failureSeries, failuresLabel, MAX_STACKED_GROUPS } from './figures';

const res = (capacity: number, used: number, free: number) => ({ total: capacity, capacity, used, free });
const totals = (nodes: number, v: [number, number, number], m: [number, number, number], d: [number, number, number]) => ({
  nodes,
  vcpus: res(...v),
  memoryMb: res(...m),
  diskGb: res(...d),
});

const figures: CellCapacityReportFigures = {
  nodes: { total: 4, schedulable: 2, 'service-down': 1, 'service-disabled': 0, 'no-service': 0, unmapped: 1, mappedElsewhere: 0 },
  all: totals(4, [400, 100, 300], [1000, 500, 500], [100, 10, 90]),
  schedulable: totals(2, [200, 60, 140], [500, 300, 200], [50, 5, 45]),
  unmapped: totals(1, [100, 20, 80], [250, 100, 150], [25, 5, 20]),
  flavors: [],
};

describe('capacity', () => {
  it('splits each resource into used and where the rest is free, adding up to the capacity', () => {
    const rows = capacityRows(figures);
    expect(rows.map((r) => [r.name, r.capacity, r.amounts])).toEqual([
      ['vCPUs', 400, { used: 100, schedulable: 140, unmapped: 80, other: 80 }],
      ['RAM', 1000, { used: 500, schedulable: 200, unmapped: 150, other: 150 }],
      ['Disk', 100, { used: 10, schedulable: 45, unmapped: 20, other: 25 }],
    ]);
    for (const r of rows) expect(Object.values(r.amounts).reduce((s, n) => s + n, 0)).toBe(r.capacity);
  });

  it('draws percentages and tells the amounts; a cell with no capacity is 0 %, not NaN', () => {
    const [v] = capacityCategories(capacityRows(figures));
    expect(v!.values).toEqual({ used: 25, schedulable: 35, unmapped: 20, other: 20 });
    expect(v!.describe!.used).toBe('100 vCPUs (25 %)');
    const empty = capacityCategories(capacityRows({ ...figures, all: totals(0, [0, 0, 0], [0, 0, 0], [0, 0, 0]) }));
    expect(empty[0]!.values.used).toBe(0);
    expect(capacityLabel('cell1', capacityRows(figures))).toBe(
      'Capacity of cell1: vCPUs 25 % used of 400 vCPUs, RAM 50 % used of 1,000 MiB, Disk 10 % used of 100 GB',
    );
  });

  it('never shows a negative free part when a node holds more than its ratio allows', () => {
    const over = capacityRows({ ...figures, all: totals(4, [400, 500, 0], [1000, 500, 500], [100, 10, 90]) });
    expect(over[0]!.amounts.other).toBe(0);
  });
});

const starts = [0, 1, 2].map((d) => new Date(Date.UTC(2026, 2, 8 + d)));
function trendOf(groups: { key: string; series: number[] }[]): FaultTrend {
  const totals = starts.map((_, i) => groups.reduce((s, g) => s + g.series[i]!, 0));
  return {
    window: '7d',
    bucket: 'day',
    start: starts[0]!,
    end: new Date(Date.UTC(2026, 2, 11)),
    bucketStarts: starts,
    total: totals.reduce((s, n) => s + n, 0),
    totals,
    groups: groups.map((g) => ({ ...g, count: g.series.reduce((s, n) => s + n, 0) })),
  };
}

describe('failures', () => {
  it('stacks every group when they fit, with keys recharts cannot read as paths', () => {
    const t = trendOf([
      { key: 'No valid host was found. There are not enough hosts available.', series: [1, 0, 2] },
      { key: 'Quota exceeded', series: [0, 1, 0] },
    ]);
    const series = failureSeries(t);
    expect(series.map((s) => [s.key, s.name, s.color, s.count])).toEqual([
      ['s0', 'No valid host was found. There are not enough hosts available.', SERIES_COLORS[0], 3],
      ['s1', 'Quota exceeded', SERIES_COLORS[1], 1],
    ]);
    expect(failureCategories(t, series).map((c) => [c.label, c.values, c.title])).toEqual([
      ['8 Mar', { s0: 1, s1: 0 }, '2026-03-08 UTC · 1 failure'],
      ['9 Mar', { s0: 0, s1: 1 }, '2026-03-09 UTC · 1 failure'],
      ['10 Mar', { s0: 2, s1: 0 }, '2026-03-10 UTC · 2 failures'],
    ]);
    expect(failuresLabel(t)).toBe('cell0 failures over the last 7 days, by day, stacked by fault: 4 in all in 2 fault groups, the most on 10 Mar (2)');
  });

  it('folds the groups past the largest ones into "Other faults", bucket by bucket', () => {
    const groups = Array.from({ length: MAX_STACKED_GROUPS + 2 }, (_, i) => ({ key: `fault ${i}`, series: [i, 1, 0] }));
    const series = failureSeries(trendOf(groups));
    expect(series).toHaveLength(MAX_STACKED_GROUPS + 1);
    const other = series.at(-1)!;
    expect(other).toMatchObject({
      key: 'other',
      name: 'Other faults (2 groups)',
      color: OTHER_COLOR,
      groups: ['fault 6', 'fault 7'],
      values: [13, 2, 0],
      count: 15,
    });
    // Every failure is in one series and one only.
    const all = series.reduce((s, x) => s + x.count, 0);
    expect(all).toBe(trendOf(groups).total);
  });

  it('says "none" for an empty window', () => {
    expect(failuresLabel(trendOf([]))).toBe('cell0 failures over the last 7 days, by day, stacked by fault: none');
  });
});

describe('build request ages', () => {
  it('names the chart with its figures', () => {
    const a: BuildRequestAges = {
      buckets: [
        { key: 'under-1m', label: 'under 1 min', count: 0 },
        { key: '1m-10m', label: '1–10 min', count: 3 },
        { key: '10m-1h', label: '10–60 min', count: 1 },
        { key: '1h-1d', label: '1–24 h', count: 0 },
        { key: 'over-1d', label: 'over 1 day', count: 1 },
      ],
      unknownAge: 0,
      total: 5,
      stuck: 2,
      stuckAfterMinutes: 10,
      asOf: new Date(),
    };
    expect(agesLabel(a)).toBe('Pending build requests by age: 5 in all (3 1–10 min, 1 10–60 min, 1 over 1 day), 2 stuck (older than 10 minutes)');
  });
});
