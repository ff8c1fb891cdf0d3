'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useEffect, useRef, useState } from 'react';
import { AutoRefreshControl, useAutoRefresh } from '../../_components/auto-refresh';
import { CellNotices } from '../../_components/cell-notices';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { type DataColumn, DataTable, TablePager } from '../../_components/data-table';
import { SelectField, TextField } from '../../_components/fields';
import { CELL_HOST_SEARCH_KEYS, cellHostSearch, cellSearchValue } from '../../_components/key-value-query';
import { KeyValueSearch } from '../../_components/key-value-search';
import { CellLink } from '../../_components/links';
import { coverage, retryCell, useCellsFrame, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { RequireRole } from '../../_components/require-role';
import { RestartNotice } from '../../_components/restart-notice';
import { Time } from '../../_components/time';
import { Button, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { type CellSummary, cellLabel } from '@/server/cells/contract';
import { HOST_PAGE_SIZES, type HostMappingRow, type ReachabilityReport } from '@/server/hosts/contract';
import { DEFAULT_HOST_SORT, hostsSearchParams, mappingsInput } from './search-params';

/** What a cell that does not answer means on this page. */
const DOWN_HERE = 'host mappings in this cell cannot be deleted until it answers';

export function HostsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useQueryStates(hostsSearchParams);
  const input = mappingsInput(search);
  const [target, setTarget] = useState<HostMappingRow | null>(null);
  const refresh = useAutoRefresh();
  const q = useQuery(trpc.hosts.mappings.queryOptions(input, { placeholderData: (prev) => prev, refetchInterval: refresh.interval }));
  // Which cells answer: each cell asked on its own, so a slow one holds up only its notice.
  const frame = useCellsFrame({ refetchInterval: refresh.interval });
  const reach = usePerCell<ReachabilityReport>(frame.data?.frame ?? [], (c) =>
    trpc.hosts.reachability.queryOptions({ cellUuids: [c.uuid] }, { refetchInterval: refresh.interval }),
  );
  const [deleted, setDeleted] = useState<{ host: string; cell: string; notice: string; nodesReset: number } | null>(null);
  const del = useMutation(
    trpc.hosts.deleteMapping.mutationOptions({
      onSuccess: async (r) => {
        setTarget(null);
        setDeleted({ host: r.host, cell: cellLabel(r.cell), notice: r.restartNotice, nodesReset: r.nodesReset });
        await queryClient.invalidateQueries({ queryKey: trpc.hosts.mappings.pathKey() });
      },
    }),
  );

  const cells = frame.data?.frame ?? [];
  const reachCover = coverage(reach, (d) => d.cells.flatMap((c) => (c.down ? [{ ...c.down, message: DOWN_HERE }] : [])));
  const downUuids = new Set(reachCover.down.map((c) => c.uuid));
  const retry = retryCell([reach]);
  const filtered = Boolean(input.cell || input.host);
  // Any change of filter, order or size starts again from the first page.
  const page = (patch: Partial<typeof search>) => void setSearch({ after: null, before: null, ...patch });

  const columns: DataColumn<HostMappingRow>[] = [
    { id: 'host', header: 'Host', value: (r) => r.host, sort: 'server', rowHeader: true, always: true, className: 'font-mono text-xs' },
    { id: 'cell', header: 'Cell', value: (r) => cellLabel(r.cell), cell: (r) => <CellLink cell={r.cell} />, sort: 'server' },
    { id: 'cell_uuid', header: 'Cell UUID', value: (r) => r.cell.uuid, copy: true, className: 'whitespace-nowrap font-mono text-xs' },
    {
      id: 'created_at',
      header: 'Mapped since',
      value: (r) => r.createdAt,
      cell: (r) => (r.createdAt ? <Time value={r.createdAt} /> : '—'),
      sort: 'server',
      firstDir: 'desc',
      className: 'whitespace-nowrap',
    },
    {
      id: 'actions',
      header: 'Actions',
      value: () => null,
      noExport: true,
      always: true,
      className: 'text-right',
      cell: (r) => (
        <RequireRole role="operator">
          <Button
            aria-label={`Delete host mapping ${r.host}`}
            disabled={downUuids.has(r.cell.uuid)}
            title={downUuids.has(r.cell.uuid) ? `Cell ${cellLabel(r.cell)} is not answering: its instances cannot be checked` : undefined}
            onClick={() => {
              del.reset();
              setTarget(r);
            }}
          >
            Delete
          </Button>
        </RequireRole>
      ),
    },
  ];

  return (
    <div>
      <PageHeader
        title="Host mappings"
        description="Which cell each compute host belongs to (host_mappings): nova's scheduler and conductor find a host's cell here."
      >
        {q.data ? (
          <span role="status" aria-live="polite">
            {q.data.total} host mapping{q.data.total === 1 ? '' : 's'}
            {filtered ? ' match' : ''}
          </span>
        ) : null}
        <AutoRefreshControl state={refresh} asOf={q.dataUpdatedAt ? new Date(q.dataUpdatedAt) : null} />
      </PageHeader>

      {deleted ? (
        <div className="mb-4 space-y-2" role="region" aria-label="Deleted host mapping">
          <p className="text-sm">
            Deleted the mapping of <strong>{deleted.host}</strong> to cell {deleted.cell}; {deleted.nodesReset} compute node
            {deleted.nodesReset === 1 ? '' : 's'} set back to mapped = 0.
          </p>
          <RestartNotice notice={deleted.notice} />
        </div>
      ) : null}

      {/* Which cells answer: a down cell's mappings cannot be deleted. */}
      <CellNotices down={reachCover.down} pending={reachCover.pending} answered={reachCover.answered} total={reachCover.total} {...retry} />

      <KeyValueSearch
        label="Search host mappings"
        keys={CELL_HOST_SEARCH_KEYS}
        fields={{ cell: cellSearchValue(input.cell, cells), host: input.host }}
        free={null}
        freeHelp="host names containing it"
        onSearch={(q) => {
          const r = cellHostSearch(q, cells);
          if (!r.ok) return r.error;
          page({ cell: r.cell, host: r.host });
        }}
      />

      <Filters
        cells={cells.map((c) => ({ uuid: c.uuid, name: c.name }))}
        cell={input.cell}
        host={search.host ?? ''}
        onCell={(cell) => page({ cell })}
        onHost={(host) => page({ host: host || null })}
      />

      <QueryState
        query={q}
        what="host mappings"
        errorTitle="Could not load the host mappings"
        errorActions={input.after || input.before ? <Button onClick={() => page({})}>First page</Button> : null}
        isEmpty={(d) => d.rows.length === 0}
        empty={
          filtered || input.after || input.before ? (
            'No host mappings match these filters.'
          ) : (
            <>
              No host mappings yet. Map compute hosts from{' '}
              <Link className="underline" href="/computes">
                Unmapped computes
              </Link>
              , or run <code>cellar discover_hosts</code>.
            </>
          )
        }
      >
        {(d) => (
          <>
            <DataTable
              label="Host mappings"
              columns={columns}
              rows={d.rows}
              rowKey={(r) => r.host}
              defaultSort={DEFAULT_HOST_SORT}
              onSortChange={() => page({})}
            />
            <TablePager
              label="Host mappings"
              size={input.size}
              sizes={HOST_PAGE_SIZES}
              onSize={(size) => page({ size })}
              prev={d.prevBefore ? { onClick: () => void setSearch({ after: null, before: d.prevBefore }) } : null}
              next={d.nextAfter ? { onClick: () => void setSearch({ after: d.nextAfter, before: null }) } : null}
              summary={q.isFetching ? 'Loading…' : `${d.rows.length} on this page`}
            />
          </>
        )}
      </QueryState>

      <ConfirmDialog
        open={target !== null}
        title="Delete host mapping"
        confirmLabel="Delete mapping"
        busy={del.isPending}
        error={del.error?.message ?? null}
        onCancel={() => setTarget(null)}
        onConfirm={() => target && del.mutate({ cellUuid: target.cell.uuid, host: target.host })}
      >
        {target ? (
          <>
            <p>
              Delete the mapping of host <strong className="font-mono">{target.host}</strong> to cell <strong>{cellLabel(target.cell)}</strong>?
            </p>
            <p>
              As nova-manage does, this is refused while instances are on the host. Its compute nodes go back to mapped = 0, so discover_hosts finds the host
              again. nova's schedulers keep routing to it until they get a SIGHUP.
            </p>
          </>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}

function Filters(props: { cells: CellSummary[]; cell: string | null; host: string; onCell: (cell: string | null) => void; onHost: (host: string) => void }) {
  const [text, setText] = useState(props.host);
  const { host } = props;
  // The latest callback, so a render (a refresh) does not restart the pause below.
  const onHost = useRef(props.onHost);
  onHost.current = props.onHost;
  // Typing updates the URL (and the query) once it pauses, not on every key.
  useEffect(() => {
    if (text === host) return;
    const t = setTimeout(() => onHost.current(text), 300);
    return () => clearTimeout(t);
  }, [text, host]);
  useEffect(() => setText(host), [host]);
  return (
    <div role="group" aria-label="Filter host mappings" className="mb-3 flex flex-wrap items-end gap-3 text-sm">
      <SelectField label="Cell" value={props.cell ?? ''} onChange={(e) => props.onCell(e.target.value || null)}>
        <option value="">All cells</option>
        {props.cells.map((c) => (
          <option key={c.uuid} value={c.uuid}>
            {cellLabel(c)}
          </option>
        ))}
        {props.cell && !props.cells.some((c) => c.uuid === props.cell) ? <option value={props.cell}>{props.cell}</option> : null}
      </SelectField>
      <TextField label="Host contains" type="search" value={text} onChange={(e) => setText(e.target.value)} />
    </div>
  );
}
