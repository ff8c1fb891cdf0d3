'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useRef, useState } from 'react';

/**
 * The console's navigation: a column beside the page from the md breakpoint up; below it,
 * a bar with a "Menu" button that unfolds the same links over the full width (a 390 px
 * screen keeps its width for the page). Going to another page folds it again.
 */
export function ConsoleNav({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const path = usePathname();
  const [openedOn, setOpenedOn] = useState(path);
  if (openedOn !== path) {
    // Another page: the unfolded menu has done its job.
    setOpenedOn(path);
    setOpen(false);
  }
  return (
    <div className="shrink-0 border-b border-zinc-200 bg-white md:w-52 md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex items-center justify-between px-3 py-2 md:hidden">
        <Link href="/" className="px-2 text-lg font-semibold tracking-tight">
          Cellar
        </Link>
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen((o) => !o)}
          className="rounded border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          Menu
        </button>
      </div>
      <nav
        id="main-nav"
        aria-label="Main"
        onKeyDown={(e) => {
          if (e.key !== 'Escape' || !open) return;
          setOpen(false);
          button.current?.focus();
        }}
        className={`${open ? 'block' : 'hidden'} px-3 pb-4 md:block md:py-4`}
      >
        <Link href="/" className="mb-6 hidden px-2 text-lg font-semibold tracking-tight md:block">
          Cellar
        </Link>
        {children}
      </nav>
    </div>
  );
}
