'use client';

import { useQuery } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { type DataColumn, DataTable, TablePager } from '../../_components/data-table';
import { SelectField, TextField } from '../../_components/fields';
import { KeyValueSearch } from '../../_components/key-value-search';
import { QueryState } from '../../_components/query-state';
import { Time } from '../../_components/time';
import { Button, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { AUDIT_OUTCOMES, AUDIT_PAGE_SIZES, type AuditOutcome, type AuditRow } from '@/server/auth/contract';
import { auditInput, auditSearchParams, DEFAULT_AUDIT_SORT, sinceDate } from './search-params';

const OUTCOME_STYLE: Record<AuditRow['outcome'], string> = {
  done: 'text-emerald-700 dark:text-emerald-400',
  refused: 'text-amber-700 dark:text-amber-400',
  failed: 'text-red-700 dark:text-red-400',
  started: 'text-red-700 dark:text-red-400',
};

/** 'started' with no outcome: the process stopped while the write ran (or could not record how it ended). */
const OUTCOME_TEXT: Record<AuditRow['outcome'], string> = { done: 'done', refused: 'refused', failed: 'failed', started: 'started, no outcome recorded' };

const SEARCH_KEYS = [
  { key: 'actor', help: 'the actor, by the start of its name' },
  { key: 'action', help: 'the action, by its start (cells. or delete_cell)' },
  { key: 'outcome', help: AUDIT_OUTCOMES.join(', ') },
  { key: 'since', help: 'at or after this UTC time (2026-12-01T09:00)' },
];

function outcomeValue(r: AuditRow): string {
  const repeat = r.repeatCount > 1 ? ` (${r.repeatCount} calls${r.address ? ` from ${r.address}` : ''})` : '';
  const exit = r.exitCode !== null && r.exitCode !== 0 ? ` (exit ${r.exitCode})` : '';
  return `${OUTCOME_TEXT[r.outcome]}${repeat}${exit}${r.reason ? `: ${r.reason}` : ''}`;
}

const COLUMNS: DataColumn<AuditRow>[] = [
  {
    id: 'at',
    header: 'Time',
    value: (r) => r.at,
    cell: (r) => <Time value={r.at} />,
    sort: 'server',
    firstDir: 'desc',
    always: true,
    className: 'whitespace-nowrap',
  },
  {
    id: 'actor',
    header: 'Actor',
    value: (r) => r.actor,
    cell: (r) => (
      <>
        {r.actor} <span className="text-xs text-zinc-500">({r.actorKind})</span>
      </>
    ),
  },
  { id: 'actor_kind', header: 'Actor kind', value: (r) => r.actorKind, hiddenByDefault: true },
  { id: 'role', header: 'Role', value: (r) => r.role },
  { id: 'source', header: 'Via', value: (r) => r.source },
  { id: 'action', header: 'Action', value: (r) => r.action, className: 'font-mono text-xs' },
  { id: 'target', header: 'Target', value: (r) => r.target, className: 'max-w-64 break-all font-mono text-xs' },
  {
    id: 'outcome',
    header: 'Outcome',
    value: outcomeValue,
    cell: (r) => (
      <span className={OUTCOME_STYLE[r.outcome]}>
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
      </span>
    ),
  },
  { id: 'request', header: 'Request', value: (r) => r.requestId, className: 'font-mono text-xs text-zinc-500' },
  {
    id: 'input',
    header: 'Input',
    // The input as stored: passwords masked and secret fields dropped when it was written.
    value: (r) => (Object.keys(r.input).length ? JSON.stringify(r.input) : null),
    cell: (r) =>
      Object.keys(r.input).length ? (
        <details>
          <summary className="cursor-pointer text-xs">input</summary>
          <pre className="mt-1 max-w-80 overflow-x-auto whitespace-pre-wrap text-xs">{JSON.stringify(r.input, null, 2)}</pre>
        </details>
      ) : (
        '—'
      ),
  },
];

export function AuditView() {
  const trpc = useTRPC();
  const [search, setSearch] = useQueryStates(auditSearchParams);
  const input = auditInput(search);
  const q = useQuery(trpc.auth.audit.list.queryOptions(input, { placeholderData: (prev) => prev }));
  // Any change of filter, order or size starts again from the first page.
  const filter = (patch: Partial<typeof search>) => void setSearch({ ...patch, marker: null, back: null });
  const filtered = Boolean(search.actor || search.action || search.outcome || search.since);

  return (
    <div>
      <PageHeader title="Audit" description="Every write and every refused write, from the console and the CLI. Newest first unless sorted otherwise." />

      <KeyValueSearch
        label="Search the audit log"
        keys={SEARCH_KEYS}
        fields={{ actor: search.actor, action: search.action, outcome: search.outcome, since: search.since }}
        onSearch={({ fields }) => {
          const outcome = fields.outcome?.toLowerCase() ?? null;
          if (outcome && !(AUDIT_OUTCOMES as readonly string[]).includes(outcome)) return `outcome: is one of ${AUDIT_OUTCOMES.join(', ')}.`;
          if (fields.since && !sinceDate(fields.since)) return 'since: is a UTC date or time, such as 2026-12-01 or 2026-12-01T09:00.';
          filter({ actor: fields.actor ?? null, action: fields.action ?? null, outcome: outcome as AuditOutcome | null, since: fields.since ?? null });
        }}
      />

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
        {filtered ? <Button onClick={() => filter({ actor: null, action: null, outcome: null, since: null })}>Clear filters</Button> : null}
      </form>

      <QueryState
        query={q}
        what="the audit log"
        errorActions={search.marker ? <Button onClick={() => filter({})}>First page</Button> : null}
        isEmpty={(d) => d.rows.length === 0}
        empty={filtered ? 'No audit entries match these filters.' : 'Nothing has been changed yet: the audit log is empty.'}
      >
        {(d) => (
          <>
            <DataTable
              label="Audit log"
              columns={COLUMNS}
              rows={d.rows}
              rowKey={(r) => String(r.id)}
              rowData={(r) => ({ 'data-audit-id': String(r.id) })}
              defaultSort={DEFAULT_AUDIT_SORT}
              onSortChange={() => filter({})}
            />
            <TablePager
              label="Audit log"
              size={input.limit}
              sizes={AUDIT_PAGE_SIZES}
              onSize={(size) => filter({ size })}
              prev={d.prev ? { onClick: () => void setSearch({ marker: d.prev, back: true }) } : null}
              next={d.next ? { onClick: () => void setSearch({ marker: d.next, back: null }) } : null}
              summary={q.isFetching ? 'Loading…' : `${d.rows.length} on this page`}
            />
          </>
        )}
      </QueryState>
    </div>
  );
}
