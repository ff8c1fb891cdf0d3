'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import type { DataColumn } from '../../../_components/data-table';
import { DataTable } from '../../../_components/data-table';
import { StaleMark } from '../../../_components/stale';
import { Time, utcString } from '../../../_components/time';
import type { Resource } from '@/server/cells/cell-capacity';
import type { ComputeNodeView } from '@/server/cells/cell-detail';

const num = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const UNITS = { vcpus: '', memoryMb: ' MiB', diskGb: ' GB' } as const;
type Kind = keyof typeof UNITS;

function ResourceCell({ r, kind }: { r: Resource; kind: Kind }) {
  return (
    <>
      <span className={r.free < 0 ? 'font-medium text-red-700 dark:text-red-400' : ''}>{num.format(r.free)}</span>
      <span className="text-zinc-500">
        {' '}
        free of {num.format(r.capacity)}
        {UNITS[kind]}
      </span>
      <span className="block text-xs text-zinc-500" title={r.ratioDefaulted ? "The row has no ratio: nova's initial allocation ratio applies" : undefined}>
        {num.format(r.used)} used · {num.format(r.total)} × {num.format(r.ratio)}
        {r.ratioDefaulted ? ' (default)' : ''}
      </span>
    </>
  );
}

function mappingText(n: ComputeNodeView): string {
  if (n.hostMapping === null) return 'not mapped';
  if (n.hostMapping.thisCell) return 'mapped';
  return `mapped to another cell: ${n.hostMapping.cellName ?? n.hostMapping.cellUuid}`;
}

const resource = (kind: Kind, header: string, unit: string): DataColumn<ComputeNodeView>[] => [
  {
    id: `${kind}_free`,
    header,
    sort: 'client',
    firstDir: 'desc',
    className: 'whitespace-nowrap text-right tabular-nums',
    // What sorts and exports is what is left; the capacity and the use are their own columns.
    value: (n) => n.capacity[kind].free,
    cell: (n) => <ResourceCell r={n.capacity[kind]} kind={kind} />,
  },
  {
    id: `${kind}_capacity`,
    header: `${header} capacity${unit}`,
    sort: 'client',
    hiddenByDefault: true,
    className: 'text-right tabular-nums',
    value: (n) => n.capacity[kind].capacity,
  },
  {
    id: `${kind}_used`,
    header: `${header} used${unit}`,
    sort: 'client',
    hiddenByDefault: true,
    className: 'text-right tabular-nums',
    value: (n) => n.capacity[kind].used,
  },
  { id: `${kind}_ratio`, header: `${header} ratio`, hiddenByDefault: true, className: 'text-right tabular-nums', value: (n) => n.capacity[kind].ratio },
];

