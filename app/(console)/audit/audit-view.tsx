'use client';

import { useQuery } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { SelectField, TextField } from '../../_components/fields';
import { QueryState } from '../../_components/query-state';
import { Time } from '../../_components/time';
import { Button, PageHeader, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { AUDIT_OUTCOMES, type AuditRow } from '@/server/auth/contract';
import { auditInput, auditSearchParams } from './search-params';

const OUTCOME_STYLE: Record<AuditRow['outcome'], string> = {
  done: 'text-emerald-700 dark:text-emerald-400',
  refused: 'text-amber-700 dark:text-amber-400',
  failed: 'text-red-700 dark:text-red-400',
  started: 'text-red-700 dark:text-red-400',
};

/** 'started' with no outcome: the process stopped while the write ran (or could not record how it ended). */
const OUTCOME_TEXT: Record<AuditRow['outcome'], string> = { done: 'done', refused: 'refused', failed: 'failed', started: 'started, no outcome recorded' };

export function AuditView() {
  const trpc = useTRPC();
  const [search, setSearch] = useQueryStates(auditSearchParams);
  const q = useQuery(trpc.auth.audit.list.queryOptions(auditInput(search), { placeholderData: (prev) => prev }));
  // Any change of filter starts again from the newest entry.
  const filter = (patch: Partial<typeof search>) => void setSearch({ ...patch, before: null });
  const filtered = Boolean(search.actor || search.action || search.outcome || search.since);

  return (
    <div>
      <PageHeader title="Audit" description="Every write and every refused write, from the console and the CLI. Newest first." />

      <form
        aria-label="Filter the audit log"
        className="mb-4 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const v = (k: string) => String(f.get(k) ?? '').trim() || null;
          filter({ actor: v('actor'), action: v('action'), since: v('since') });
        }}
      >
        <TextField label="Actor" name="actor" defaultValue={search.actor ?? ''} key={`a${search.actor}`} placeholder="user, token or OS user" />
        <TextField label="Action" name="action" defaultValue={search.action ?? ''} key={`b${search.action}`} placeholder="cells. or delete_cell" />
        <SelectField
          label="Outcome"
          value={search.outcome ?? ''}
          onChange={(e) => filter({ outcome: (e.target.value || null) as typeof search.outcome })}
          options={[{ value: '', label: 'any' }, ...AUDIT_OUTCOMES.map((o) => ({ value: o, label: OUTCOME_TEXT[o] }))]}
        />
        <TextField label="Since (UTC)" name="since" type="datetime-local" defaultValue={search.since ?? ''} key={`c${search.since}`} />
        <Button type="submit">Apply</Button>
        {filtered ? (
          <Button onClick={() => void setSearch({ actor: null, action: null, outcome: null, since: null, before: null })}>Clear filters</Button>
        ) : null}
        <SelectField label="Page size" value={search.size} onChange={(e) => filter({ size: Number(e.target.value) })} options={[25, 50, 100, 200]} />
      </form>

      <QueryState
        query={q}
        what="the audit log"
        isEmpty={(d) => d.rows.length === 0}
        empty={filtered ? 'No audit entries match these filters.' : 'Nothing has been changed yet: the audit log is empty.'}
      >
        {(d) => (
          <>
            <Table
              label="Audit log"
              head={
                <>
                  <Th>Time</Th>
                  <Th>Actor</Th>
                  <Th>Role</Th>
                  <Th>Via</Th>
                  <Th>Action</Th>
                  <Th>Target</Th>
                  <Th>Outcome</Th>
                  <Th>Request</Th>
                  <Th>Input</Th>
                </>
              }
            >
              {d.rows.map((r) => (
                <tr key={r.id} data-audit-id={r.id}>
                  <Td className="whitespace-nowrap">
                    <Time value={r.at} />
                  </Td>
                  <Td>
                    {r.actor} <span className="text-xs text-zinc-500">({r.actorKind})</span>
                  </Td>
                  <Td>{r.role ?? '—'}</Td>
                  <Td>{r.source}</Td>
                  <Td className="font-mono text-xs">{r.action}</Td>
                  <Td className="max-w-64 break-all font-mono text-xs">{r.target ?? '—'}</Td>
                  <Td className={OUTCOME_STYLE[r.outcome]}>
                    {OUTCOME_TEXT[r.outcome]}
                    {r.repeatCount > 1 ? (
                      <span className="block text-xs">
                        {r.repeatCount} calls{r.address ? ` from ${r.address}` : ''} in this minute
                        {r.lastAt ? (
                          <>
                            , the last at <Time value={r.lastAt} />
                          </>
                        ) : null}
                      </span>
                    ) : null}
                    {r.exitCode !== null && r.exitCode !== 0 ? <span className="text-xs"> (exit {r.exitCode})</span> : null}
                    {r.reason ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">{r.reason}</span> : null}
                  </Td>
                  <Td className="font-mono text-xs text-zinc-500">{r.requestId ?? '—'}</Td>
                  <Td>
                    {Object.keys(r.input).length ? (
                      <details>
                        <summary className="cursor-pointer text-xs">input</summary>
                        <pre className="mt-1 max-w-80 overflow-x-auto whitespace-pre-wrap text-xs">{JSON.stringify(r.input, null, 2)}</pre>
                      </details>
                    ) : (
                      '—'
                    )}
                  </Td>
                </tr>
              ))}
            </Table>
            <nav aria-label="Audit pages" className="mt-3 flex gap-2">
              <Button disabled={!search.before} onClick={() => void setSearch({ before: null })}>
                Newest
              </Button>
              <Button disabled={!d.nextBefore} onClick={() => void setSearch({ before: d.nextBefore })}>
                Older
              </Button>
            </nav>
          </>
        )}
      </QueryState>
    </div>
  );
}
