'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from './ui';

/** `g` then one of these keys: the pages, in the navigation's order. */
export const GO_TO = [
  { key: 'o', href: '/overview', label: 'Overview' },
  { key: 'c', href: '/', label: 'Cells' },
  { key: 'h', href: '/hosts', label: 'Host mappings' },
  { key: 'u', href: '/computes', label: 'Unmapped computes' },
  { key: 'i', href: '/instances', label: 'Instances' },
  { key: 'k', href: '/checks', label: 'Checks' },
  { key: '0', href: '/cell0', label: 'cell0' },
  { key: 'b', href: '/build-requests', label: 'Build requests' },
  { key: 'a', href: '/audit', label: 'Audit' },
] as const;

/** How long `g` waits for its letter. */
const SEQUENCE_MS = 1500;
const OPEN_EVENT = 'cellar:shortcuts';

/**
 * The list's search box: a page marks it with `data-list-search` (the contract every list
 * keeps); a page that does not falls back to the first input of its `role="search"`
 * region. Only what is on screen counts.
 */
export function findListSearch(root: ParentNode = document): HTMLElement | null {
  const shown = (el: Element): el is HTMLElement => el instanceof HTMLElement && el.getClientRects().length > 0;
  const marked = [...root.querySelectorAll('[data-list-search]')].find(shown);
  if (marked) return marked.matches('input, textarea, select, [tabindex]') ? marked : (marked.querySelector<HTMLElement>('input, textarea, select') ?? marked);
  return [...root.querySelectorAll('[role="search"] input')].find(shown) ?? null;
}

/** Keys typed into a field are the field's, never a shortcut's. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])') !== null;
}

/**
 * The console's keyboard: `/` focuses the list's search, `?` lists the shortcuts, `g` then
 * a letter goes to a page. None fires while typing in a field, with Ctrl, Alt or Meta
 * held, or while a dialog is open (Escape is the dialog's).
 */
export function Shortcuts() {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const [pendingG, setPendingG] = useState(false);
  const titleId = useId();

  // The console answers input from here on: scripts (Playwright suites) wait for
  // `html[data-hydrated]` before typing, or a value typed earlier is reset by hydration.
  useEffect(() => {
    document.documentElement.setAttribute('data-hydrated', '');
  }, []);

  useEffect(() => {
    const open = () => {
      const d = dialog.current;
      if (!d || d.open) return;
      opener.current = document.activeElement;
      d.showModal();
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiting = false;
    const wait = (on: boolean) => {
      clearTimeout(timer);
      waiting = on;
      setPendingG(on);
      if (on) timer = setTimeout(() => wait(false), SEQUENCE_MS);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.altKey || e.metaKey) return;
      if (typingIn(e.target) || document.querySelector('dialog[open]')) {
        if (waiting) wait(false);
        return;
      }
      if (waiting) {
        wait(false);
        const to = GO_TO.find((g) => g.key === e.key.toLowerCase());
        if (to) {
          e.preventDefault();
          router.push(to.href);
        }
        return;
      }
      if (e.key === '/') {
        const search = findListSearch();
        if (!search) return;
        e.preventDefault();
        search.focus();
      } else if (e.key === '?') {
        e.preventDefault();
        open();
      } else if (e.key === 'g' && !e.shiftKey) {
        wait(true);
      }
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener(OPEN_EVENT, open);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(OPEN_EVENT, open);
    };
  }, [router]);

  return (
    <>
      {pendingG ? (
        <p
          role="status"
          className="fixed right-4 bottom-4 z-50 rounded border border-zinc-300 bg-white px-3 py-2 text-sm shadow dark:border-zinc-700 dark:bg-zinc-900"
        >
          Go to… press a page&apos;s letter (<kbd className="font-mono">?</kbd> lists them)
        </p>
      ) : null}
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        onClose={() => {
          const back = opener.current;
          opener.current = null;
          if (back instanceof HTMLElement && back.isConnected) back.focus();
        }}
        className="m-auto w-full max-w-md rounded-lg border border-zinc-300 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <form method="dialog" className="space-y-3 p-5">
          <h2 id={titleId} className="text-lg font-semibold">
            Keyboard shortcuts
          </h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Not while typing in a field. Escape closes a dialog.</p>
          <table className="w-full text-left text-sm" aria-label="Keyboard shortcuts">
            <tbody className="[&>tr]:border-b [&>tr]:border-zinc-100 dark:[&>tr]:border-zinc-800">
              <Row keys={['/']}>Focus the list&apos;s search</Row>
              <Row keys={['?']}>Show this list</Row>
              {GO_TO.map((g) => (
                <Row key={g.key} keys={['g', g.key]}>
                  Go to {g.label}
                </Row>
              ))}
              <Row keys={['Esc']}>Close a dialog</Row>
            </tbody>
          </table>
          <div className="flex justify-end">
            <Button type="submit" autoFocus>
              Close
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}

function Row({ keys, children }: { keys: readonly string[]; children: React.ReactNode }) {
  return (
    <tr>
      <th scope="row" className="w-24 py-1.5 pr-3 font-normal whitespace-nowrap">
        {keys.map((k, i) => (
          <span key={k}>
            {i > 0 ? ' then ' : null}
            <kbd className="rounded border border-zinc-300 bg-zinc-50 px-1.5 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-800">{k}</kbd>
          </span>
        ))}
      </th>
      <td className="py-1.5">{children}</td>
    </tr>
  );
}

/** Opens the list of shortcuts, for those who do not know to press `?`. */
export function ShortcutsButton() {
  return (
    <button
      type="button"
      onClick={() => window.dispatchEvent(new Event(OPEN_EVENT))}
      className="rounded px-2 py-1 text-xs text-zinc-600 underline underline-offset-2 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
    >
      Keyboard shortcuts <kbd className="font-mono">?</kbd>
    </button>
  );
}