const COLUMNS: DataColumn<ComputeNodeView>[] = [
  {
    id: 'host',
    header: 'Host',
    rowHeader: true,
    always: true,
    sort: 'client',
    value: (n) => n.host,
    cell: (n) => n.host ?? <span className="italic text-zinc-500">(no host)</span>,
  },
  {
    id: 'hypervisor',
    header: 'Hypervisor',
    sort: 'client',
    value: (n) => n.hypervisorHostname,
    cell: (n) => (
      <>
        <span className="block">{n.hypervisorHostname ?? '—'}</span>
        <span className="text-xs text-zinc-500">
          {n.hypervisorType} {n.hypervisorVersion}
        </span>
      </>
    ),
  },
  { id: 'hypervisor_type', header: 'Hypervisor type', hiddenByDefault: true, value: (n) => `${n.hypervisorType} ${n.hypervisorVersion}` },
  {
    id: 'service',
    header: 'Service',
    sort: 'client',
    value: (n) =>
      n.service ? `${n.service.state}${n.service.forcedDown ? ' (forced down)' : ''}${n.service.disabled ? ', disabled' : ''}` : 'no nova-compute service',
    cell: (n) =>
      n.service ? (
        <>
          <span className={n.service.state === 'up' ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}>
            ● {n.service.state}
            {n.service.forcedDown ? ' (forced down)' : ''}
          </span>
          {n.service.lastSeenUp ? (
            <span className="block text-xs text-zinc-500">
              last seen <Time value={n.service.lastSeenUp} />
            </span>
          ) : null}
          {n.service.disabled ? (
            <span className="block text-xs text-amber-800 dark:text-amber-300">disabled{n.service.disabledReason ? `: ${n.service.disabledReason}` : ''}</span>
          ) : null}
        </>
      ) : (
        <span className="text-zinc-500">no nova-compute service</span>
      ),
  },
  { id: 'last_seen_up', header: 'Last seen up', sort: 'client', hiddenByDefault: true, value: (n) => n.service?.lastSeenUp ?? null },
  {
    id: 'disabled_reason',
    header: 'Disabled reason',
    hiddenByDefault: true,
    value: (n) => (n.service?.disabled ? (n.service.disabledReason ?? 'disabled') : null),
  },
  {
    id: 'host_mapping',
    header: 'Host mapping',
    sort: 'client',
    value: mappingText,
    cell: (n) => (
      <>
        {n.hostMapping === null ? (
          <span className="font-medium text-amber-800 dark:text-amber-300">not mapped</span>
        ) : n.hostMapping.thisCell ? (
          <span>mapped</span>
        ) : (
          <span className="font-medium text-red-700 dark:text-red-400">
            mapped to another cell:{' '}
            <Link href={`/cells/${n.hostMapping.cellUuid}`} className="underline">
              {n.hostMapping.cellName ?? n.hostMapping.cellUuid}
            </Link>
          </span>
        )}
        <span className="block text-xs text-zinc-500" title="compute_nodes.mapped is only a hint of what discover_hosts did">
          mapped flag {n.mappedFlag}
          {n.mappedFlag > 0 !== (n.hostMapping !== null) ? ' (disagrees)' : ''}
        </span>
      </>
    ),
  },
  { id: 'mapped_flag', header: 'Mapped flag', hiddenByDefault: true, value: (n) => n.mappedFlag },
  ...resource('vcpus', 'vCPUs', ''),
  ...resource('memoryMb', 'RAM', ' (MiB)'),
  ...resource('diskGb', 'Disk', ' (GB)'),
];

/** Live compute nodes with their nova-compute service, the mapped hint beside the real host mapping, and capacity. */
export function ComputeNodesTable({ nodes, label, staleAt }: { nodes: ComputeNodeView[]; label: string; staleAt?: Date | null }) {
  const { uuid } = useParams<{ uuid: string }>();
  // Shown from the cell's last answer: the export says the cell did not answer this time.
  const notAnswered = staleAt ? [{ uuid, name: label, reason: `down; compute nodes as last reported ${utcString(staleAt)}` }] : undefined;
  return (
    <section aria-label="Compute nodes" className="space-y-2">
      <h2 className="text-lg font-semibold">
        Compute nodes{' '}
        {staleAt ? (
          <span className="text-sm font-normal">
            <StaleMark at={staleAt} />
          </span>
        ) : null}
      </h2>
      {staleAt ? (
        <p className="text-xs text-zinc-600 dark:text-zinc-400">The cell does not answer: its compute nodes and their services as it last reported them.</p>
      ) : null}
      {nodes.length === 0 ? (
        <p className="rounded border border-dashed border-zinc-300 p-4 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No live compute nodes in this cell. A new compute host appears here once its nova-compute has reported; then discover it.
        </p>
      ) : (
        <DataTable
          label={`Compute nodes of cell ${label}`}
          prefix="node_"
          columns={COLUMNS}
          rows={nodes}
          rowKey={(n) => String(n.id)}
          notAnswered={notAnswered}
        />
      )}
    </section>
  );
}
