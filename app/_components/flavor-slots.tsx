'use client';

import { useQuery } from '@tanstack/react-query';
import { formatAmount } from '@/server/cells/contract';
import { useTRPC } from '../_trpc/client';
import { Loading, Table, Td, Th } from './ui';

/**
 * Capacity and flavor slots (seed 001: "schedule an instance to a cell based on flavor
 * slots available"): per cell, what is free where the scheduler places instances and how
 * many more of each flavor fit, from nova's capacity model (server/nova/capacity.ts) —
 * the scheduler's own figures, and the cell page's "Free where the scheduler places"
 * column. One cell when `cellUuid` is given.
 */
export function FlavorSlots({ cellUuid }: { cellUuid?: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.boot.capacity.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (q.isPending) return <Loading what="capacity" />;
  if (q.isError)
    return (
      <p role="alert" className="text-sm text-red-700">
        Could not compute capacity: {q.error.message}
      </p>
    );
  const cells = q.data.cells.filter((c) => (cellUuid ? c.cell.uuid === cellUuid : true));
  if (cells.length === 0) return <p className="text-sm text-zinc-500">No cell holds compute hosts (cell0 never does).</p>;
  const r = q.data.initialAllocationRatios;
  return (
    <section aria-label="Capacity and flavor slots" className="mt-6">
      <h2 className="mb-2 text-lg font-semibold">Capacity and flavor slots</h2>
      <p className="mb-2 text-xs text-zinc-500">
        Per node, free = ⌊total × allocation ratio⌋ − used, with the ratios the node stores (where it stores none, the initial ratios: cpu {r.cpu}, ram {r.ram},
        disk {r.disk}); summed over the hosts whose nova-compute is up and enabled and that are mapped. A slot is one more instance of the flavor fitting on one
        node. Slots in parentheses would open up once unmapped hosts are discovered.
      </p>
      <Table
        label="Flavor slots"
        head={
          <>
            <Th>Flavor</Th>
            {cells.map((c) => (
              <Th key={c.cell.uuid} className="text-right">
                {c.cell.name ?? c.cell.uuid}
                {c.cell.disabled ? ' (disabled)' : ''}
              </Th>
            ))}
          </>
        }
      >
        <tr>
          <th scope="row" className="px-3 py-2 text-left font-normal text-zinc-500">
            Free vCPUs / RAM / disk
          </th>
          {cells.map((c) => (
            <Td key={c.cell.uuid} className="text-right tabular-nums text-xs">
              {c.status === 'up'
                ? `${formatAmount('vcpus', c.figures.schedulable.vcpus.free)} / ${formatAmount('memoryMb', c.figures.schedulable.memoryMb.free)} / ${formatAmount('diskGb', c.figures.schedulable.diskGb.free)}`
                : `down · ${c.down.reason}`}
            </Td>
          ))}
        </tr>
        {q.data.flavors.map((f) => (
          <tr key={f.flavorId}>
            <th scope="row" className="px-3 py-2 text-left font-medium">
              {f.name}
              <span className="ml-2 text-xs font-normal text-zinc-500">
                {formatAmount('vcpus', f.need.vcpus)} · {formatAmount('memoryMb', f.need.memoryMb)} · {formatAmount('diskGb', f.need.diskGb)}
              </span>
            </th>
            {cells.map((c) => {
              const s = c.figures?.flavors.find((x) => x.flavorId === f.flavorId);
              return (
                <Td key={c.cell.uuid} className="text-right tabular-nums">
                  {s ? (
                    <>
                      {s.slots}
                      {s.unmappedSlots > 0 ? <span className="text-xs text-zinc-500"> (+{s.unmappedSlots})</span> : null}
                    </>
                  ) : (
                    <span className="text-zinc-500">unknown</span>
                  )}
                </Td>
              );
            })}
          </tr>
        ))}
      </Table>
    </section>
  );
}
