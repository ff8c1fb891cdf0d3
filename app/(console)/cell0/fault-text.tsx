'use client';

import { Time } from '../../_components/time';
import type { Fault } from '@/server/triage/contract';

/** A fault as support reads it: the message first, then code and time; the traceback collapsed, monospace. */
export function FaultText({ fault, showHost = false }: { fault: Fault | null; showHost?: boolean }) {
  if (!fault) return <span className="italic text-zinc-600 dark:text-zinc-400">no fault recorded</span>;
  return (
    <div className="space-y-1">
      <p className="break-words font-medium text-red-800 dark:text-red-300">{fault.message ?? <span className="italic">(no message)</span>}</p>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        code {fault.code}
        {fault.createdAt ? (
          <>
            {' · '}
            <Time value={fault.createdAt} />
          </>
        ) : null}
        {showHost && fault.host ? ` · on ${fault.host}` : null}
      </p>
      {fault.details ? (
        <details className="text-xs">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Details</summary>
          <pre className="mt-1 max-h-96 overflow-auto whitespace-pre rounded bg-zinc-100 p-2 font-mono text-[11px] leading-snug dark:bg-zinc-950">
            {fault.details}
          </pre>
        </details>
      ) : null}
    </div>
  );
}
