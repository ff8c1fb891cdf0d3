'use client';

import { useState } from 'react';
import { Button } from '../_components/ui';

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      aria-label="Sign in"
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setBusy(true);
        setError(null);
        const res = await fetch('/api/auth/sign-in/username', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') }),
        }).catch(() => null);
        if (res?.ok) {
          // A full load, so the server renders the console with the new session.
          window.location.assign(next);
          return;
        }
        const body = (await res?.json().catch(() => null)) as { message?: string } | null;
        setError(body?.message ?? 'Signing in failed; try again.');
        setBusy(false);
      }}
    >
      <label className="block text-sm">
        User name
        <input
          name="username"
          autoComplete="username"
          required
          autoFocus
          className="mt-1 block w-full rounded border border-zinc-300 px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-950"
        />
      </label>
      <label className="block text-sm">
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="mt-1 block w-full rounded border border-zinc-300 px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-950"
        />
      </label>
      {error ? (
        <p role="alert" className="rounded bg-red-50 p-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">
          {error}
        </p>
      ) : null}
      <Button type="submit" variant="primary" disabled={busy} className="w-full">
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
