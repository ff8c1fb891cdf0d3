'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { CellNotices } from '../../../_components/cell-notices';
import { CopyButton } from '../../../_components/copy-button';
import { FlavorSlots } from '../../../_components/flavor-slots';
import { MapInstancesPanel } from '../../../_components/map-instances-panel';
import { QueryState } from '../../../_components/query-state';
import { RequireRole } from '../../../_components/require-role';
import { RestartNotice } from '../../../_components/restart-notice';
import { ClockTime, Time } from '../../../_components/time';
import { Button, PageHeader, Table, Td, Th } from '../../../_components/ui';
import { useTRPC } from '../../../_trpc/client';
import { type CellDetail, cellLabel, formatAmount, RESOURCE_KINDS, RESOURCE_NAMES } from '@/server/cells/contract';
import { CellActions, type DeletedCell } from './cell-actions';
import { ComputeNodesTable } from './compute-nodes';
import { HostMappingsTable } from './host-mappings';

export function CellDetailView({ uuid }: { uuid: string }) {
  const trpc = useTRPC();
  const [deleted, setDeleted] = useState<DeletedCell | null>(null);
  const q = useQuery({
    ...trpc.cells.detail.queryOptions({ uuid }),
    // A cell that is not there will not appear on a retry; a deleted one must not be asked for again.
    retry: (count, err) => err.data?.code !== 'NOT_FOUND' && count < 1,
    enabled: deleted === null,
  });

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
  return (
    <QueryState
      query={q}
      what="the cell"
      errorTitle={(e) => (notFound(e) ? 'Not found' : 'Could not load the cell')}
      retry={(e) => !notFound(e)}
      errorActions={
        <Link href="/" className="text-sm text-sky-700 underline dark:text-sky-400">
          Back to the cells
        </Link>
      }
    >
      {(d) => <CellPage d={d} refresh={{ run: () => void q.refetch(), busy: q.isFetching }} onDeleted={setDeleted} />}
    </QueryState>
  );
}

/** The cell's page once its detail is here. */
function CellPage({ d, refresh, onDeleted }: { d: CellDetail; refresh: { run: () => void; busy: boolean }; onDeleted: (c: DeletedCell) => void }) {
  const label = cellLabel(d.cell);
  return (
    <div className="space-y-6">
      <div>
        <p className="mb-1 text-sm">
          <Link href="/" className="text-zinc-600 underline dark:text-zinc-400">
            Cells
          </Link>
        </p>
        <PageHeader title={d.cell.name ?? '(no name)'}>
          <span role="status" aria-live="polite">
            as of <ClockTime value={d.asOf} />
          </span>
          <Button onClick={refresh.run} disabled={refresh.busy}>
            {refresh.busy ? 'Refreshing…' : 'Refresh'}
          </Button>
        </PageHeader>
        <Summary d={d} />
      </div>

      {d.down ? <CellNotices down={[d.down]} answered={0} total={1} onRetry={refresh.run} /> : null}

      <RequireRole role="operator">
        <CellActions detail={d} onDeleted={onDeleted} />
      </RequireRole>
      {d.status === 'up' && d.computeNodes !== null ? <MapInstancesPanel cellUuid={d.cell.uuid} cellName={d.cell.name} /> : null}

      {d.cell.isCell0 ? (
        <p className="rounded border border-zinc-200 bg-zinc-50 p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
          cell0 holds no compute hosts: it keeps the instances that could not be scheduled, and nova never maps hosts to it.
          {d.computeNodes && d.computeNodes.length > 0 ? (
            <strong className="mt-1 block text-amber-800 dark:text-amber-300">
              Yet its database has {d.computeNodes.length} compute node{d.computeNodes.length === 1 ? '' : 's'}: a misconfigured nova-compute reports to cell0.
            </strong>
          ) : null}
        </p>
      ) : null}

      {d.status === 'up' && d.computeNodes === null ? (
        <p className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          The cell database has no cell schema yet ({d.schema?.summary}); run <code>cellar db sync --cell_uuid {d.cell.uuid}</code>.
        </p>
      ) : null}

      {d.capacity && d.capacity.nodes > 0 ? <CellCapacity d={d} label={label} /> : null}
      {!d.cell.isCell0 && d.status === 'up' && d.computeNodes ? <FlavorSlots cellUuid={d.cell.uuid} /> : null}
      {d.computeNodes && !(d.cell.isCell0 && d.computeNodes.length === 0) ? <ComputeNodesTable nodes={d.computeNodes} label={label} /> : null}
      <HostMappingsTable detail={d} />
    </div>
  );
}

function Summary({ d }: { d: CellDetail }) {
  const row = 'grid grid-cols-[12rem_1fr] gap-2 py-1';
  return (
    <dl
      aria-label="Cell mapping"
      className="divide-y divide-zinc-100 rounded border border-zinc-200 bg-white px-3 text-sm dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className={row}>
        <dt className="text-zinc-500">UUID</dt>
        <dd className="font-mono text-xs">
          {d.cell.uuid}
          <CopyButton value={d.cell.uuid} label="Copy cell uuid" />
          {d.cell.isCell0 ? <span className="ml-2 rounded bg-zinc-200 px-1.5 font-sans dark:bg-zinc-700">cell0</span> : null}
        </dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-500">Transport URL</dt>
        <dd className="break-all font-mono text-xs">{d.cell.transportUrl ?? '—'}</dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-500">Database connection</dt>
        <dd className="break-all font-mono text-xs">{d.cell.databaseConnection ?? '—'}</dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-500">Disabled</dt>
        <dd>{d.cell.disabled ? 'yes: the schedulers do not place new instances here' : 'no'}</dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-500">Reachable</dt>
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
        <dt className="text-zinc-500">Schema</dt>
        <dd>{d.schema ? d.schema.summary : 'unknown (the cell did not answer)'}</dd>
      </div>
      <div className={row}>
        <dt className="text-zinc-500">Instances</dt>
        <dd>
          {d.liveInstances === null ? 'unknown' : `${d.liveInstances} live`} · {d.instanceMappings} instance mapping{d.instanceMappings === 1 ? '' : 's'}
        </dd>
      </div>
      {d.cell.createdAt ? (
        <div className={row}>
          <dt className="text-zinc-500">Mapped</dt>
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
  const all = d.capacity!;
  const schedulable = d.schedulableCapacity;
  const r = d.initialAllocationRatios;
  return (
    <section aria-label="Capacity" className="space-y-2">
      <h2 className="text-lg font-semibold">Capacity</h2>
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
