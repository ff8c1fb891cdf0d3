'use client';

import { useQueryClient } from '@tanstack/react-query';
import { CellsAnswered } from '../../_components/cell-notices';
import { CellLink } from '../../_components/links';
import { coverage, retryCell, useCellsFrame, useGrace, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { RequireRole } from '../../_components/require-role';
import { StaleMark } from '../../_components/stale';
import { Time, utcString } from '../../_components/time';
import { Button, PageHeader, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import type { UnmappedCompute, UnmappedComputes } from '@/server/hosts/contract';
import { DiscoverPanel } from './discover-panel';

export function ComputesView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Each cell (but cell0) asked on its own: its unmapped computes show as it answers.
  const frame = useCellsFrame();
  const cells = (frame.data?.frame ?? []).filter((c) => !c.isCell0);
  const parts = usePerCell<UnmappedComputes>(cells, (c) => trpc.hosts.unmapped.queryOptions({ cellUuids: [c.uuid] }));
  const cover = coverage(
    parts,
    (d) => d.down,
    (d) => d.asOf,
  );
  const hold = useGrace(cover.answered + cover.down.length, cover.pending.length);
  const answered = parts.flatMap((p) => (p.data ? [p.data] : []));
  const computes = answered.flatMap((d) => d.computes).sort(byHost);
  const stale: (UnmappedCompute & { staleAt?: Date })[] = answered.flatMap((d) =>
    d.down.flatMap((c) => (c.lastKnown ? c.lastKnown.value.map((u) => ({ ...u, staleAt: c.lastKnown!.observedAt })) : [])),
  );
  const multiCell = cells.length > 1;
  const fetching = frame.isFetching || parts.some((p) => p.fetching);
  const ready = frame.data && !hold;

  return (
    <div>
      <PageHeader
        title="Unmapped computes"
        description="Live compute hosts that no host mapping knows, in every cell but cell0. nova cannot place instances on them until they are mapped."
      >
        {frame.data ? <CellsAnswered answered={cover.answered} total={cover.total} asOf={cover.asOf ?? frame.data.asOf} asking={cover.pending.length} /> : null}
        <Button onClick={() => void queryClient.invalidateQueries({ queryKey: trpc.hosts.unmapped.pathKey() })} disabled={fetching}>
          {fetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </PageHeader>

      <QueryState
        query={{ ...frame, data: ready ? frame.data : undefined, isPending: frame.isPending || (!frame.isError && !ready) }}
        what="unmapped computes"
        errorTitle="Could not load the unmapped computes"
        cells={() => ({ ...cover, ...retryCell([parts]) })}
        isEmpty={() => computes.length === 0 && stale.length === 0 && cover.pending.length === 0}
        empty={() =>
          cover.down.length === 0
            ? 'No unmapped computes: every compute host is mapped'
            : 'No unmapped computes in the cells that answered; the cells above could not be asked.'
        }
      >
        {() => (
          <Table
            label="Unmapped computes"
            head={
              <>
                <Th>Host</Th>
                <Th>Hypervisor</Th>
                {multiCell ? <Th>Cell</Th> : null}
                <Th>Service</Th>
                <Th>Waiting since</Th>
              </>
            }
          >
            {[...computes, ...stale].map((c: UnmappedCompute & { staleAt?: Date }) => (
              <tr key={`${c.cell.uuid}/${c.nodeUuid ?? c.hypervisorHostname}`} className={c.staleAt ? 'text-zinc-500' : undefined}>
                <th scope="row" className="px-3 py-2 font-mono text-xs font-medium">
                  {c.host}
                </th>
                <Td className="font-mono text-xs">{c.hypervisorHostname ?? '—'}</Td>
                {multiCell ? (
                  <Td>
                    <CellLink cell={c.cell} />
                  </Td>
                ) : null}
                <Td>
                  <ServiceState service={c.service} />
                  {c.staleAt ? (
                    <span className="block">
                      <StaleMark at={c.staleAt} />
                    </span>
                  ) : null}
                </Td>
                <Td className="whitespace-nowrap">{c.waitingSince ? <Time value={c.waitingSince} /> : '—'}</Td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>

      <RequireRole role="operator">
        <DiscoverPanel cells={cells.map((c) => ({ uuid: c.uuid, name: c.name }))} />
      </RequireRole>
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
