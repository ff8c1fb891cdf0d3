'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { parseAsInteger, parseAsStringLiteral, useQueryStates } from 'nuqs';
import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { type DataColumn, DataTable } from '../../_components/data-table';
import { SelectField, TextField } from '../../_components/fields';
import { JobBar, JobLine } from '../../_components/job-line';
import { QueryState } from '../../_components/query-state';
import { RequireRole } from '../../_components/require-role';
import { Time } from '../../_components/time';
import { Button, ErrorBox, PageHeader } from '../../_components/ui';
import { useHydrated } from '../../_components/use-hydrated';
import { useTRPC } from '../../_trpc/client';
import { cellLabel } from '@/server/cells/contract';
import { DEFAULT_REPAIR_LIMIT, MAX_REPAIR_LIMIT, REPAIR_INFO, REPAIR_KINDS, type RepairJob, type RepairPlan, type RepairRow } from '@/server/repairs/contract';

const fmt = (n: number) => n.toLocaleString('en');
const active = (job: RepairJob | undefined) => job?.state === 'queued' || job?.state === 'running';

const COLUMNS: DataColumn<RepairRow>[] = [
  { id: 'table', header: 'Table', value: (r) => r.table, sort: 'client' },
  { id: 'id', header: 'Id', value: (r) => r.id, sort: 'client', rowHeader: true, always: true },
  { id: 'cell', header: 'Cell', value: (r) => (r.cell ? cellLabel(r.cell) : null), sort: 'client' },
  { id: 'instance', header: 'Instance', value: (r) => r.instanceUuid, sort: 'client', copy: true },
  { id: 'project', header: 'Project', value: (r) => r.projectId, sort: 'client', hiddenByDefault: true },
  { id: 'host', header: 'Host', value: (r) => r.host, sort: 'client' },
  { id: 'node', header: 'Node', value: (r) => r.node, sort: 'client' },
  { id: 'created', header: 'Created (UTC)', value: (r) => r.createdAt, cell: (r) => (r.createdAt ? <Time value={r.createdAt} /> : '—'), sort: 'client' },
  { id: 'note', header: 'Note', value: (r) => r.note },
  { id: 'advice', header: 'What to run', value: (r) => r.advice, copy: true },
];

function JobProgress({ job }: { job: RepairJob }) {
  const p = job.progress;
  const text = `${fmt(Math.min(p.position, p.total))} of ${fmt(p.total)} rows`;
  return (
    <div className="space-y-2">
      <JobLine job={job} what="repair" />
      <JobBar state={job.state} what="repair" now={p.position} total={p.total} text={text} />
      <p role="status" aria-label="repair counts" className="text-sm">
        {fmt(p.changed)} changed, {fmt(p.skipped)} no longer qualified and left alone
        {p.notReached ? `, ${fmt(p.notReached)} in cells that did not answer (${p.down.map((d) => cellLabel(d)).join(', ')})` : ''}
      </p>
      {job.state === 'failed' && job.error ? <ErrorBox title="The repair failed" message={job.error} /> : null}
    </div>
  );
}

function Plan({ plan, onRun }: { plan: RepairPlan; onRun: () => void }) {
  const info = REPAIR_INFO[plan.kind];
  const n = plan.rows.length;
  return (
    <div className="space-y-3">
      <p role="status" aria-label="dry run" className="text-sm">
        Dry run: {fmt(n)}
        {plan.more ? '+' : ''} {n === 1 ? 'row' : 'rows'} found
        {plan.olderThanMinutes ? ` (older than ${plan.olderThanMinutes} minutes)` : ''}.{' '}
        {plan.fixes ? (n > 0 ? `A run ${info.change}, for each of them.` : 'Nothing to change.') : 'Reported only: Cellar changes nothing for these.'}
      </p>
      {plan.overLimit ? (
        <p role="alert" className="text-sm text-amber-800 dark:text-amber-300">
          {fmt(n)}
          {plan.more ? '+' : ''} rows are more than the limit of {fmt(plan.limit)}: a run is refused. Raise the limit to {fmt(n)} (or run{' '}
          <code>
            cellar repair {plan.kind} --limit {n}
          </code>
          ).
        </p>
      ) : null}
      <DataTable
        label={`${info.title}: dry run`}
        columns={COLUMNS}
        rows={plan.rows}
        rowKey={(r) => r.key}
        notAnswered={plan.down}
        empty="Nothing found: there is nothing to repair."
        toolbar={
          plan.fixes && n > 0 ? (
            <RequireRole role="operator">
              <Button variant="danger" onClick={onRun} disabled={plan.overLimit}>
                Run on {fmt(n)} {n === 1 ? 'row' : 'rows'}
              </Button>
            </RequireRole>
          ) : null
        }
      />
    </div>
  );
}

