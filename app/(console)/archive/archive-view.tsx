'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type ArchiveJobView, type CellCounts, DEFAULT_MAX_ROWS, type DryRun, MAX_ROWS_LIMIT } from '@/server/archive/contract';
import { useTRPC } from '../../_trpc/client';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { type DataColumn, DataTable } from '../../_components/data-table';
import { JobBar, JobLine } from '../../_components/job-line';
import { RequireRole } from '../../_components/require-role';
import { Button, EmptyBox, ErrorBox, PageHeader } from '../../_components/ui';
import { useHydrated } from '../../_components/use-hydrated';

const fmt = (n: number) => n.toLocaleString('en');
const active = (j: ArchiveJobView | undefined) => j?.state === 'queued' || j?.state === 'running';
/** A date input's value (YYYY-MM-DD) as the UTC midnight nova reads it; '' is none. */
const toBefore = (s: string): Date | null => (s ? new Date(`${s}T00:00:00Z`) : null);

/** "Dry run" again with the same date asks again (the query's key has not changed); another date is a new query. */
function useAsk(asked: { before: Date | null } | null, setAsked: (a: { before: Date | null }) => void, refetch: () => void) {
  return (before: Date | null) => {
    if (asked && (asked.before?.getTime() ?? null) === (before?.getTime() ?? null)) refetch();
    else setAsked({ before });
  };
}

interface CountRow {
  key: string;
  cell: string;
  table: string;
  rows: number | null;
  note: string;
}

function countRows(d: DryRun): CountRow[] {
  const out: CountRow[] = [];
  const name = (c: CellCounts) => c.name ?? c.uuid;
  for (const c of d.cells) {
    if (c.status === 'down')
      out.push({ key: `${c.uuid}:down`, cell: name(c), table: '—', rows: null, note: `does not answer (${c.message}); it will be skipped` });
    for (const [t, n] of Object.entries(c.tables)) out.push({ key: `${c.uuid}:${t}`, cell: name(c), table: t, rows: n, note: '' });
  }
  for (const [t, n] of Object.entries(d.api)) out.push({ key: `api:${t}`, cell: 'API_DB', table: t, rows: n, note: 'rows of the archived instances' });
  return out;
}

const COLUMNS: DataColumn<CountRow>[] = [
  { id: 'cell', header: 'Cell', value: (r) => r.cell, rowHeader: true, sort: 'client' },
  { id: 'table', header: 'Table', value: (r) => r.table, sort: 'client' },
  { id: 'rows', header: 'Rows', value: (r) => r.rows, cell: (r) => (r.rows === null ? '—' : fmt(r.rows)), sort: 'client' },
  { id: 'note', header: 'Note', value: (r) => r.note },
];

/** Tables nova would archive that a cell cannot (no shadow table): skipped, as nova skips them; a cell Cellar made has none at all. */
function Skipped({ data }: { data: DryRun }) {
  const cells = data.cells.filter((c) => c.skipped.length > 0);
  if (cells.length === 0) return null;
  return (
    <ul aria-label="Skipped tables" className="text-sm text-zinc-600 dark:text-zinc-400">
      {cells.map((c) => (
        <li key={c.uuid}>
          {c.name ?? c.uuid}:{' '}
          {c.skipped.length > 3
            ? `${c.skipped.length} tables have no shadow table (a cell database Cellar made, not nova's migrations): nothing can be archived there.`
            : `${c.skipped.map((s) => s.table).join(', ')} skipped (${c.skipped[0]!.why}), as nova skips them.`}
        </li>
      ))}
    </ul>
  );
}

function Counts({ label, data }: { label: string; data: DryRun }) {
  return (
    <div className="space-y-2">
      <p role="status" aria-label={`${label} total`} className="text-sm">
        {data.total === 0 ? 'Nothing to do.' : `${fmt(data.total)} rows in ${data.cells.filter((c) => c.total > 0).length} cells.`}
      </p>
      <Skipped data={data} />
      <DataTable
        label={label}
        prefix={label === 'Rows to archive' ? 'a' : 'p'}
        columns={COLUMNS}
        rows={countRows(data)}
        rowKey={(r) => r.key}
        empty="No rows."
        maxHeight="40vh"
      />
    </div>
  );
}

