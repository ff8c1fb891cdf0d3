'use client';

import type { ReactNode } from 'react';
import { utcString } from './time';

/** 09:11:58 UTC when it was today (UTC), 2026-03-01 09:11:58 UTC otherwise. */
function when(at: Date, now = new Date()): string {
  const full = utcString(at);
  return at.toISOString().slice(0, 10) === now.toISOString().slice(0, 10) ? full.slice(11) : full;
}

/** "(stale, as of 09:11:58 UTC)": a figure kept from a cell's last answer while it does not answer. */
export function StaleMark({ at }: { at: Date }) {
  return (
    <span className="text-xs text-amber-800 dark:text-amber-300" data-stale="">
      (stale, as of{' '}
      <time dateTime={at.toISOString()} title={utcString(at)} suppressHydrationWarning>
        {when(at)}
      </time>
      )
    </span>
  );
}

/** A last-known figure: the value dimmed, then its stale mark. */
export function StaleValue({ at, children }: { at: Date; children: ReactNode }) {
  return (
    <span className="text-zinc-500" title="Last known figure: the cell is not answering">
      {children} <StaleMark at={at} />
    </span>
  );
}
