'use client';

import { Bar, BarChart, YAxis } from 'recharts';
import { SINGLE_COLOR } from './palette';

/**
 * A trend in a table cell, as an error tracker shows one per issue: a bar per bucket,
 * no axes, the same height scale for every bucket of the row (the row's own peak), a
 * baseline so an empty bucket still reads as "none". Named as one image with its gist;
 * its numbers are the page's table.
 */
const WIDTH = 120;
const HEIGHT = 28;

export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const data = values.map((v, i) => ({ i, v }));
  const peak = Math.max(1, ...values);
  return (
    <div role="img" aria-label={label} data-sparkline={values.join(',')} className="h-7 w-30 border-b border-zinc-300 dark:border-zinc-600">
      <div aria-hidden="true">
        <BarChart width={WIDTH} height={HEIGHT - 1} data={data} margin={{ top: 1, right: 0, bottom: 0, left: 0 }} barCategoryGap={1} accessibilityLayer={false}>
          <YAxis hide domain={[0, peak]} />
          <Bar dataKey="v" fill={SINGLE_COLOR} isAnimationActive={false} minPointSize={0} />
        </BarChart>
      </div>
    </div>
  );
}
