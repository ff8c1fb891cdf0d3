'use client';

import { formatAmount } from '@/server/cells/contract';
import type { CapacityReport, CellCapacity, CellCapacityReportFigures } from '@/server/boot/contract';
import type { CellPart } from './per-cell';
import { StaleMark } from './stale';
import { Loading, Table, Td, Th } from './ui';

/** One column: the cell, and its figures now, or its last-known ones, or why there are none. */
interface Column {
  key: string;
  cell: CellCapacity['cell'] | null;
  label: string;
  state:
    | { kind: 'asking' }
    | { kind: 'up'; figures: CellCapacityReportFigures }
    | { kind: 'stale'; figures: CellCapacityReportFigures; at: Date }
    | { kind: 'down'; reason: string }
    | { kind: 'error'; message: string };
}

function columnOf(p: CellPart<CapacityReport>): Column {
  const c = p.data?.cells[0];
  const base = { key: p.cell.uuid, cell: c?.cell ?? null, label: c?.cell.name ?? p.cell.name ?? p.cell.uuid };
  if (!p.data) return { ...base, state: p.error ? { kind: 'error', message: p.error.message } : { kind: 'asking' } };
  if (!c) return { ...base, state: { kind: 'error', message: 'no longer mapped' } };
  if (c.status === 'up') return { ...base, state: { kind: 'up', figures: c.figures } };
  if (c.lastKnown) return { ...base, state: { kind: 'stale', figures: c.lastKnown.value, at: c.lastKnown.observedAt } };
  return { ...base, state: { kind: 'down', reason: c.down.reason } };
}

const figuresOf = (col: Column) => (col.state.kind === 'up' || col.state.kind === 'stale' ? col.state.figures : null);

/**
 * Capacity and flavor slots (seed 001: "schedule an instance to a cell based on flavor
 * slots available"): per cell, what is free where the scheduler places instances and how
 * many more of each flavor fit, from nova's capacity model (server/nova/capacity.ts) —
 * the scheduler's own figures, and the cell page's "Free where the scheduler places"
 * column. `parts`: one capacity answer per cell (the page asks each cell on its own); a
 * cell still being asked says so, a down one shows its last-known figures marked stale.
 */
export function FlavorSlots({ parts }: { parts: readonly CellPart<CapacityReport>[] }) {
  if (parts.length === 0) return <p className="text-sm text-zinc-500">No cell holds compute hosts (cell0 never does).</p>;
  const first = parts.find((p) => p.data)?.data;
  if (!first) {
    const failed = parts.find((p) => p.error);
    if (failed && parts.every((p) => p.error))
      return (
        <p role="alert" className="text-sm text-red-700">
          Could not compute capacity: {failed.error!.message}
        </p>
      );
    return <Loading what="capacity" />;
  }
  const columns = parts.map(columnOf);
  const r = first.initialAllocationRatios;
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
            {columns.map((c) => (
              <Th key={c.key} className="text-right">
                {c.label}
                {c.cell?.disabled ? ' (disabled)' : ''}
              </Th>
            ))}
          </>
        }
      >
        <tr>
          <th scope="row" className="px-3 py-2 text-left font-normal text-zinc-500">
            Free vCPUs / RAM / disk
          </th>
          {columns.map((c) => {
            const f = figuresOf(c);
            return (
              <Td key={c.key} className={`text-right tabular-nums text-xs ${c.state.kind === 'stale' ? 'text-zinc-500' : ''}`}>
                {f
                  ? `${formatAmount('vcpus', f.schedulable.vcpus.free)} / ${formatAmount('memoryMb', f.schedulable.memoryMb.free)} / ${formatAmount('diskGb', f.schedulable.diskGb.free)}`
                  : c.state.kind === 'asking'
                    ? 'asking…'
                    : c.state.kind === 'down'
                      ? `down · ${c.state.reason}`
                      : c.state.kind === 'error'
                        ? c.state.message
                        : null}
                {c.state.kind === 'stale' ? (
                  <span className="block">
                    <StaleMark at={c.state.at} />
                  </span>
                ) : null}
              </Td>
            );
          })}
        </tr>
        {first.flavors.map((flavor) => (
          <tr key={flavor.flavorId}>
            <th scope="row" className="px-3 py-2 text-left font-medium">
              {flavor.name}
              <span className="ml-2 text-xs font-normal text-zinc-500">
                {formatAmount('vcpus', flavor.need.vcpus)} · {formatAmount('memoryMb', flavor.need.memoryMb)} · {formatAmount('diskGb', flavor.need.diskGb)}
              </span>
            </th>
            {columns.map((c) => {
              const s = figuresOf(c)?.flavors.find((x) => x.flavorId === flavor.flavorId);
              return (
                <Td key={c.key} className={`text-right tabular-nums ${c.state.kind === 'stale' ? 'text-zinc-500' : ''}`}>
                  {s ? (
                    <>
                      {s.slots}
                      {s.unmappedSlots > 0 ? <span className="text-xs text-zinc-500"> (+{s.unmappedSlots})</span> : null}
                    </>
                  ) : (
                    <span className="text-zinc-500">{c.state.kind === 'asking' ? '…' : 'unknown'}</span>
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
