'use client';

import { useId, useState } from 'react';
import { CopyButton } from './copy-button';

/** "rabbit://nova:****@rab…5672/nova_cell1": the start and the end, which tell URLs apart. */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(2, max - 1);
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

/**
 * A long value (a URL, a connection string) in one short line: its start and end with an
 * ellipsis in the middle, the whole of it on hover (title), a "show whole" button that
 * unfolds it in place, and a copy button. Screen readers and text searches get the whole
 * value either way; the shortened form is only drawn.
 */
export function LongText({ value, label, max = 36, className = '' }: { value: string; label: string; max?: number; className?: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const short = middleEllipsis(value, max);
  const shortened = short !== value;
  return (
    <span className={`relative inline-flex max-w-full flex-wrap items-baseline gap-x-1 ${className}`} data-long-text="">
      {shortened && !open ? (
        <>
          <span aria-hidden="true" title={value} className="whitespace-nowrap font-mono text-xs">
            {short}
          </span>
          <span id={id} className="sr-only">
            {value}
          </span>
        </>
      ) : (
        <span id={id} className="break-all font-mono text-xs">
          {value}
        </span>
      )}
      {shortened ? (
        <button
          type="button"
          aria-expanded={open}
          aria-controls={id}
          aria-label={`${open ? 'Shorten' : 'Show whole'} ${label}`}
          onClick={() => setOpen((o) => !o)}
          className="rounded px-1 text-xs text-zinc-600 underline underline-offset-2 hover:bg-zinc-200 dark:text-zinc-400 dark:hover:bg-zinc-700"
        >
          {open ? 'shorten' : 'show whole'}
        </button>
      ) : null}
      <CopyButton value={value} label={`Copy ${label}`} />
    </span>
  );
}
