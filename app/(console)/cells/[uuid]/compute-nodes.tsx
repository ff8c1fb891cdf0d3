'use client';

import Link from 'next/link';
import { StaleMark } from '../../../_components/stale';
import { Time } from '../../../_components/time';
import { Table, Td, Th } from '../../../_components/ui';
import type { Resource } from '@/server/cells/cell-capacity';
import type { ComputeNodeView } from '@/server/cells/cell-detail';

const num = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const UNITS = { vcpus: '', memoryMb: ' MiB', diskGb: ' GB' } as const;
type Kind = keyof typeof UNITS;

function ResourceCell({ r, kind }: { r: Resource; kind: Kind }) {
  return (
    <Td className="whitespace-nowrap text-right tabular-nums">
      <span className={r.free < 0 ? 'font-medium text-red-700 dark:text-red-400' : ''}>{num.format(r.free)}</span>
      <span className="text-zinc-600 dark:text-zinc-400">
        {' '}
        free of {num.format(r.capacity)}
        {UNITS[kind]}
      </span>
      <span
        className="block text-xs text-zinc-600 dark:text-zinc-400"
        title={r.ratioDefaulted ? "The row has no ratio: nova's initial allocation ratio applies" : undefined}
      >
        {num.format(r.used)} used · {num.format(r.total)} × {num.format(r.ratio)}
        {r.ratioDefaulted ? ' (default)' : ''}
      </span>
    </Td>
  );
}

/** Live compute nodes with their nova-compute service, the mapped hint beside the real host mapping, and capacity. */
export function ComputeNodesTable({ nodes, label, staleAt }: { nodes: ComputeNodeView[]; label: string; staleAt?: Date | null }) {
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
        <Table
          label={`Compute nodes of cell ${label}`}
          maxHeight="70vh"
          head={
            <>
              <Th>Host</Th>
              <Th>Hypervisor</Th>
              <Th>Service</Th>
              <Th>Host mapping</Th>
              <Th className="text-right">vCPUs</Th>
              <Th className="text-right">RAM</Th>
              <Th className="text-right">Disk</Th>
            </>
          }
        >
          {nodes.map((n) => (
            <tr key={n.id} data-host={n.host ?? ''}>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                {n.host ?? <span className="italic text-zinc-600 dark:text-zinc-400">(no host)</span>}
              </th>
              <Td>
                <span className="block">{n.hypervisorHostname ?? '—'}</span>
                <span className="text-xs text-zinc-600 dark:text-zinc-400">
                  {n.hypervisorType} {n.hypervisorVersion}
                </span>
              </Td>
              <Td>
                {n.service ? (
                  <>
                    <span className={n.service.state === 'up' ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}>
                      ● {n.service.state}
                      {n.service.forcedDown ? ' (forced down)' : ''}
                    </span>
                    {n.service.lastSeenUp ? (
                      <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                        last seen <Time value={n.service.lastSeenUp} />
                      </span>
                    ) : null}
                    {n.service.disabled ? (
                      <span className="block text-xs text-amber-800 dark:text-amber-300">
                        disabled{n.service.disabledReason ? `: ${n.service.disabledReason}` : ''}
                      </span>
                    ) : null}
                  </>
                ) : (
                  <span className="text-zinc-600 dark:text-zinc-400">no nova-compute service</span>
                )}
              </Td>
              <Td>
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
                <span className="block text-xs text-zinc-600 dark:text-zinc-400" title="compute_nodes.mapped is only a hint of what discover_hosts did">
                  mapped flag {n.mappedFlag}
                  {n.mappedFlag > 0 !== (n.hostMapping !== null) ? ' (disagrees)' : ''}
                </span>
              </Td>
              <ResourceCell r={n.capacity.vcpus} kind="vcpus" />
              <ResourceCell r={n.capacity.memoryMb} kind="memoryMb" />
              <ResourceCell r={n.capacity.diskGb} kind="diskGb" />
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
