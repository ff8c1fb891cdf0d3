'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { AutoRefreshControl, useAutoRefresh } from '../../_components/auto-refresh';
import { CellsAnswered } from '../../_components/cell-notices';
import { type DataColumn, DataTable } from '../../_components/data-table';
import { CELL_HOST_SEARCH_KEYS, cellHostSearch, cellSearchValue } from '../../_components/key-value-query';
import { KeyValueSearch } from '../../_components/key-value-search';
import { CellLink } from '../../_components/links';
import { coverage, retryCell, useCellsFrame, useGrace, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { RequireRole } from '../../_components/require-role';
import { StaleMark } from '../../_components/stale';
import { Time, utcString } from '../../_components/time';
import { Button, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { cellLabel } from '@/server/cells/contract';
import type { UnmappedCompute, UnmappedComputes } from '@/server/hosts/contract';
import { DiscoverPanel } from './discover-panel';
import { DiscoverySchedulePanel } from './discovery-schedule-panel';
import { cellsAsked, computesSearchParams } from './search-params';

type Row = UnmappedCompute & { staleAt?: Date };

function serviceText(s: UnmappedCompute['service']): string {
  if (!s) return 'no nova-compute service';
  const state = s.state === 'up' ? 'up' : `down${s.forcedDown ? ' (forced)' : ''}`;
  return s.disabled ? `${state}, disabled${s.disabledReason ? `: ${s.disabledReason}` : ''}` : state;
}

export function ComputesView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useQueryStates(computesSearchParams);
  const refresh = useAutoRefresh();
  // Each cell (but cell0, or only the one chosen) asked on its own: its unmapped computes show as it answers.
  const frame = useCellsFrame({ refetchInterval: refresh.interval });
  const all = frame.data?.frame ?? [];
  const cells = cellsAsked(all, search.cell);
  const parts = usePerCell<UnmappedComputes>(cells, (c) => trpc.hosts.unmapped.queryOptions({ cellUuids: [c.uuid] }, { refetchInterval: refresh.interval }));
  const cover = coverage(
    parts,
    (d) => d.down,
    (d) => d.asOf,
  );
  const hold = useGrace(cover.answered + cover.down.length, cover.pending.length);
  const answered = parts.flatMap((p) => (p.data ? [p.data] : []));
  const hostText = search.host?.trim().toLowerCase() ?? '';
  const rows: Row[] = [
    ...answered.flatMap((d) => d.computes),
    ...answered.flatMap((d) => d.down.flatMap((c) => (c.lastKnown ? c.lastKnown.value.map((u) => ({ ...u, staleAt: c.lastKnown!.observedAt })) : []))),
  ]
    .filter((c) => !hostText || c.host.toLowerCase().includes(hostText))
    .sort(byHost);
  const anyStale = rows.some((r) => r.staleAt);
  const multiCell = cells.length > 1;
  const fetching = frame.isFetching || parts.some((p) => p.fetching);
  const ready = frame.data && !hold;
  const filtered = Boolean(search.cell || hostText);

  const columns: DataColumn<Row>[] = [
    { id: 'host', header: 'Host', value: (c) => c.host, sort: 'client', rowHeader: true, always: true, className: 'font-mono text-xs' },
    { id: 'hypervisor', header: 'Hypervisor', value: (c) => c.hypervisorHostname, sort: 'client', className: 'font-mono text-xs' },
    ...(multiCell
      ? [{ id: 'cell', header: 'Cell', value: (c: Row) => cellLabel(c.cell), cell: (c: Row) => <CellLink cell={c.cell} />, sort: 'client' } as const]
      : []),
    { id: 'service', header: 'Service', value: (c) => serviceText(c.service), cell: (c) => <ServiceState service={c.service} />, sort: 'client' },
    {
      id: 'waiting_since',
      header: 'Waiting since',
      value: (c) => c.waitingSince,
      cell: (c) => (c.waitingSince ? <Time value={c.waitingSince} /> : '—'),
      sort: 'client',
      firstDir: 'asc',
      className: 'whitespace-nowrap',
    },
    ...(anyStale
      ? [
          {
            id: 'last_known',
            header: 'Last known',
            value: (c: Row) => c.staleAt ?? null,
            cell: (c: Row) => (c.staleAt ? <StaleMark at={c.staleAt} /> : 'now'),
          },
        ]
      : []),
  ];

  return (
    <div>
      <PageHeader
        title="Unmapped computes"
        description="Live compute hosts that no host mapping knows, in every cell but cell0. nova cannot place instances on them until they are mapped."
      >
        {frame.data ? <CellsAnswered answered={cover.answered} total={cover.total} asOf={cover.asOf ?? frame.data.asOf} asking={cover.pending.length} /> : null}
        <AutoRefreshControl state={refresh} asOf={null} />
        <Button onClick={() => void queryClient.invalidateQueries({ queryKey: trpc.hosts.unmapped.pathKey() })} disabled={fetching}>
          {fetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </PageHeader>

      <KeyValueSearch
        label="Search unmapped computes"
        keys={CELL_HOST_SEARCH_KEYS}
        fields={{ cell: cellSearchValue(search.cell, all), host: search.host }}
        free={null}
        freeHelp="host names containing it"
        onSearch={(q) => {
          const r = cellHostSearch(q, all, (c) => (c.isCell0 ? 'cell0 holds no compute hosts: choose another cell.' : null));
          if (!r.ok) return r.error;
          void setSearch({ cell: r.cell, host: r.host });
        }}
      />

      <QueryState
        query={{ ...frame, data: ready ? frame.data : undefined, isPending: frame.isPending || (!frame.isError && !ready) }}
        what="unmapped computes"
        errorTitle="Could not load the unmapped computes"
        cells={() => ({ ...cover, ...retryCell([parts]) })}
        isEmpty={() => rows.length === 0 && cover.pending.length === 0}
        empty={() =>
          search.cell && cells.length === 0
            ? `No cell with uuid ${search.cell} holds compute hosts.`
            : filtered
              ? 'No unmapped computes match these filters.'
              : cover.down.length === 0
                ? 'No unmapped computes: every compute host is mapped'
                : 'No unmapped computes in the cells that answered; the cells above could not be asked.'
        }
      >
        {() => (
          <DataTable
            label="Unmapped computes"
            columns={columns}
            rows={rows}
            rowKey={(c) => `${c.cell.uuid}/${c.nodeUuid ?? c.hypervisorHostname}`}
            defaultSort={{ id: 'host', dir: 'asc' }}
            rowClassName={(c) => (c.staleAt ? 'text-zinc-500' : undefined)}
            notAnswered={cover.down}
            pending={cover.pending}
          />
        )}
      </QueryState>

      <RequireRole role="operator">
        <DiscoverPanel cells={cellsAsked(all, null).map((c) => ({ uuid: c.uuid, name: c.name }))} refetchInterval={refresh.interval} />
      </RequireRole>
      {/* Everyone sees the schedule; pausing it is the operator's (the panel asks for the role). */}
      <DiscoverySchedulePanel refetchInterval={refresh.interval} />
    </div>
  );
}

const byHost = (a: UnmappedCompute, b: UnmappedCompute) =>
  a.host.localeCompare(b.host) || (a.hypervisorHostname ?? '').localeCompare(b.hypervisorHostname ?? '');

function ServiceState({ service }: { service: UnmappedCompute['service'] }) {
  if (!service) return <span className="text-zinc-500">no nova-compute service</span>;
  return (
    <span className="flex flex-wrap items-baseline gap-x-2">
      {service.state === 'up' ? (
        <span className="text-emerald-700 dark:text-emerald-400">● up</span>
      ) : (
        <span className="text-red-700 dark:text-red-400" title={service.lastHeartbeat ? `last heard from ${utcString(service.lastHeartbeat)}` : undefined}>
          ● down{service.forcedDown ? ' (forced)' : ''}
        </span>
      )}
      {service.disabled ? (
        <span className="text-amber-700 dark:text-amber-400">disabled{service.disabledReason ? `: ${service.disabledReason}` : ''}</span>
      ) : null}
    </span>
  );
}
