'use client';

import Link from 'next/link';
import { ChartFigure, ChartImage, Legend, TableOf } from '../../_components/charts/chart-figure';
import { StackedBars } from '../../_components/charts/stacked-bars';
import { WindowSwitch } from '../../_components/charts/window-switch';
import type { QueryLike } from '../../_components/query-state';
import { StaleMark } from '../../_components/stale';
import { EmptyBox, ErrorBox, Loading } from '../../_components/ui';
import { bucketTitle, type FaultTrend, type FaultTrendResult, type TrendWindow, windowLabel } from '@/server/overview/contract';
import { failureCategories, failureSeries, failuresLabel } from './figures';

/**
 * cell0's failures over the window, a bar per hour or day stacked by normalised fault:
 * whether cell0 fills faster today than last week is seen, not read. The window is in
 * the URL; the previous window's bars stay (dimmed) while the new one is asked.
 */
export function FailuresPanel({
  query,
  window,
  setWindow,
}: {
  query: QueryLike<FaultTrendResult> & { isPlaceholderData?: boolean };
  window: TrendWindow;
  setWindow: (w: TrendWindow) => void;
}) {
  const groupsHref = `/cell0?${new URLSearchParams({ view: 'groups', ...(window === '7d' ? {} : { window }) })}`;
  return (
    <section aria-labelledby="failures-title" className="min-w-0">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h2 id="failures-title" className="text-lg font-semibold">
          cell0 failures
        </h2>
        <WindowSwitch value={window} onChange={setWindow} label="Window of cell0 failures" />
      </div>
      <FailuresBody query={query} />
      <p className="mt-2 text-xs">
        <Link href={groupsHref} className="text-sky-800 underline dark:text-sky-300">
          See cell0&apos;s fault groups
        </Link>{' '}
        <span className="text-zinc-600 dark:text-zinc-400">(counts, first and last seen, a trend per group).</span>
      </p>
    </section>
  );
}

function FailuresBody({ query }: { query: QueryLike<FaultTrendResult> & { isPlaceholderData?: boolean } }) {
  if (query.isPending) return <Loading what="cell0's failures" />;
  if (query.isError || !query.data) return <ErrorBox title="Could not read cell0's failures" message={query.error?.message ?? 'no answer'} />;
  const r = query.data;
  if (r.state === 'unmapped')
    return (
      <EmptyBox>
        cell0 is not mapped yet, so failed boots have nowhere to go: map it with <code>cellar map_cell0</code>.
      </EmptyBox>
    );
  if (r.state === 'down') {
    const last = r.lastKnown;
    return (
      <div
        data-state="down"
        className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
      >
        <p>
          cell0 did not answer ({r.down[0]?.reason ?? 'down'}), so its failures cannot be drawn now. The api database maps {r.unknownCount} instance
          {r.unknownCount === 1 ? '' : 's'} to it that are not queued for delete.
        </p>
        {last ? (
          <p className="mt-1" data-last-known="">
            When it last answered it held {last.value.instances} failed boot{last.value.instances === 1 ? '' : 's'} in {last.value.groups} fault group
            {last.value.groups === 1 ? '' : 's'}
            {last.value.top.length > 0 ? `, the largest ${last.value.top.map((g) => `“${g.key}” (${g.count})`).join(', ')}` : ''}{' '}
            <StaleMark at={last.observedAt} />.
          </p>
        ) : null}
      </div>
    );
  }
  return <FailuresChart trend={r.data} stale={Boolean(query.isPlaceholderData)} />;
}

function FailuresChart({ trend: t, stale }: { trend: FaultTrend; stale: boolean }) {
  const series = failureSeries(t);
  const categories = failureCategories(t, series);
  return (
    <ChartFigure
      id="cell0-failures"
      className={stale ? 'opacity-60' : ''}
      title={
        <>
          {t.total} failure{t.total === 1 ? '' : 's'} over the {windowLabel(t.window)}
          <span className="font-normal text-zinc-600 dark:text-zinc-400"> · by {t.bucket} (UTC) · live cell0 instances by the time of their latest fault</span>
        </>
      }
      legend={series.length > 0 ? <Legend items={series} label="Fault groups in the chart" /> : null}
      table={
        <TableOf
          label={`cell0 failures over the ${windowLabel(t.window)} as a table`}
          rowHeader={t.bucket === 'hour' ? 'Hour' : 'Day'}
          columns={[...series, { key: 'total', name: 'Total' }]}
          rows={t.bucketStarts.map((start, i) => ({
            key: start.toISOString(),
            header: bucketTitle(t.bucket, start),
            cells: [...series.map((s) => s.values[i]!), t.totals[i]!],
          }))}
        />
      }
    >
      <div data-window={t.window} data-total={t.total}>
        <ChartImage label={failuresLabel(t)}>
          <StackedBars categories={categories} series={series} size="lg" minTickGap={t.bucket === 'hour' ? 16 : 8} />
        </ChartImage>
      </div>
    </ChartFigure>
  );
}
