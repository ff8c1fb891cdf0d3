'use client';

import type { ReactNode } from 'react';
import { Swatch } from './chart-figure';
import { Bar, BarChart, CartesianGrid, Tooltip, type TooltipContentProps, XAxis, YAxis } from 'recharts';

export interface BarSeries {
  key: string;
  name: string;
  color: string;
}

export interface BarCategory {
  key: string;
  /** On the axis: short. */
  label: string;
  /** In the tooltip: in full. */
  title?: string;
  values: Record<string, number>;
  /** What the tooltip says of a series' value here (default: the number). */
  describe?: Record<string, string>;
}

/** A chart's height as a class, not a style attribute: server-rendered inline styles are refused by the page's CSP. */
const HEIGHTS = { sm: 'h-[120px]', md: 'h-40', lg: 'h-52' } as const;

/** The gap between stacked segments, in the card's background colour (a CSS stroke wins over recharts' attribute). */
const SEGMENT_GAP = '[&_.recharts-rectangle]:stroke-white dark:[&_.recharts-rectangle]:stroke-zinc-900';

/**
 * Stacked bars with recharts, drawn for the console: no animation (a figure is where it
 * is at once, in screenshots and tests too), axis text in currentColor, a tooltip styled
 * for both themes, no keyboard layer of its own (ChartImage names the whole chart and the
 * table next to it has every number). `columns`: one upright bar per category (time on
 * the x axis); `rows`: one lying bar per category (a cell's resources).
 */
export function StackedBars({
  categories,
  series,
  orientation = 'columns',
  size = 'md',
  valueMax,
  valueTick = (v) => String(v),
  categoryWidth = 64,
  minTickGap = 8,
}: {
  categories: readonly BarCategory[];
  series: readonly BarSeries[];
  orientation?: 'columns' | 'rows';
  size?: keyof typeof HEIGHTS;
  /** The value axis' end (e.g. 100 for percentages); default: the data's. */
  valueMax?: number;
  valueTick?: (v: number) => string;
  /** Room for the category labels of lying bars. */
  categoryWidth?: number;
  minTickGap?: number;
}) {
  const data = categories.map((c) => ({ _key: c.key, _label: c.label, _title: c.title ?? c.label, _describe: c.describe ?? {}, ...c.values }));
  const rows = orientation === 'rows';
  const valueAxis = {
    type: 'number' as const,
    domain: [0, valueMax ?? 'auto'] as [number, number | 'auto'],
    allowDecimals: false,
    tickFormatter: valueTick,
    tick: { fill: 'currentColor', fontSize: 11 },
    stroke: 'currentColor',
  };
  const categoryAxis = {
    type: 'category' as const,
    dataKey: '_label',
    tick: { fill: 'currentColor', fontSize: 11 },
    stroke: 'currentColor',
    interval: 'preserveStartEnd' as const,
    minTickGap,
  };
  return (
    <div className={`w-full ${HEIGHTS[size]} ${SEGMENT_GAP}`}>
      <BarChart
        responsive
        style={{ width: '100%', height: '100%' }}
        data={data}
        layout={rows ? 'vertical' : 'horizontal'}
        accessibilityLayer={false}
        margin={{ top: 4, right: 12, bottom: 0, left: 0 }}
        barCategoryGap={rows ? '25%' : '15%'}
      >
        <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={rows} horizontal={!rows} />
        {rows ? <XAxis {...valueAxis} /> : <XAxis {...categoryAxis} />}
        {rows ? <YAxis {...categoryAxis} width={categoryWidth} interval={0} /> : <YAxis {...valueAxis} width={36} />}
        <Tooltip cursor={{ fill: 'currentColor', fillOpacity: 0.08 }} isAnimationActive={false} content={(p) => <TooltipBox {...p} series={series} />} />
        {series.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.name} stackId="stack" fill={s.color} isAnimationActive={false} />
        ))}
      </BarChart>
    </div>
  );
}

function TooltipBox({ active, payload, series }: TooltipContentProps & { series: readonly BarSeries[] }): ReactNode {
  const row = payload?.[0]?.payload as ({ _title: string; _describe: Record<string, string> } & Record<string, number>) | undefined;
  if (!active || !row) return null;
  const shown = series.filter((s) => (row[s.key] ?? 0) > 0 || row._describe[s.key]);
  return (
    <div className="max-w-sm rounded border border-zinc-300 bg-white px-2 py-1.5 text-xs text-zinc-900 shadow dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100">
      <p className="mb-1 font-medium">{row._title}</p>
      {shown.length === 0 ? <p className="text-zinc-600 dark:text-zinc-400">none</p> : null}
      <ul className="space-y-0.5">
        {shown.map((s) => (
          <li key={s.key} className="flex items-start gap-1.5">
            <Swatch color={s.color} />
            <span className="min-w-0 break-words">
              {s.name}: <span className="tabular-nums">{row._describe[s.key] ?? row[s.key]}</span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
