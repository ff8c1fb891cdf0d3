'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../_trpc/client';
import { Loading, Table, Td, Th } from './ui';

const gb = (mb: number) => `${(mb / 1024).toFixed(mb >= 10240 ? 0 : 1)} GiB`;

/**
 * Capacity and flavor slots (seed 001: "schedule an instance to a cell based on flavor
 * slots available"): per cell, free resources and how many more of each flavor fit,
 * computed by the scheduler's own fit function. One cell when `cellUuid` is given.
 */
export function FlavorSlots({ cellUuid }: { cellUuid?: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.boot.capacity.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (q.isPending) return <Loading what="capacity" />;
  if (q.isError) return <p role="alert" className="text-sm text-red-700">Could not compute capacity: {q.error.message}</p>;
  const cells = q.data.cells.filter((c) => (cellUuid ? c.cell.uuid === cellUuid : true));
  if (cells.length === 0) return <p className="text-sm text-zinc-500">No cell holds compute hosts (cell0 never does).</p>;
  return (
    <section aria-label="Capacity and flavor slots" className="mt-6">
      <h2 className="mb-2 text-lg font-semibold">Capacity and flavor slots</h2>
      <p className="mb-2 text-xs text-zinc-500">
        Free = total × allocation ratio − used, over hosts whose nova-compute is up and enabled and that are mapped. Slots in
        parentheses would open up once unmapped hosts are discovered.
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
              {c.figures
                ? `${c.figures.schedulable.free.vcpus} / ${gb(c.figures.schedulable.free.memoryMb)} / ${c.figures.schedulable.free.localGb} GB`
                : `down · ${c.reason}`}
            </Td>
          ))}
        </tr>
        {q.data.flavors.map((f) => (
          <tr key={f.flavorId}>
            <th scope="row" className="px-3 py-2 text-left font-medium">
              {f.name}
              <span className="ml-2 text-xs font-normal text-zinc-500">
                {f.need.vcpus} vCPU · {gb(f.need.memoryMb)} · {f.need.diskGb} GB
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
