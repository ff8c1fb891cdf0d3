'use client';

import { TREND_WINDOWS, type TrendWindow, windowLabel } from '@/server/triage/contract';

/** The window of a trend (24h, 7d, 30d) as a row of toggle buttons; the page keeps it in the URL. */
export function WindowSwitch({ value, onChange, label = 'Window' }: { value: TrendWindow; onChange: (w: TrendWindow) => void; label?: string }) {
  return (
    <div role="group" aria-label={label} className="inline-flex overflow-hidden rounded border border-zinc-300 text-xs dark:border-zinc-700">
      {TREND_WINDOWS.map((w) => (
        <button
          key={w}
          type="button"
          aria-pressed={value === w}
          title={windowLabel(w)}
          onClick={() => onChange(w)}
          className={`px-2.5 py-1 ${value === w ? 'bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800'}`}
        >
          {w}
        </button>
      ))}
    </div>
  );
}
