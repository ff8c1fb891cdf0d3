'use client';

import { useEffect, useState } from 'react';
import { API_DOWN_MESSAGE } from '@/server/errors';

/**
 * A page that failed on the server. The error itself is hidden from the browser (a digest
 * only), so the boundary asks /api/health, which answers in bounded time: when the api
 * database does not answer, that is what the page says, with a link that loads it again.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const [apiDown, setApiDown] = useState(false);
  const [here, setHere] = useState('/');
  useEffect(() => {
    setHere(`${window.location.pathname}${window.location.search}`);
    const controller = new AbortController();
    fetch('/api/health', { cache: 'no-store', signal: controller.signal })
      .then((res) => res.json() as Promise<{ api?: { status?: string } }>)
      .then((body) => setApiDown(body.api?.status === 'down'))
      .catch(() => {});
    return () => controller.abort();
  }, []);

  if (apiDown) {
    return (
      <main className="mx-auto max-w-xl p-8">
        <h1 className="mb-2 text-xl font-semibold">This page could not be shown</h1>
        <p role="alert" className="mb-4 text-sm">
          {API_DOWN_MESSAGE}
        </p>
        <a href={here} className="rounded border px-3 py-1 text-sm">
          Try again
        </a>
      </main>
    );
  }
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
