'use client';

import { useQuery } from '@tanstack/react-query';
import { CellNotices } from '../../_components/cell-notices';
import { ClockTime, Time, utcString } from '../../_components/time';
import { Button, EmptyBox, ErrorBox, Loading, PageHeader, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import type { UnmappedCompute } from '@/server/hosts/unmapped-computes';
import { DiscoverPanel } from './discover-panel';
import { RequireRole } from '@/app/_components/require-role';

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
        {q.data ? (
          <span role="status" aria-live="polite">
            {q.data.answered} of {q.data.total} cells answered · as of <ClockTime value={q.data.asOf} />
          </span>
        ) : null}
        <Button onClick={() => void q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </PageHeader>

      {q.isPending ? (
        <Loading what="unmapped computes" />
      ) : q.isError ? (
        <ErrorBox title="Could not load the unmapped computes" message={q.error.message} />
      ) : (
        <>
          <CellNotices down={q.data.down} answered={q.data.answered} total={q.data.total} onRetry={() => void q.refetch()} />
          {q.data.computes.length === 0 ? (
            <EmptyBox>
              {q.data.down.length === 0
                ? 'No unmapped computes: every compute host is mapped'
                : 'No unmapped computes in the cells that answered; the cells above could not be asked.'}
            </EmptyBox>
          ) : (
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
              {q.data.computes.map((c) => (
                <tr key={`${c.cell.uuid}/${c.nodeUuid ?? c.hypervisorHostname}`}>
                  <th scope="row" className="px-3 py-2 font-mono text-xs font-medium">
                    {c.host}
                  </th>
                  <Td className="font-mono text-xs">{c.hypervisorHostname ?? '—'}</Td>
                  {multiCell ? <Td>{c.cell.name ?? c.cell.uuid}</Td> : null}
                  <Td>
                    <ServiceState service={c.service} />
                  </Td>
                  <Td className="whitespace-nowrap">{c.waitingSince ? <Time value={c.waitingSince} /> : '—'}</Td>
                </tr>
              ))}
            </Table>
          )}
        </>
      )}

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
        <span className="text-amber-700 dark:text-amber-400">
          disabled{service.disabledReason ? `: ${service.disabledReason}` : ''}
        </span>
      ) : null}
    </span>
  );
}
