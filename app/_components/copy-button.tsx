'use client';

import { useEffect, useState } from 'react';

/**
 * "copy": puts `value` on the clipboard. The button's name starts with its visible word
 * (`label` is "Copy uuid of cell1", WCAG 2.5.3), and stays so: "copied" is said beside
 * it, as a status, not by renaming the button.
 */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(false), 1200);
    return () => clearTimeout(t);
  }, [done]);
  return (
    <>
      <button
        type="button"
        aria-label={label}
        title={label}
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setDone(true));
        }}
        className="ml-1 rounded px-1 font-sans text-xs text-zinc-600 hover:bg-zinc-200 dark:text-zinc-400 dark:hover:bg-zinc-700"
      >
        copy
      </button>
      <span role="status" className="font-sans text-xs text-emerald-700 dark:text-emerald-400">
        {done ? 'copied' : ''}
      </span>
    </>
  );
}
