'use client';
/**
 * Auto-refresh of every page that reads the cells: one switch, kept in the URL
 * (`refresh`, on by default), and paused while the user is in the middle of something —
 * rows selected (the page says so), a dialog open, the tab hidden — so a refresh never
 * moves a row from under a click nor spends the cells' time on a page nobody sees. The
 * control shows the time of the answers on screen ("as of") and why it is paused.
 */
import { parseAsBoolean, parseAsInteger, useQueryState } from 'nuqs';
import { useEffect, useId, useState } from 'react';
import { ClockTime } from './time';

/** How often a page asks its cells again. */
export const REFRESH_MS = 15_000;

/**
 * `refresh_every=<seconds>` in the URL asks more or less often (a test watching refetches
 * need not wait 15 s); never more often than every 2 s, so a pasted link cannot hammer the
 * cells.
 */
export const REFRESH_EVERY_MIN_S = 2;
export const REFRESH_EVERY_MAX_S = 3600;

type Pause = 'selection' | 'dialog' | 'hidden' | null;

function useDocumentPause(): Exclude<Pause, 'selection'> {
  const [hidden, setHidden] = useState(false);
  const [dialog, setDialog] = useState(false);
  useEffect(() => {
    const onVisibility = () => setHidden(document.visibilityState === 'hidden');
    onVisibility();
    document.addEventListener('visibilitychange', onVisibility);
    // Every dialog of the console is a native <dialog>: open is an attribute to watch.
    const look = () => setDialog(document.querySelector('dialog[open]') !== null);
    look();
    const observer = new MutationObserver(look);
    observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['open'], childList: true });
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      observer.disconnect();
    };
  }, []);
  return dialog ? 'dialog' : hidden ? 'hidden' : null;
}

export interface AutoRefresh {
  /** For each query of the page: its refetchInterval. */
  interval: number | false;
  on: boolean;
  setOn: (on: boolean) => void;
  paused: Pause;
}

/** `selecting`: the page has rows selected (a bulk action under way). */
export function useAutoRefresh({ selecting = false, everyMs = REFRESH_MS }: { selecting?: boolean; everyMs?: number } = {}): AutoRefresh {
  const [on, setOn] = useQueryState('refresh', parseAsBoolean.withDefault(true));
  const [everyS] = useQueryState('refresh_every', parseAsInteger);
  const doc = useDocumentPause();
  const paused: Pause = selecting ? 'selection' : doc;
  const ms = everyS === null ? everyMs : Math.min(REFRESH_EVERY_MAX_S, Math.max(REFRESH_EVERY_MIN_S, everyS)) * 1000;
  return { interval: on && !paused ? ms : false, on, setOn: (v) => void setOn(v ? null : false), paused };
}

const PAUSE_TEXT: Record<Exclude<Pause, null>, string> = {
  selection: 'paused while rows are selected',
  dialog: 'paused while a dialog is open',
  hidden: 'paused while the tab is hidden',
};

export function AutoRefreshControl({ state, asOf }: { state: AutoRefresh; asOf: Date | null | undefined }) {
  const id = useId();
  return (
    <span className="inline-flex flex-wrap items-center gap-2 text-sm" data-auto-refresh={state.interval ? 'running' : state.on ? 'paused' : 'off'}>
      <label htmlFor={id} className="inline-flex items-center gap-1">
        <input id={id} type="checkbox" checked={state.on} onChange={(e) => state.setOn(e.target.checked)} />
        Auto-refresh
      </label>
      {state.on && state.paused ? <span className="text-zinc-600 dark:text-zinc-400">({PAUSE_TEXT[state.paused]})</span> : null}
      {asOf ? (
        <span className="text-zinc-600 dark:text-zinc-400">
          as of <ClockTime value={asOf} />
        </span>
      ) : null}
    </span>
  );
}
