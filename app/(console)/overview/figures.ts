/**
 * The overview's answers turned into what its charts and their tables draw: pure, so
 * the chart and its "Show as table" are made from the same numbers and tested here.
 */
import type { BarCategory, BarSeries } from '../../_components/charts/stacked-bars';
import { CAPACITY_COLORS, OTHER_COLOR, SERIES_COLORS, SINGLE_COLOR } from '../../_components/charts/palette';
import type { CellCapacityReportFigures } from '@/server/boot/contract';
import { formatAmount, RESOURCE_KINDS, RESOURCE_NAMES, type ResourceKind } from '@/server/cells/contract';
import { type BuildRequestAges, bucketLabel, bucketTitle, type FaultTrend, windowLabel } from '@/server/overview/contract';

export type CapacityPart = 'used' | 'schedulable' | 'unmapped' | 'other';

/** A cell's capacity, per resource: what is used, and where the rest is free (nova's capacity model, cell-capacity.ts). */
export const CAPACITY_SERIES: readonly (BarSeries & { key: CapacityPart })[] = [
  { key: 'used', name: 'Used', color: CAPACITY_COLORS.used },
  { key: 'schedulable', name: 'Free where the scheduler places', color: CAPACITY_COLORS.schedulable },
  { key: 'unmapped', name: 'Free on hosts awaiting discover_hosts', color: CAPACITY_COLORS.unmapped },
  { key: 'other', name: 'Free on hosts the scheduler skips', color: CAPACITY_COLORS.other },
];

export interface CapacityRow {
  kind: ResourceKind;
  name: string;
  /** Σ per-node capacity (⌊total × ratio⌋): what the bar's 100 % stands for. */
  capacity: number;
  amounts: Record<CapacityPart, number>;
}

/**
 * Per resource: used, and the free room split by where it is — on schedulable nodes of
 * mapped hosts, on up-and-enabled nodes whose host has no mapping yet, and on the rest
 * (service down, disabled, no service, mapped to another cell). The parts add up to used
 * + free, which is the capacity unless a node holds more than its ratio allows now.
 */
export function capacityRows(f: CellCapacityReportFigures): CapacityRow[] {
  return RESOURCE_KINDS.map((kind) => {
    const all = f.all[kind];
    const schedulable = f.schedulable[kind].free;
    const unmapped = f.unmapped[kind].free;
    return {
      kind,
      name: RESOURCE_NAMES[kind],
      capacity: all.capacity,
      amounts: { used: all.used, schedulable, unmapped, other: Math.max(0, all.free - schedulable - unmapped) },
    };
  });
}

const percent = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 1000) / 10 : 0);

/** The bars: each part in percent of the resource's capacity; the tooltip says the amounts. */
export function capacityCategories(rows: readonly CapacityRow[]): BarCategory[] {
  return rows.map((r) => ({
    key: r.kind,
    label: r.name,
    title: `${r.name}: capacity ${formatAmount(r.kind, r.capacity)}`,
    values: Object.fromEntries(CAPACITY_SERIES.map((s) => [s.key, percent(r.amounts[s.key], r.capacity)])),
    describe: Object.fromEntries(CAPACITY_SERIES.map((s) => [s.key, `${formatAmount(r.kind, r.amounts[s.key])} (${percent(r.amounts[s.key], r.capacity)} %)`])),
  }));
}

/** "cell1 capacity: vCPUs 30 % used, RAM 42 % used, Disk 12 % used". */
export function capacityLabel(cell: string, rows: readonly CapacityRow[]): string {
  return `Capacity of ${cell}: ${rows.map((r) => `${r.name} ${percent(r.amounts.used, r.capacity)} % used of ${formatAmount(r.kind, r.capacity)}`).join(', ')}`;
}

/** The most fault groups one chart stacks; the rest are one "Other faults" series. */
export const MAX_STACKED_GROUPS = SERIES_COLORS.length;

export interface FailureSeries extends BarSeries {
  /** The fault groups this series stands for (one, or the rest). */
  groups: string[];
  values: number[];
  count: number;
}

/** The largest groups each as a series, the others folded into "Other faults", in the trend's order. */
export function failureSeries(t: FaultTrend): FailureSeries[] {
  const fits = t.groups.length <= MAX_STACKED_GROUPS;
  const shown = fits ? t.groups : t.groups.slice(0, MAX_STACKED_GROUPS);
  const out: FailureSeries[] = shown.map((g, i) => ({
    key: `s${i}`,
    name: g.key,
    color: SERIES_COLORS[i]!,
    groups: [g.key],
    values: g.series,
    count: g.count,
  }));
  if (!fits) {
    const rest = t.groups.slice(MAX_STACKED_GROUPS);
    out.push({
      key: 'other',
      name: `Other faults (${rest.length} groups)`,
      color: OTHER_COLOR,
      groups: rest.map((g) => g.key),
      values: t.bucketStarts.map((_, i) => rest.reduce((s, g) => s + g.series[i]!, 0)),
      count: rest.reduce((s, g) => s + g.count, 0),
    });
  }
  return out;
}

/** One bar per bucket, a segment per series (keys s0…, other: fault texts hold dots, which recharts reads as paths). */
export function failureCategories(t: FaultTrend, series: readonly FailureSeries[]): BarCategory[] {
  return t.bucketStarts.map((start, i) => ({
    key: start.toISOString(),
    label: bucketLabel(t.bucket, start),
    title: `${bucketTitle(t.bucket, start)} · ${t.totals[i]} failure${t.totals[i] === 1 ? '' : 's'}`,
    values: Object.fromEntries(series.map((s) => [s.key, s.values[i]!])),
  }));
}

/** "cell0 failures over the last 7 days, by day: 12 in all, the most on 10 Mar (7)". */
export function failuresLabel(t: FaultTrend): string {
  const head = `cell0 failures over the ${windowLabel(t.window)}, by ${t.bucket}, stacked by fault`;
  if (t.total === 0) return `${head}: none`;
  const peak = t.totals.reduce((best, n, i) => (n > t.totals[best]! ? i : best), 0);
  const groups = `${t.groups.length} fault group${t.groups.length === 1 ? '' : 's'}`;
  return `${head}: ${t.total} in all in ${groups}, the most ${t.bucket === 'hour' ? 'at' : 'on'} ${bucketLabel(t.bucket, t.bucketStarts[peak]!)} (${t.totals[peak]})`;
}

export const AGE_SERIES: readonly BarSeries[] = [{ key: 'count', name: 'Build requests', color: SINGLE_COLOR }];

export function ageCategories(a: BuildRequestAges): BarCategory[] {
  return a.buckets.map((b) => ({ key: b.key, label: b.label, title: `${b.label} old`, values: { count: b.count } }));
}

/** "Pending build requests by age: 7 in all, 4 stuck (older than 10 minutes)". */
export function agesLabel(a: BuildRequestAges): string {
  const by = a.buckets.filter((b) => b.count > 0).map((b) => `${b.count} ${b.label}`);
  return `Pending build requests by age: ${a.total} in all${by.length ? ` (${by.join(', ')})` : ''}, ${a.stuck} stuck (older than ${a.stuckAfterMinutes} minutes)`;
}
