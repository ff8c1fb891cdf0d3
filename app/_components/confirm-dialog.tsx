'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button } from './ui';

/**
 * Confirmation for dangerous actions: says what will happen and what cannot be undone;
 * for bulk actions the user types the count (or a name) before the button unlocks. When
 * the server is known to refuse the action as it stands (`refusal`), the confirm button
 * is disabled and the reason is shown beside it, not only on hover.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  confirmVariant = 'danger',
  typeToConfirm,
  refusal,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** `primary` for a change that is easily undone (enabling a cell); `danger` otherwise. */
  confirmVariant?: 'danger' | 'primary';
  /** When set, the user must type exactly this before confirming. */
  typeToConfirm?: string;
  /** Why the action would be refused as it stands: confirming is disabled, and this says why. */
  refusal?: ReactNode;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const [typed, setTyped] = useState('');
  const titleId = useId();
  const refusalId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setTyped('');
      opener.current = document.activeElement;
      d.showModal();
    }
    if (!open && d.open) {
      d.close();
      // Back to what opened it (the button), where the keyboard user was.
      const back = opener.current;
      opener.current = null;
      if (back instanceof HTMLElement && back.isConnected && !(back as HTMLButtonElement).disabled) back.focus();
    }
  }, [open]);
  const locked = Boolean(refusal) || (typeToConfirm !== undefined && typed.trim() !== typeToConfirm);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      className="m-auto w-full max-w-lg rounded-lg border border-zinc-300 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <form
        method="dialog"
        className="space-y-3 p-5"
        onSubmit={(e) => {
          e.preventDefault();
          if (!locked && !busy) onConfirm();
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <div className="space-y-2 text-sm">{children}</div>
        {typeToConfirm !== undefined ? (
          <label className="block text-sm">
            Type <strong className="font-mono">{typeToConfirm}</strong> to confirm
            <input
              autoFocus
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              className="mt-1 block w-full rounded border border-zinc-300 px-2 py-1 font-mono dark:border-zinc-700 dark:bg-zinc-950"
            />
          </label>
        ) : null}
        {error ? (
          <p role="alert" className="rounded bg-red-50 p-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">
            {error}
          </p>
        ) : null}
        <div className="flex flex-wrap items-center justify-end gap-2 pt-2">
          {refusal ? (
            <p id={refusalId} data-refusal="" className="mr-auto basis-full text-sm font-medium text-red-800 sm:basis-auto dark:text-red-300">
              {refusal}
            </p>
          ) : null}
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant={confirmVariant} disabled={locked || busy} aria-describedby={refusal ? refusalId : undefined}>
            {busy ? 'Working…' : confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