/**
 * Repairs: pick a finding, see its dry run (the rows a run would change, or the rows
 * reported with what to run), and, as an operator, run it as a job with progress.
 */
export function RepairsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [search, setSearch] = useQueryStates({
    kind: parseAsStringLiteral(REPAIR_KINDS).withDefault('orphan_instance_mappings'),
    limit: parseAsInteger.withDefault(DEFAULT_REPAIR_LIMIT),
  });
  const limit = Math.min(Math.max(1, search.limit), MAX_REPAIR_LIMIT);
  const [limitText, setLimitText] = useState(String(limit));
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const input = { kind: search.kind, limit };
  const plan = useQuery(trpc.repairs.plan.queryOptions(input));
  const jobs = useQuery({
    ...trpc.repairs.jobs.queryOptions({ kind: search.kind }),
    refetchInterval: (q) => (active(q.state.data?.[0]) ? 1000 : false),
  });
  const job = jobs.data?.[0];
  const jobState = job ? `${job.id}:${job.state}` : null;
  useEffect(() => {
    // A job that just ended: the dry run is stale.
    if (jobState?.endsWith(':done') || jobState?.endsWith(':failed')) void queryClient.invalidateQueries({ queryKey: trpc.repairs.plan.queryKey() });
  }, [jobState, queryClient, trpc]);
  const start = useMutation(
    trpc.repairs.start.mutationOptions({
      onSuccess: async (r) => {
        setConfirming(false);
        setNote(r.created ? null : r.message);
        await queryClient.invalidateQueries({ queryKey: trpc.repairs.jobs.queryKey({ kind: search.kind }) });
      },
    }),
  );
  const info = REPAIR_INFO[search.kind];
  const rows = plan.data?.rows ?? [];

  return (
    <div className="space-y-6">
      <PageHeader
        title="Repairs"
        description="Drift between the api database and the cells, with the fix when there is a safe one. Every run is a dry run first; a run changes only the rows it showed that still qualify, at most the limit, and writes one audit row per changed row."
      />
      <div className="flex flex-wrap items-end gap-4">
        <SelectField
          label="Repair"
          // The longest title is wider than a phone: the box keeps to the page and the option wraps in its list.
          className="min-w-0 max-w-full"
          controlClassName="max-w-full"
          value={search.kind}
          onChange={(e) => {
            setNote(null);
            start.reset();
            void setSearch({ kind: e.target.value as (typeof REPAIR_KINDS)[number] });
          }}
          options={REPAIR_KINDS.map((k) => ({ value: k, label: REPAIR_INFO[k].title }))}
        />
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(limitText);
            if (Number.isSafeInteger(n) && n >= 1 && n <= MAX_REPAIR_LIMIT) void setSearch({ limit: n });
          }}
        >
          <TextField label="Limit" inputMode="numeric" value={limitText} onChange={(e) => setLimitText(e.target.value)} className="w-28" />
          <Button type="submit" disabled={!hydrated}>
            Set limit
          </Button>
        </form>
        <Button onClick={() => void plan.refetch()} disabled={!hydrated || plan.isFetching}>
          {plan.isFetching ? 'Checking…' : 'Dry run again'}
        </Button>
      </div>
      <section aria-label={info.title} className="space-y-3">
        <h2 className="text-lg font-semibold">{info.title}</h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {info.finding} CLI: <code>cellar repair {search.kind} --dry-run</code>
        </p>
        <QueryState query={plan} what="the dry run" cells={(d) => ({ down: d.down })}>
          {(d) => <Plan plan={d} onRun={() => setConfirming(true)} />}
        </QueryState>
      </section>
      {info.change ? (
        <section aria-label="Repair jobs" className="space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800">
          <h2 className="text-lg font-semibold">Runs</h2>
          {start.error && !confirming ? <ErrorBox title="Could not start the repair" message={start.error.message} /> : null}
          {note ? (
            <p role="status" className="text-sm">
              {note}
            </p>
          ) : null}
          <QueryState query={jobs} what="the repair jobs" isEmpty={(d) => d.length === 0} empty="This repair has not been run from the console.">
            {(d) => <JobProgress job={d[0]!} />}
          </QueryState>
        </section>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={`${info.title}: change ${fmt(rows.length)} ${rows.length === 1 ? 'row' : 'rows'}?`}
        confirmLabel="Run repair"
        typeToConfirm={rows.length > 1 ? String(rows.length) : undefined}
        busy={start.isPending || active(job)}
        error={start.error?.message ?? null}
        onCancel={() => {
          start.reset();
          setConfirming(false);
        }}
        onConfirm={() => start.mutate({ ...input, keys: rows.map((r) => r.key) })}
      >
        <p>
          The run {info.change} for each row of the dry run that still qualifies when its batch runs; a row that no longer does is left alone. It cannot be
          undone; every changed row is recorded in the audit log.
        </p>
      </ConfirmDialog>
    </div>
  );
}