function JobProgress({ job, what, expected }: { job: ArchiveJobView; what: string; expected: number | null }) {
  const p = job.progress;
  const total = expected && expected > 0 ? expected : null;
  const now = total ? Math.min(p.total, total) : p.total;
  return (
    <div className="space-y-2 text-sm">
      <JobLine job={job} what={what} />
      <JobBar state={job.state} what={what} now={now} total={total} text={`${fmt(p.total)} rows${total ? ` of ${fmt(total)}` : ''}, ${p.batches} batches`} />
      <ul aria-label={`${what} cells`} className="space-y-0.5">
        {p.cells.map((c) => (
          <li key={c.uuid}>
            {c.name ?? c.uuid}: {c.state} · {fmt(c.total)} rows{c.message ? ` · ${c.message}` : ''}
          </li>
        ))}
      </ul>
      {job.state === 'failed' && job.error ? <ErrorBox title={`${what} failed`} message={job.error} /> : null}
    </div>
  );
}

function ArchivePanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [beforeText, setBeforeText] = useState('');
  const [maxRows, setMaxRows] = useState(String(DEFAULT_MAX_ROWS));
  const [asked, setAsked] = useState<{ before: Date | null } | null>(null);
  const [confirm, setConfirm] = useState(false);
  const dry = useQuery({ ...trpc.archive.dryRun.queryOptions({ before: asked?.before ?? null }), enabled: asked !== null, staleTime: 0 });
  const ask = useAsk(asked, setAsked, () => void dry.refetch());
  const jobs = useQuery({ ...trpc.archive.jobs.queryOptions(), refetchInterval: (q) => (active(q.state.data?.archive[0]) ? 1000 : false) });
  const start = useMutation(
    trpc.archive.start.mutationOptions({
      onSuccess: async () => {
        setConfirm(false);
        await queryClient.invalidateQueries({ queryKey: trpc.archive.jobs.queryKey() });
      },
    }),
  );
  const batch = Number(maxRows);
  const batchOk = Number.isInteger(batch) && batch >= 1 && batch <= MAX_ROWS_LIMIT;
  const job = jobs.data?.archive[0];
  return (
    <section aria-label="Archive deleted rows" className="space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800">
      <h2 className="text-lg font-semibold">Archive deleted rows</h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Moves soft-deleted rows of every cell (cell0 first, one cell at a time) into nova&apos;s shadow tables, with the rows that refer to them, and deletes
        the instance mappings, request specs and group members of the archived instances — as nova-manage db archive_deleted_rows --all-cells --until-complete.
      </p>
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col">
          Deleted before (UTC, optional)
          <input
            type="date"
            value={beforeText}
            onChange={(e) => setBeforeText(e.target.value)}
            className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <label className="flex flex-col">
          Batch size (max_rows)
          <input
            inputMode="numeric"
            value={maxRows}
            onChange={(e) => setMaxRows(e.target.value)}
            className="w-28 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <Button disabled={!hydrated} onClick={() => ask(toBefore(beforeText))}>
          Dry run
        </Button>
        <Button
          variant="danger"
          disabled={!hydrated || !dry.data || dry.data.total === 0 || !batchOk || active(job) || start.isPending}
          onClick={() => setConfirm(true)}
        >
          Archive
        </Button>
      </div>
      {!batchOk ? <p className="text-sm text-red-700 dark:text-red-400">The batch size is a whole number from 1 to {fmt(MAX_ROWS_LIMIT)}.</p> : null}
      {dry.error ? <ErrorBox title="The dry run failed" message={dry.error.message} /> : null}
      {dry.isFetching ? (
        <p className="text-sm">Counting…</p>
      ) : dry.data ? (
        <Counts label="Rows to archive" data={dry.data} />
      ) : (
        <EmptyBox>Press Dry run to see what would be archived.</EmptyBox>
      )}
      {start.error ? <ErrorBox title="Could not start archiving" message={start.error.message} /> : null}
      {job ? <JobProgress job={job} what="Archive" expected={dry.data?.cells.reduce((s, c) => s + c.total, 0) ?? null} /> : null}
      <ConfirmDialog
        open={confirm}
        title="Archive deleted rows"
        confirmLabel="Archive"
        busy={start.isPending}
        error={start.error?.message}
        onCancel={() => setConfirm(false)}
        onConfirm={() => start.mutate({ maxRows: batch, before: asked?.before ?? null })}
      >
        <p>
          {fmt(dry.data?.total ?? 0)} rows move to the shadow tables{asked?.before ? ` (deleted before ${asked.before.toISOString().slice(0, 10)})` : ''}, in
          batches of {fmt(batch)}, and the api rows of the archived instances are deleted. nova no longer shows archived instances; this cannot be undone from
          the console.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function PurgePanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [beforeText, setBeforeText] = useState('');
  const [asked, setAsked] = useState<{ before: Date | null } | null>(null);
  const [confirm, setConfirm] = useState(false);
  const dry = useQuery({ ...trpc.archive.purgeDryRun.queryOptions({ before: asked?.before ?? null }), enabled: asked !== null, staleTime: 0 });
  const ask = useAsk(asked, setAsked, () => void dry.refetch());
  const jobs = useQuery({ ...trpc.archive.jobs.queryOptions(), refetchInterval: (q) => (active(q.state.data?.purge[0]) ? 1000 : false) });
  const start = useMutation(
    trpc.archive.startPurge.mutationOptions({
      onSuccess: async () => {
        setConfirm(false);
        await queryClient.invalidateQueries({ queryKey: trpc.archive.jobs.queryKey() });
      },
    }),
  );
  const job = jobs.data?.purge[0];
  return (
    <section aria-label="Purge shadow tables" className="space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800">
      <h2 className="text-lg font-semibold">Purge shadow tables</h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Deletes archived rows from every cell&apos;s shadow tables — older than the date, or all of them without one — as nova-manage db purge --all-cells.
      </p>
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col">
          Older than (UTC; empty: all)
          <input
            type="date"
            value={beforeText}
            onChange={(e) => setBeforeText(e.target.value)}
            className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <Button disabled={!hydrated} onClick={() => ask(toBefore(beforeText))}>
          Purge dry run
        </Button>
        <Button variant="danger" disabled={!hydrated || !dry.data || dry.data.total === 0 || active(job) || start.isPending} onClick={() => setConfirm(true)}>
          Purge
        </Button>
      </div>
      {dry.error ? <ErrorBox title="The dry run failed" message={dry.error.message} /> : null}
      {dry.isFetching ? (
        <p className="text-sm">Counting…</p>
      ) : dry.data ? (
        <Counts label="Rows to purge" data={dry.data} />
      ) : (
        <EmptyBox>Press Purge dry run to see what would be purged.</EmptyBox>
      )}
      {start.error ? <ErrorBox title="Could not start the purge" message={start.error.message} /> : null}
      {job ? <JobProgress job={job} what="Purge" expected={dry.data?.total ?? null} /> : null}
      <ConfirmDialog
        open={confirm}
        title="Purge shadow tables"
        confirmLabel="Purge"
        busy={start.isPending}
        error={start.error?.message}
        onCancel={() => setConfirm(false)}
        onConfirm={() => start.mutate({ before: asked?.before ?? null })}
      >
        <p>{fmt(dry.data?.total ?? 0)} archived rows are deleted for good.</p>
      </ConfirmDialog>
    </section>
  );
}

export function ArchiveView() {
  return (
    <div className="space-y-6">
      <PageHeader title="Archive and purge" description="nova-manage db archive_deleted_rows and purge over every cell, with a dry run first." />
      <RequireRole role="operator" fallback={<EmptyBox>Only operators archive and purge.</EmptyBox>}>
        <ArchivePanel />
        <PurgePanel />
      </RequireRole>
    </div>
  );
}
