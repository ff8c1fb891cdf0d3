'use client';

import { useState } from 'react';
import { TextField } from '../_components/fields';
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
      <TextField label="User name" name="username" autoComplete="username" required autoFocus controlClassName="w-full py-1.5" />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required controlClassName="w-full py-1.5" />
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
