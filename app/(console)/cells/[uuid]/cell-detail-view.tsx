'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { type AutoRefresh, AutoRefreshControl, useAutoRefresh } from '../../../_components/auto-refresh';
import { CellNotices } from '../../../_components/cell-notices';
import { type CellPart, useCellsFrame, usePerCell } from '../../../_components/per-cell';
import { StaleMark, StaleValue } from '../../../_components/stale';
import { CopyButton } from '../../../_components/copy-button';
import { FlavorSlots } from '../../../_components/flavor-slots';
import { MapInstancesPanel } from '../../../_components/map-instances-panel';
import { QueryState } from '../../../_components/query-state';
import { RequireRole } from '../../../_components/require-role';
import { RestartNotice } from '../../../_components/restart-notice';
import { ClockTime, Time } from '../../../_components/time';
import { Button, PageHeader, Table, Td, Th } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';
import type { CapacityReport } from '@/server/boot/contract';
import { type CellDetail, type CellMappingRow, cellLabel, formatAmount, RESOURCE_KINDS, RESOURCE_NAMES } from '@/server/cells/contract';
import { CellActions, type DeletedCell } from './cell-actions';
import { ComputeNodesTable } from './compute-nodes';
import { HostMappingsTable } from './host-mappings';

export function CellDetailView({ uuid }: { uuid: string }) {
  const trpc = useTRPC();
  const [deleted, setDeleted] = useState<DeletedCell | null>(null);
  // The frame (the mappings, api database only) names the cell at once; the cell's own
  // answer (detail) and its capacity are asked at the same time.
  const auto = useAutoRefresh();
  const frame = useCellsFrame({ refetchInterval: auto.interval });
  const mapping = frame.data?.frame?.find((m) => m.uuid === uuid) ?? null;
  const q = useQuery({
    ...trpc.cells.detail.queryOptions({ uuid }, { refetchInterval: auto.interval }),
    // A cell that is not there will not appear on a retry; a deleted one must not be asked for again.
    retry: (count, err) => err.data?.code !== 'NOT_FOUND' && count < 1,
    enabled: deleted === null,
  });
  const capacityCells = deleted === null && mapping && !mapping.isCell0 ? [mapping] : [];
  const capacity = usePerCell<CapacityReport>(capacityCells, (c) =>
    trpc.boot.capacity.queryOptions({ cellUuids: [c.uuid] }, { refetchInterval: auto.interval }),
  );

  if (deleted) {
    return (
      <section aria-label="Cell deleted" className="space-y-3">
        <PageHeader title={`Cell ${deleted.label} deleted`} />
        <p role="status" className="text-sm">
          The cell mapping of <strong>{deleted.label}</strong> ({deleted.uuid}) was deleted
          {deleted.hostMappings || deleted.instanceMappings
            ? `, with ${deleted.hostMappings} host mapping${deleted.hostMappings === 1 ? '' : 's'} and ${deleted.instanceMappings} instance mapping${deleted.instanceMappings === 1 ? '' : 's'}`
            : ''}
          {deleted.computeNodesUnmapped
            ? `; ${deleted.computeNodesUnmapped} compute node${deleted.computeNodesUnmapped === 1 ? '' : 's'} set back to mapped = 0`
            : ''}
          .
        </p>
        <RestartNotice notice={deleted.notice} />
        <Link href="/" className="text-sm text-sky-700 underline dark:text-sky-400">
          Back to the cells
        </Link>
      </section>
    );
  }
  const notFound = (e: { data?: { code?: string } | null }) => e.data?.code === 'NOT_FOUND';
  const refresh = {
    run: () => {
      void q.refetch();
      for (const p of capacity) p.refetch();
    },
    busy: q.isFetching || capacity.some((p) => p.fetching),
    auto,
  };
  return (
    <QueryState
      query={q}
      what="the cell"
      loading={<Asking uuid={uuid} mapping={mapping} />}
      errorTitle={(e) => (notFound(e) ? 'Not found' : 'Could not load the cell')}
      retry={(e) => !notFound(e)}
      errorActions={
        <Link href="/" className="text-sm text-sky-700 underline dark:text-sky-400">
          Back to the cells
        </Link>
      }
    >
      {(d) => <CellPage d={d} capacity={capacity} refresh={refresh} onDeleted={setDeleted} />}
    </QueryState>
  );
}

