'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { parseAsString, useQueryStates } from 'nuqs';
import { type ReactNode, useEffect, useState } from 'react';
import { AutoRefreshControl, useAutoRefresh } from '../../_components/auto-refresh';
import { CellsAnswered } from '../../_components/cell-notices';
import type { DataColumn } from '../../_components/data-table';
import { DataTable } from '../../_components/data-table';
import { CellLink, CellLinks, HostLink } from '../../_components/links';
import { retryCell, useGrace, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { KeyValueSearch } from '../../_components/key-value-search';
import { StaleValue } from '../../_components/stale';
import { Time } from '../../_components/time';
import { Button, EmptyBox, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { cellLabel, type CellSummary } from '@/server/cells/contract';
import { type CellView, type CheckResult, type ChecksReport, type ChecksRun, composeChecks, RESULT_CODE, RESULT_LABEL } from '@/server/checks/contract';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const RESULT_STYLE: Record<CheckResult, string> = {
  success: 'text-emerald-700 dark:text-emerald-400',
  warning: 'font-medium text-amber-700 dark:text-amber-400',
  failure: 'font-medium text-red-700 dark:text-red-400',
};

function Result({ result }: { result: CheckResult }) {
  return <span className={RESULT_STYLE[result]}>{RESULT_LABEL[result]}</span>;
}

type Check = ChecksReport['checks'][number];
type Drift = ChecksReport['drift'];

/** The search's state in the URL: which cell, result, check and host the lists show. */
const searchParams = { cell: parseAsString, status: parseAsString, check: parseAsString, host: parseAsString };
type Search = { cell: string | null; status: string | null; check: string | null; host: string | null };

const SEARCH_KEYS = [
  { key: 'cell', help: 'a cell by name or uuid' },
  { key: 'status', help: 'success, warning or failure' },
  { key: 'check', help: 'part of a check’s name' },
  { key: 'host', help: 'part of a host name' },
] as const;

const RESULTS: readonly CheckResult[] = ['success', 'warning', 'failure'];

/** The cells a `cell:` names: by uuid, or by name (nova's names need not be unique). */
function cellsNamed(cells: readonly CellSummary[], ref: string): CellSummary[] {
  const t = ref.trim();
  const byUuid = cells.filter((c) => c.uuid === t.toLowerCase());
  return byUuid.length > 0 ? byUuid : cells.filter((c) => c.name === t);
}

/** What the search keeps of the report: rows of the named cells and hosts; checks of that result and name. */
function filterReport(r: ChecksReport, s: Search, cells: readonly CellSummary[]) {
  const wanted = s.cell ? new Set(cellsNamed(cells, s.cell).map((c) => c.uuid)) : null;
  const inCell = (...cs: (CellSummary | null | undefined)[]) => !wanted || cs.some((c) => c && wanted.has(c.uuid));
  const host = s.host?.toLowerCase();
  const onHost = (h: string) => !host || h.toLowerCase().includes(host);
  const check = s.check?.toLowerCase();
  const status = s.status?.toLowerCase();
  const d = r.drift;
  return {
    checks: r.checks.filter((c) => (!status || c.result === status) && (!check || c.name.toLowerCase().includes(check) || c.id.includes(check))),
    tooOld: r.oldComputes.tooOld.filter((x) => inCell(x.cell) && onHost(x.host)),
    downCells: d.downCells.filter((c) => inCell(c) && !host),
    schemas: d.schemas.filter((x) => inCell(x.cell) && !host),
    staleHostMappings: d.staleHostMappings.filter((x) => inCell(x.cell) && onHost(x.host)),
    misplacedHostMappings: d.misplacedHostMappings.filter((x) => inCell(x.cell, ...x.foundIn) && onHost(x.host)),
    hostsInSeveralCells: d.hostsInSeveralCells.filter((x) => inCell(x.mappedTo, ...x.cells) && onHost(x.host)),
    cell0ComputeServices: d.cell0ComputeServices.filter((x) => inCell(x.cell) && onHost(x.host)),
  };
}

/** One drift list: a heading, why it matters, and its table, or a calm line saying there is nothing. */
function Finding({
  id,
  title,
  about,
  count,
  shown,
  empty,
  children,
}: {
  id: string;
  title: string;
  about: ReactNode;
  count: number;
  /** Rows left by the search (count when it filters nothing). */
  shown: number;
  empty: string;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="mt-6">
      <h2 id={id} className="text-lg font-semibold tracking-tight">
        {title} <span className="text-sm font-normal text-zinc-500">({shown === count ? count : `${shown} of ${count} shown`})</span>
      </h2>
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">{about}</p>
      {count === 0 ? <EmptyBox>{empty}</EmptyBox> : shown === 0 ? <EmptyBox>None of them matches the search.</EmptyBox> : children}
    </section>
  );
}

export function ChecksView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = useAutoRefresh();
  // The api side first (no cell asked), then each cell on its own, all at once; the report
  // is composed here as they answer (composeChecks, the same checks as `cellar status`).
  const base = useQuery(trpc.checks.run.queryOptions(CONTEXT_INPUT, { refetchInterval: refresh.interval }));
  const context = base.data?.parts?.context ?? null;
  const cells = context?.cellMappings ?? [];
  const parts = usePerCell<ChecksRun>(cells, (c) => trpc.checks.run.queryOptions({ cellUuids: [c.uuid] }, { refetchInterval: refresh.interval }));
  const views: CellView[] = parts.map((p) => {
    const view = p.data?.parts?.cells[0];
    if (view) return view;
    if (p.error) return { cell: p.cell, status: 'down', down: { ...p.cell, reason: 'error', message: p.error.message, elapsedMs: 0 } };
    return { cell: p.cell, status: 'pending' };
  });
  const pending = views.filter((v) => v.status === 'pending').map((v) => v.cell);
  const hold = useGrace(views.length - pending.length, pending.length);
  const asOf = parts.reduce<Date | null>((at, p) => (p.data && (!at || p.data.asOf > at) ? p.data.asOf : at), base.data?.asOf ?? null);
  const report = context && asOf && !hold ? composeChecks(context, views, asOf) : undefined;
  const fetching = base.isFetching || parts.some((p) => p.fetching);
  const retry = retryCell([parts]);
  const [search, setSearch] = useQueryStates(searchParams, { history: 'push' });

  return (
    <div>
      <PageHeader
        title="Checks"
        description={
          <>
            nova-status&apos;s cells checks, and drift between the api database and the cells that nova&apos;s tools do not report. The same checks as{' '}
            <code>cellar status</code>.
          </>
        }
      >
        {report ? <CellsAnswered answered={report.cells.answered} total={report.cells.total} asOf={report.asOf} asking={pending.length} /> : null}
        <AutoRefreshControl state={refresh} asOf={report?.asOf} />
        <Button onClick={() => void queryClient.invalidateQueries({ queryKey: trpc.checks.run.pathKey() })} disabled={fetching}>
          {fetching ? 'Running the checks…' : 'Run the checks again'}
        </Button>
      </PageHeader>

      <ChecksSearch search={search} cells={cells} onApply={(s) => void setSearch(s)} />

      <QueryState
        query={{ ...base, data: base.data ? report : undefined, isPending: base.isPending || (!base.isError && !report) }}
        what="checks"
        errorTitle="Could not run the checks"
        cells={(r) => ({ down: r.drift.downCells, pending, answered: r.cells.answered, total: r.cells.total, ...retry })}
      >
        {(r) => <Report report={r} search={search} cells={cells} pending={pending} />}
      </QueryState>
    </div>
  );
}

function ChecksSearch({ search, cells, onApply }: { search: Search; cells: readonly CellSummary[]; onApply: (s: Search) => void }) {
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a refused cell or status is forgotten once the URL's search changes.
  useEffect(() => setError(null), [search.cell, search.status]);
  const active = Boolean(search.cell || search.status || search.check || search.host);
  return (
    <div className="mb-4">
      <KeyValueSearch
        label="Search the checks"
        keys={SEARCH_KEYS}
        fields={search}
        onSearch={({ fields }) => {
          if (fields.cell && cellsNamed(cells, fields.cell).length === 0) {
            setError(`No cell is named "${fields.cell}" or has that uuid; the cells are ${cells.map(cellLabel).join(', ') || 'none yet'}.`);
            return;
          }
          const status = fields.status?.toLowerCase() ?? null;
          if (status && !RESULTS.includes(status as CheckResult)) {
            setError(`"status:${fields.status}" is not a result of a check; use success, warning or failure.`);
            return;
          }
          setError(null);
          onApply({ cell: fields.cell ?? null, status, check: fields.check ?? null, host: fields.host ?? null });
        }}
      />
      {error ? (
        <p role="alert" className="-mt-2 mb-3 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {active ? (
        <p className="-mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          The lists show what matches the search; the overall result is still every check&apos;s.{' '}
          <Button onClick={() => onApply({ cell: null, status: null, check: null, host: null })}>Clear the search</Button>
        </p>
      ) : null}
    </div>
  );
}

/** The run that asks no cell: the api side of the checks (mappings, host mappings). */
const CONTEXT_INPUT: { cellUuids: string[] } = { cellUuids: [] };

const cellsText = (cs: readonly CellSummary[]) => cs.map(cellLabel).join(', ');

const CHECK_COLUMNS: DataColumn<Check>[] = [
  { id: 'name', header: 'Check', rowHeader: true, sort: 'client', className: 'whitespace-nowrap', value: (c) => c.name },
  {
    id: 'result',
    header: 'Result',
    sort: 'client',
    className: 'whitespace-nowrap',
    value: (c) => RESULT_LABEL[c.result],
    cell: (c) => <Result result={c.result} />,
  },
  {
    id: 'details',
    header: 'Details',
    className: 'text-zinc-700 dark:text-zinc-300',
    value: (c) => c.details,
    cell: (c) => c.details ?? <span className="text-zinc-400">—</span>,
  },
];

const OLD_COLUMNS: DataColumn<ChecksReport['oldComputes']['tooOld'][number]>[] = [
  { id: 'host', header: 'Host', rowHeader: true, sort: 'client', value: (s) => s.host, cell: (s) => <HostLink host={s.host} /> },
  { id: 'cell', header: 'Cell', sort: 'client', value: (s) => cellLabel(s.cell), cell: (s) => <CellLink cell={s.cell} /> },
  { id: 'version', header: 'Version', sort: 'client', className: 'text-right tabular-nums', value: (s) => s.version },
];

const DOWN_COLUMNS: DataColumn<Drift['downCells'][number]>[] = [
  { id: 'cell', header: 'Cell', rowHeader: true, sort: 'client', value: (c) => cellLabel(c), cell: (c) => <CellLink cell={c} /> },
  { id: 'reason', header: 'Reason', sort: 'client', value: (c) => c.reason },
  { id: 'message', header: 'Message', className: 'font-mono text-xs', value: (c) => c.message },
  {
    id: 'elapsed_ms',
    header: 'Elapsed (ms)',
    sort: 'client',
    className: 'text-right tabular-nums',
    value: (c) => c.elapsedMs,
    cell: (c) => `${c.elapsedMs} ms`,
  },
  { id: 'not_compared', header: 'Host mappings not compared', sort: 'client', className: 'text-right tabular-nums', value: (c) => c.hostMappingsNotCompared },
  {
    id: 'last_answered',
    header: 'When it last answered',
    sort: 'client',
    className: 'text-xs',
    value: (c) => c.lastKnown?.observedAt ?? null,
    cell: (c) =>
      c.lastKnown ? (
        <StaleValue at={c.lastKnown.observedAt}>
          {plural(c.lastKnown.value.computeNodes, 'compute node')}, {plural(c.lastKnown.value.computeServices, 'nova-compute service')};{' '}
          {c.lastKnown.value.schema}
        </StaleValue>
      ) : (
        <span className="text-zinc-500">never seen answering</span>
      ),
  },
];

const SCHEMA_COLUMNS: DataColumn<Drift['schemas'][number]>[] = [
  { id: 'cell', header: 'Cell', rowHeader: true, sort: 'client', value: (s) => cellLabel(s.cell), cell: (s) => <CellLink cell={s.cell} /> },
  { id: 'state', header: 'State', sort: 'client', value: (s) => s.state },
  {
    id: 'summary',
    header: 'Summary',
    value: (s) => (s.unreadable ? `${s.summary} (${s.unreadable})` : s.summary),
    cell: (s) => (
      <>
        {s.summary}
        {s.unreadable ? <span className="block text-xs text-zinc-500">{s.unreadable}</span> : null}
      </>
    ),
  },
];

const STALE_COLUMNS: DataColumn<Drift['staleHostMappings'][number]>[] = [
  { id: 'host', header: 'Host', rowHeader: true, sort: 'client', value: (m) => m.host, cell: (m) => <HostLink host={m.host} /> },
  { id: 'cell', header: 'Cell', sort: 'client', value: (m) => cellLabel(m.cell), cell: (m) => <CellLink cell={m.cell} /> },
  { id: 'mapped_since', header: 'Mapped since', sort: 'client', value: (m) => m.createdAt, cell: (m) => (m.createdAt ? <Time value={m.createdAt} /> : '—') },
];

const WRONG_COLUMNS: DataColumn<Drift['misplacedHostMappings'][number]>[] = [
  { id: 'host', header: 'Host', rowHeader: true, sort: 'client', value: (m) => m.host, cell: (m) => <HostLink host={m.host} /> },
  { id: 'mapped_to', header: 'Mapped to', sort: 'client', value: (m) => cellLabel(m.cell), cell: (m) => <CellLink cell={m.cell} /> },
  { id: 'found_in', header: 'Found in', sort: 'client', value: (m) => cellsText(m.foundIn), cell: (m) => <CellLinks cells={m.foundIn} /> },
];

const SEVERAL_COLUMNS: DataColumn<Drift['hostsInSeveralCells'][number]>[] = [
  { id: 'host', header: 'Host', rowHeader: true, sort: 'client', value: (h) => h.host, cell: (h) => <HostLink host={h.host} /> },
  { id: 'live_in', header: 'Live in', sort: 'client', value: (h) => cellsText(h.cells), cell: (h) => <CellLinks cells={h.cells} /> },
  {
    id: 'mapped_to',
    header: 'Mapped to',
    sort: 'client',
    value: (h) => (h.mappedTo ? cellLabel(h.mappedTo) : null),
    cell: (h) => (h.mappedTo ? <CellLink cell={h.mappedTo} /> : <span className="text-zinc-500">not mapped</span>),
  },
];

const CELL0_COLUMNS: DataColumn<Drift['cell0ComputeServices'][number]>[] = [
  { id: 'host', header: 'Host', rowHeader: true, sort: 'client', className: 'font-mono text-xs', value: (s) => s.host },
  { id: 'version', header: 'Version', sort: 'client', className: 'text-right tabular-nums', value: (s) => s.version },
  { id: 'state', header: 'State', sort: 'client', value: (s) => s.state },
  { id: 'disabled', header: 'Disabled', sort: 'client', value: (s) => (s.disabled ? 'yes' : 'no') },
  { id: 'last_seen_up', header: 'Last seen up', sort: 'client', value: (s) => s.lastSeenUp, cell: (s) => (s.lastSeenUp ? <Time value={s.lastSeenUp} /> : '—') },
];

/** A check's list is shown while the search's `check:` names it (or names nothing). */
function listed(search: Search, title: string, id: string): boolean {
  const q = search.check?.toLowerCase();
  return !q || title.toLowerCase().includes(q) || id.includes(q);
}

function Report({
  report: r,
  search,
  cells,
  pending,
}: {
  report: ChecksReport;
  search: Search;
  cells: readonly CellSummary[];
  pending: readonly CellSummary[];
}) {
  const d = r.drift;
  const old = r.oldComputes;
  const asking = d.pendingCells.length;
  const f = filterReport(r, search, cells);
  // Every table's export says which cells it lacks.
  const coverage = { notAnswered: d.downCells, pending };
  const nameOf = (id: Check['id']) => r.checks.find((c) => c.id === id)?.name ?? id;
  const show = (id: Check['id'], title: string) => listed(search, `${title} ${nameOf(id)}`, id);
  return (
    <>
      <p role="status" aria-label="Overall result" className="mb-3 text-sm">
        {asking > 0 ? (
          <>
            Provisional, still asking {asking} cell{asking === 1 ? '' : 's'} ({d.pendingCells.map(cellLabel).join(', ')}): their host mappings are not compared
            yet.
          </>
        ) : (
          <>
            Overall: <Result result={r.result} />{' '}
            <span className="text-zinc-500">
              (<code>cellar status</code> exits {RESULT_CODE[r.result]})
            </span>
          </>
        )}
      </p>

      <DataTable
        label="Checks"
        prefix="check_"
        columns={CHECK_COLUMNS}
        rows={f.checks}
        rowKey={(c) => c.id}
        {...coverage}
        maxHeight="none"
        empty="No check matches the search."
      />

      <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">
        {d.unmappedComputeHosts.total > 0 ? (
          <>
            {d.unmappedComputeHosts.total} compute {d.unmappedComputeHosts.total === 1 ? 'host has' : 'hosts have'} no host mapping yet (
            {d.unmappedComputeHosts.byCell.map((c, i) => (
              <span key={c.cell.uuid}>
                {i > 0 ? ', ' : null}
                {cellLabel(c.cell)}: {c.count}
              </span>
            ))}
            ):{' '}
            <Link href="/computes" className="text-sky-700 underline underline-offset-2 dark:text-sky-400">
              see the unmapped computes
            </Link>
            .
          </>
        ) : (
          <>Every live compute host in the cells that answered has a host mapping.</>
        )}
      </p>

      {show('old_computes', 'Computes older than N-1') ? (
        <Finding
          id="old-computes"
          title="Computes older than N-1"
          count={old.tooOld.length}
          shown={f.tooOld.length}
          about={
            <>
              Minimum nova-compute service version counted: {old.minimumVersion ?? 'none (no compute services yet)'}; the oldest supported is{' '}
              {old.oldestSupported.release} ({old.oldestSupported.version}); this release is {old.current}. Deleted and forced-down services are not counted.
            </>
          }
          empty={`No nova-compute service is older than ${old.oldestSupported.release}.`}
        >
          <DataTable
            label="Computes older than N-1"
            prefix="old_"
            columns={OLD_COLUMNS}
            rows={f.tooOld}
            rowKey={(s) => `${s.cell.uuid}/${s.host}`}
            {...coverage}
          />
        </Finding>
      ) : null}

      {show('cells_answering', 'Cells that do not answer') ? (
        <Finding
          id="down-cells"
          title="Cells that do not answer"
          count={d.downCells.length}
          shown={f.downCells.length}
          about="Their hosts could not be compared with the host mappings; the other lists cover the cells that answered."
          empty={asking > 0 ? 'No cell has failed to answer so far; the others are still being asked.' : 'Every cell answered.'}
        >
          <DataTable label="Cells that do not answer" prefix="down_" columns={DOWN_COLUMNS} rows={f.downCells} rowKey={(c) => c.uuid} {...coverage} />
        </Finding>
      ) : null}

      {show('cell_schemas', 'Cell schemas not current') ? (
        <Finding
          id="schemas"
          title="Cell schemas not current"
          count={d.schemas.length}
          shown={f.schemas.length}
          about={
            <>
              A read never migrates a cell: run <code>cellar db sync --cell_uuid &lt;uuid&gt;</code> for a cell that is behind or empty.
            </>
          }
          empty="Every cell that answered has a current schema."
        >
          <DataTable label="Cell schemas not current" prefix="schema_" columns={SCHEMA_COLUMNS} rows={f.schemas} rowKey={(s) => s.cell.uuid} {...coverage} />
        </Finding>
      ) : null}

      {show('stale_host_mappings', 'Stale host mappings') ? (
        <Finding
          id="stale-host-mappings"
          title="Stale host mappings"
          count={d.staleHostMappings.length}
          shown={f.staleHostMappings.length}
          about="Host mappings whose host has no live compute node or nova-compute service in any cell that answered, usually left behind by a service delete. The scheduler still routes to them."
          empty="No stale host mappings: every mapped host is live in its cell."
        >
          <DataTable label="Stale host mappings" prefix="stale_" columns={STALE_COLUMNS} rows={f.staleHostMappings} rowKey={(m) => m.host} {...coverage} />
        </Finding>
      ) : null}

      {show('misplaced_host_mappings', 'Host mappings to the wrong cell') ? (
        <Finding
          id="misplaced-host-mappings"
          title="Host mappings to the wrong cell"
          count={d.misplacedHostMappings.length}
          shown={f.misplacedHostMappings.length}
          about="The mapping names a cell whose database does not have the host, while another cell's database does: builds for this host go to the wrong cell. Delete the mapping, then discover the host in the cell it is in."
          empty="No host mapping points away from the cell its host is in."
        >
          <DataTable
            label="Host mappings to the wrong cell"
            prefix="wrong_"
            columns={WRONG_COLUMNS}
            rows={f.misplacedHostMappings}
            rowKey={(m) => m.host}
            {...coverage}
          />
        </Finding>
      ) : null}

      {show('hosts_in_several_cells', 'Hosts in more than one cell') ? (
        <Finding
          id="hosts-in-several-cells"
          title="Hosts in more than one cell"
          count={d.hostsInSeveralCells.length}
          shown={f.hostsInSeveralCells.length}
          about="The same host name is live in several cell databases; a host mapping can name only one of them."
          empty="No host is live in more than one cell."
        >
          <DataTable
            label="Hosts in more than one cell"
            prefix="dup_"
            columns={SEVERAL_COLUMNS}
            rows={f.hostsInSeveralCells}
            rowKey={(h) => h.host}
            {...coverage}
          />
        </Finding>
      ) : null}

      {show('cell0_compute_services', 'Compute services in cell0') ? (
        <Finding
          id="cell0-compute-services"
          title="Compute services in cell0"
          count={d.cell0ComputeServices.length}
          shown={f.cell0ComputeServices.length}
          about={
            <>
              cell0 holds no hosts; nova logs &ldquo;Found compute service … in cell0; This should never happen!&rdquo;. The service&apos;s{' '}
              <code>[database]/connection</code> points at cell0&apos;s database.
            </>
          }
          empty="No nova-compute service in cell0."
        >
          <DataTable
            label="Compute services in cell0"
            prefix="c0_"
            columns={CELL0_COLUMNS}
            rows={f.cell0ComputeServices}
            rowKey={(s) => s.host}
            {...coverage}
          />
        </Finding>
      ) : null}
    </>
  );
}
