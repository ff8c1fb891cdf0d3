'use client';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-xl p-8">
      <h1 className="mb-2 text-xl font-semibold">This page could not be shown</h1>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        The server could not answer{error.digest ? ` (reference ${error.digest})` : ''}. The details are in the server log.
      </p>
      <button type="button" onClick={reset} className="rounded border px-3 py-1 text-sm">
        Try again
      </button>
    </main>
  );
}
