'use client';

import { useQuery } from '@tanstack/react-query';
import { CellsAnswered } from '../../_components/cell-notices';
import { CellLink } from '../../_components/links';
import { QueryState } from '../../_components/query-state';
import { RequireRole } from '../../_components/require-role';
import { Time, utcString } from '../../_components/time';
import { Button, PageHeader, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import type { UnmappedCompute } from '@/server/hosts/contract';
import { DiscoverPanel } from './discover-panel';

export function ComputesView() {
  const trpc = useTRPC();
  const q = useQuery(trpc.hosts.unmapped.queryOptions());
  const multiCell = (q.data?.cells.length ?? 0) > 1;

  return (
    <div>
      <PageHeader
        title="Unmapped computes"
        description="Live compute hosts that no host mapping knows, in every cell but cell0. nova cannot place instances on them until they are mapped."
      >
        {q.data ? <CellsAnswered answered={q.data.answered} total={q.data.total} asOf={q.data.asOf} /> : null}
        <Button onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </PageHeader>

      <QueryState
        query={q}
        what="unmapped computes"
        errorTitle="Could not load the unmapped computes"
        cells={(d) => ({ down: d.down, answered: d.answered, total: d.total })}
        isEmpty={(d) => d.computes.length === 0}
        empty={(d) =>
          d.down.length === 0
            ? 'No unmapped computes: every compute host is mapped'
            : 'No unmapped computes in the cells that answered; the cells above could not be asked.'
        }
      >
        {(d) => (
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
            {d.computes.map((c) => (
              <tr key={`${c.cell.uuid}/${c.nodeUuid ?? c.hypervisorHostname}`}>
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
                </Td>
                <Td className="whitespace-nowrap">{c.waitingSince ? <Time value={c.waitingSince} /> : '—'}</Td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>

      <RequireRole role="operator">
        <DiscoverPanel cells={q.data?.cells ?? []} />
      </RequireRole>
    </div>
  );
}

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