/** The frame while the cell is being asked: its name and mapping from the api database, and the notice that it is being asked. */
function Asking({ uuid, mapping }: { uuid: string; mapping: CellMappingRow | null }) {
  return (
    <div className="space-y-6">
      <div>
        <p className="mb-1 text-sm">
          <Link href="/" className="text-sky-700 underline underline-offset-2 dark:text-sky-400">
            Cells
          </Link>
        </p>
        <PageHeader title={mapping ? (mapping.name ?? '(no name)') : uuid} />
        {mapping ? (
          <dl
            aria-label="Cell mapping"
            className="divide-y divide-zinc-100 rounded border border-zinc-200 bg-white px-3 text-sm dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
          >
            <div className={ROW}>
              <dt className="text-zinc-600 dark:text-zinc-400">UUID</dt>
              <dd className="font-mono text-xs">{mapping.uuid}</dd>
            </div>
            <div className={ROW}>
              <dt className="text-zinc-600 dark:text-zinc-400">Transport URL</dt>
              <dd className="break-all font-mono text-xs">{mapping.transportUrl ?? '—'}</dd>
            </div>
            <div className={ROW}>
              <dt className="text-zinc-600 dark:text-zinc-400">Database connection</dt>
              <dd className="break-all font-mono text-xs">{mapping.databaseConnection ?? '—'}</dd>
            </div>
            <div className={ROW}>
              <dt className="text-zinc-600 dark:text-zinc-400">Host mappings</dt>
              <dd>{mapping.hostMappings}</dd>
            </div>
          </dl>
        ) : null}
      </div>
      <CellNotices down={[]} pending={[mapping ?? { uuid, name: null }]} />
    </div>
  );
}

/** The cell's page once its detail is here. */
function CellPage({
  d,
  capacity,
  refresh,
  onDeleted,
}: {
  d: CellDetail;
  capacity: CellPart<CapacityReport>[];
  refresh: { run: () => void; busy: boolean; auto: AutoRefresh };
  onDeleted: (c: DeletedCell) => void;
}) {
  const label = cellLabel(d.cell);
  // A down cell shows what it answered last, marked stale with its time.
  const last = d.status === 'down' ? d.lastKnown : null;
  const nodes = d.computeNodes ?? last?.value.computeNodes ?? null;
  return (
    <div className="space-y-6">
      <div>
        <p className="mb-1 text-sm">
          <Link href="/" className="text-sky-700 underline underline-offset-2 dark:text-sky-400">
            Cells
          </Link>
        </p>
        <PageHeader title={d.cell.name ?? '(no name)'}>
          <span role="status" aria-live="polite">
            as of <ClockTime value={d.asOf} />
          </span>
          <AutoRefreshControl state={refresh.auto} asOf={null} />
          <Button onClick={refresh.run} disabled={refresh.busy}>
            {refresh.busy ? 'Refreshing…' : 'Refresh'}
          </Button>
        </PageHeader>
        <Summary d={d} />
      </div>

      {d.down ? <CellNotices down={[d.down]} answered={0} total={1} onRetry={refresh.run} retrying={() => refresh.busy} /> : null}

      <RequireRole role="operator">
        <CellActions detail={d} onDeleted={onDeleted} />
      </RequireRole>
      {d.status === 'up' && d.computeNodes !== null ? <MapInstancesPanel cellUuid={d.cell.uuid} cellName={d.cell.name} /> : null}

      {d.cell.isCell0 ? (
        <p className="rounded border border-zinc-200 bg-zinc-50 p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
          cell0 holds no compute hosts: it keeps the instances that could not be scheduled, and nova never maps hosts to it.
          {nodes && nodes.length > 0 ? (
            <strong className="mt-1 block text-amber-800 dark:text-amber-300">
              Yet its database has {nodes.length} compute node{nodes.length === 1 ? '' : 's'}: a misconfigured nova-compute reports to cell0.
            </strong>
          ) : null}
        </p>
      ) : null}

      {d.status === 'up' && d.computeNodes === null ? (
        <p className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          The cell database has no cell schema yet ({d.schema?.summary}); run <code>cellar db sync --cell_uuid {d.cell.uuid}</code>.
        </p>
      ) : null}

      <CellCapacity d={d} label={label} />
      {!d.cell.isCell0 && (d.status === 'down' || d.computeNodes) ? <FlavorSlots parts={capacity} /> : null}
      {nodes && !(d.cell.isCell0 && nodes.length === 0) ? <ComputeNodesTable nodes={nodes} label={label} staleAt={last?.observedAt ?? null} /> : null}
      <HostMappingsTable detail={d} />
    </div>
  );
}

/** Label and value side by side from sm up; stacked on a phone, where 12rem would leave the value no room. */
const ROW = 'grid grid-cols-1 gap-x-2 py-1 sm:grid-cols-[12rem_1fr]';

function Summary({ d }: { d: CellDetail }) {
  const row = ROW;
  const last = d.status === 'down' ? d.lastKnown : null;
  const schema = d.schema ?? last?.value.schema ?? null;
  const live = d.liveInstances ?? last?.value.liveInstances ?? null;
  return (
    <dl
      aria-label="Cell mapping"
      className="divide-y divide-zinc-100 rounded border border-zinc-200 bg-white px-3 text-sm dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className={row}>
        <dt className="text-zinc-600 dark:text-zinc-400">UUID</dt>
        <dd className="font-mono text-xs">
          {d.cell.uuid}
          <CopyButton value={d.cell.uuid} label="Copy cell uuid" />
          {d.cell.isCell0 ? <span className="ml-2 rounded bg-zinc-200 px-1.5 font-sans dark:bg-zinc-700">cell0</span> : null}
        </dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-600 dark:text-zinc-400">Transport URL</dt>
        <dd className="break-all font-mono text-xs">
          {d.cell.transportUrl ?? '—'}
          {d.cell.transportUrl ? <CopyButton value={d.cell.transportUrl} label="Copy transport URL" /> : null}
        </dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-600 dark:text-zinc-400">Database connection</dt>
        <dd className="break-all font-mono text-xs">
          {d.cell.databaseConnection ?? '—'}
          {d.cell.databaseConnection ? <CopyButton value={d.cell.databaseConnection} label="Copy database connection" /> : null}
        </dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-600 dark:text-zinc-400">Disabled</dt>
        <dd>{d.cell.disabled ? 'yes: the schedulers do not place new instances here' : 'no'}</dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-600 dark:text-zinc-400">Reachable</dt>
        <dd>
          {d.status === 'up' ? (
            <span className="text-emerald-700 dark:text-emerald-400">● up · {d.elapsedMs} ms</span>
          ) : (
            <span className="text-red-700 dark:text-red-400">
              ● down · {d.down?.reason} ({d.elapsedMs} ms)
            </span>
          )}
        </dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-600 dark:text-zinc-400">Schema</dt>
        <dd>{schema ? d.schema ? schema.summary : <StaleValue at={last!.observedAt}>{schema.summary}</StaleValue> : 'unknown (the cell did not answer)'}</dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-600 dark:text-zinc-400">Instances</dt>
        <dd>
          {live === null ? 'unknown' : d.liveInstances === null ? <StaleValue at={last!.observedAt}>{live} live</StaleValue> : `${live} live`} ·{' '}
          {d.instanceMappings} instance mapping{d.instanceMappings === 1 ? '' : 's'}
        </dd>
      </div>
      {d.cell.createdAt ? (
        <div className={row}>
          <dt className="text-zinc-600 dark:text-zinc-400">Mapped</dt>
          <dd>
            <Time value={d.cell.createdAt} />
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/**
 * The cell's capacity under nova's model (server/nova/capacity.ts): each node's figures
 * with its own ratios, summed; the last column only over the nodes the scheduler places
 * on — the figures of the cells page and of the flavor slots below.
 */
function CellCapacity({ d, label }: { d: CellDetail; label: string }) {
  const last = d.status === 'down' ? d.lastKnown : null;
  const all = d.capacity ?? last?.value.capacity ?? null;
  const schedulable = d.capacity ? d.schedulableCapacity : (last?.value.schedulableCapacity ?? null);
  const r = d.initialAllocationRatios;
  if (!all || all.nodes === 0) return null;
  return (
    <section aria-label="Capacity" className="space-y-2">
      <h2 className="text-lg font-semibold">
        Capacity{' '}
        {last && !d.capacity ? (
          <span className="text-sm font-normal">
            <StaleMark at={last.observedAt} />
          </span>
        ) : null}
      </h2>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Per node, capacity = ⌊total × allocation ratio⌋ with the ratios the node stores (where it stores none, the initial ratios: cpu {r.cpu}, ram {r.ram},
        disk {r.disk}), and free = capacity − used; a cell&apos;s figures are its nodes&apos; summed, an overcommitted node adding no free room. Over all{' '}
        {all.nodes} live compute node{all.nodes === 1 ? '' : 's'}; the last column over the {schedulable ? `${schedulable.nodes} ` : ''}
        node{schedulable?.nodes === 1 ? '' : 's'} the scheduler places on (nova-compute up and enabled, host mapped to this cell), as on the Cells page.
      </p>
      <Table
        label={`Capacity of cell ${label}`}
        head={
          <>
            <Th>Resource</Th>
            <Th className="text-right">Total</Th>
            <Th className="text-right">Capacity (× ratio)</Th>
            <Th className="text-right">Used</Th>
            <Th className="text-right">Free</Th>
            <Th className="text-right">Free where the scheduler places</Th>
          </>
        }
      >
        {RESOURCE_KINDS.map((k) => (
          <tr key={k}>
            <th scope="row" className="px-3 py-2 text-left font-medium">
              {RESOURCE_NAMES[k]}
            </th>
            <Td className="text-right tabular-nums">{formatAmount(k, all[k].total)}</Td>
            <Td className="text-right tabular-nums">{formatAmount(k, all[k].capacity)}</Td>
            <Td className="text-right tabular-nums">{formatAmount(k, all[k].used)}</Td>
            <Td className="text-right tabular-nums">{formatAmount(k, all[k].free)}</Td>
            <Td className="text-right tabular-nums font-medium">{schedulable ? formatAmount(k, schedulable[k].free) : '—'}</Td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
