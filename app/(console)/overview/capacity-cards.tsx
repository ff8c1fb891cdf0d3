'use client';

import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { ChartFigure, ChartImage, Legend, TableOf } from '../../_components/charts/chart-figure';
import { StackedBars } from '../../_components/charts/stacked-bars';
import { CellLink } from '../../_components/links';
import type { CellPart } from '../../_components/per-cell';
import { StaleMark } from '../../_components/stale';
import { EmptyBox, Loading } from '../../_components/ui';
import type { CapacityReport, CellCapacity, CellCapacityReportFigures } from '@/server/boot/contract';
import { cellLabel, formatAmount } from '@/server/cells/contract';
import { CAPACITY_SERIES, capacityCategories, capacityLabel, capacityRows } from './figures';

/** One cell's capacity as the page has it: now, last known (the cell is down), or why there is none. */
export type CapacityState =
  | { kind: 'asking' }
  | { kind: 'up'; figures: CellCapacityReportFigures }
  | { kind: 'stale'; figures: CellCapacityReportFigures; at: Date; reason: string }
  | { kind: 'down'; reason: string }
  | { kind: 'error'; message: string };

export interface CapacityColumn {
  uuid: string;
  label: string;
  cell: CellCapacity['cell'] | null;
  state: CapacityState;
}

export function capacityColumn(p: CellPart<CapacityReport>): CapacityColumn {
  const c = p.data?.cells[0];
  const base = { uuid: p.cell.uuid, label: c ? cellLabel(c.cell) : cellLabel(p.cell), cell: c?.cell ?? null };
  if (!p.data) return { ...base, state: p.error ? { kind: 'error', message: p.error.message } : { kind: 'asking' } };
  if (!c) return { ...base, state: { kind: 'error', message: 'no longer mapped' } };
  if (c.status === 'up') return { ...base, state: { kind: 'up', figures: c.figures } };
  if (c.lastKnown) return { ...base, state: { kind: 'stale', figures: c.lastKnown.value, at: c.lastKnown.observedAt, reason: c.down.reason } };
  return { ...base, state: { kind: 'down', reason: c.down.reason } };
}

export const columnFigures = (c: CapacityColumn) => (c.state.kind === 'up' || c.state.kind === 'stale' ? c.state.figures : null);

/**
 * Per cell, a bar per resource: used, and where the rest is free. Each card is its cell's
 * own part: it shows as that cell answers, and a down cell's card shows its last-known
 * figures marked stale, or says it has none (its notice is at the top of the page).
 */
export function CapacityCards({ columns }: { columns: readonly CapacityColumn[] }) {
  if (columns.length === 0) return <EmptyBox>No cell holds compute hosts yet (cell0 never does): create a cell and map its hosts.</EmptyBox>;
  return (
    <>
      <Legend items={CAPACITY_SERIES} label="Capacity legend" />
      <div className="mt-2 grid gap-3 md:grid-cols-2 xl:grid-cols-3">
        {columns.map((c) => (
          <CapacityCard key={c.uuid} column={c} />
        ))}
      </div>
    </>
  );
}

function CapacityCard({ column: c }: { column: CapacityColumn }) {
  const figures = columnFigures(c);
  const summary = c.cell ?? { uuid: c.uuid, name: c.label };
  const title = (
    <span className="flex flex-wrap items-baseline gap-x-2">
      <CellLink cell={summary} className="underline">
        {c.label}
      </CellLink>
      {c.cell?.disabled ? <span className="rounded bg-zinc-200 px-1.5 text-xs font-normal dark:bg-zinc-700">disabled</span> : null}
      {c.state.kind === 'stale' ? (
        <span className="text-xs font-normal">
          down ({c.state.reason}), last known figures <StaleMark at={c.state.at} />
        </span>
      ) : null}
    </span>
  );
  if (!figures) {
    return (
      <section
        aria-label={`Capacity of ${c.label}`}
        data-cell-uuid={c.uuid}
        data-state={c.state.kind}
        className="rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <p className="text-sm font-medium">{title}</p>
        <div className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          {c.state.kind === 'asking' ? (
            <Loading what={`${c.label}'s capacity`} />
          ) : c.state.kind === 'down' ? (
            <p>Did not answer ({c.state.reason}), and no figures of it are known yet.</p>
          ) : c.state.kind === 'error' ? (
            <p role="alert" className="text-red-700 dark:text-red-400">
              Could not ask it: {c.state.message}
            </p>
          ) : null}
        </div>
      </section>
    );
  }
  const rows = capacityRows(figures);
  const id = `capacity-${c.uuid}`;
  return (
    <section aria-label={`Capacity of ${c.label}`} data-cell-uuid={c.uuid} data-state={c.state.kind}>
      <ChartFigure
        id={id}
        title={title}
        description={
          <>
            {figures.nodes.total} compute node{figures.nodes.total === 1 ? '' : 's'}, {figures.schedulable.nodes} where the scheduler places
            {figures.unmapped.nodes > 0 ? `, ${figures.unmapped.nodes} awaiting discover_hosts` : ''}
            {c.cell?.disabled ? '; the cell is disabled, so the scheduler places nothing here' : ''}.
          </>
        }
        table={
          <TableOf
            label={`Capacity of ${c.label} as a table`}
            rowHeader="Resource"
            columns={[{ key: 'capacity', name: 'Capacity' }, ...CAPACITY_SERIES]}
            rows={rows.map((r) => ({
              key: r.kind,
              header: r.name,
              cells: [formatAmount(r.kind, r.capacity), ...CAPACITY_SERIES.map((s) => formatAmount(r.kind, r.amounts[s.key]))],
            }))}
          />
        }
      >
        {figures.nodes.total === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No compute nodes yet.</p>
        ) : (
          <ChartImage label={capacityLabel(c.label, rows)} className={c.state.kind === 'stale' ? 'opacity-70' : ''}>
            <StackedBars
              orientation="rows"
              categories={capacityCategories(rows)}
              series={CAPACITY_SERIES}
              size="sm"
              valueMax={100}
              valueTick={(v) => `${v} %`}
              categoryWidth={52}
            />
          </ChartImage>
        )}
      </ChartFigure>
    </section>
  );
}

/**
 * Where one flavor fits, cell by cell: the link a "No valid host" fault group offers.
 * The scheduler weighs every enabled cell's hosts at once, so the useful answer is the
 * cells side by side — which have room for the flavor now, which would once their hosts
 * are discovered, which are disabled or full — each linked to its page.
 */
export function FlavorRoom({ flavor, columns, report }: { flavor: string; columns: readonly CapacityColumn[]; report: CapacityReport | undefined }) {
  const asking = columns.some((c) => c.state.kind === 'asking');
  const clear = (
    <Link href="/overview#capacity" className="text-xs text-sky-800 underline dark:text-sky-300">
      Show every flavor
    </Link>
  );
  const ref = useRef<HTMLElement>(null);
  const ready = Boolean(report);
  useEffect(() => {
    // The link lands here (#flavor-room) before the cells have answered: the browser found
    // nothing to scroll to then, so scroll once the answer is drawn.
    if (ready && window.location.hash === '#flavor-room') ref.current?.scrollIntoView({ block: 'start' });
  }, [ready]);
  if (!report)
    return asking ? (
      <Loading what={`room for ${flavor}`} />
    ) : (
      <p role="alert" className="mb-4 text-sm text-red-700 dark:text-red-400">
        No cell&apos;s capacity could be read, so the room for {flavor} cannot be told now.
      </p>
    );
  const f = report.flavors.find((x) => x.name === flavor);
  if (!f) {
    return (
      <section
        ref={ref}
        id="flavor-room"
        aria-label={`Room for ${flavor}`}
        className="mb-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
      >
        <p>
          No enabled flavor is named <strong>{flavor}</strong> now (deleted or disabled), so no cell has slots for it: nova refuses new boots of it. The cell0
          instances keep the copy of it they were booted with. {clear}
        </p>
      </section>
    );
  }
  const rows = columns.map((c) => {
    const fig = columnFigures(c);
    const s = fig?.flavors.find((x) => x.flavorId === f.flavorId) ?? null;
    return { c, fig, s };
  });
  const couldHold = rows.filter((r) => r.s && r.s.slots > 0 && !r.c.cell?.disabled);
  const afterDiscovery = rows.filter((r) => r.s && r.s.slots === 0 && r.s.unmappedSlots > 0 && !r.c.cell?.disabled);
  const need = `${formatAmount('vcpus', f.need.vcpus)}, ${formatAmount('memoryMb', f.need.memoryMb)}, ${formatAmount('diskGb', f.need.diskGb)}`;
  return (
    <section
      ref={ref}
      id="flavor-room"
      aria-labelledby="flavor-room-title"
      className="mb-4 rounded border border-sky-300 bg-sky-50 p-3 text-sm dark:border-sky-800 dark:bg-sky-950"
    >
      <h3 id="flavor-room-title" className="font-medium">
        Room for {f.name} <span className="font-normal text-zinc-600 dark:text-zinc-400">({need} each)</span>
      </h3>
      <p className="mt-1" role="status">
        {couldHold.length > 0 ? (
          <>
            Could hold it now:{' '}
            {couldHold
              .map((r) => `${r.c.label} (${r.s!.slots} slot${r.s!.slots === 1 ? '' : 's'}${r.c.state.kind === 'stale' ? ', last known' : ''})`)
              .join(', ')}
            .
          </>
        ) : (
          <>No enabled cell has room for it now: the scheduler&apos;s NoValidHost is expected until capacity is freed or added.</>
        )}
        {afterDiscovery.length > 0 ? <> Room once discover_hosts maps their hosts: {afterDiscovery.map((r) => r.c.label).join(', ')}.</> : null} {clear}
      </p>
      <div className="mt-2 overflow-x-auto rounded border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <table aria-label={`Room for ${f.name} per cell`} className="w-full text-left text-xs">
          <thead className="bg-zinc-50 text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-2 py-1">
                Cell
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                Slots for {f.name}
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                On unmapped hosts
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                Free vCPUs / RAM / disk where the scheduler places
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ c, fig, s }) => (
              <tr key={c.uuid} data-cell-uuid={c.uuid} className="border-t border-zinc-100 dark:border-zinc-800">
                <th scope="row" className="px-2 py-1 font-normal">
                  <CellLink cell={c.cell ?? { uuid: c.uuid, name: c.label }} className="underline">
                    {c.label}
                  </CellLink>
                  {c.cell?.disabled ? ' (disabled)' : ''}
                  {c.state.kind === 'stale' ? (
                    <>
                      {' '}
                      <StaleMark at={c.state.at} />
                    </>
                  ) : null}
                </th>
                <td className="px-2 py-1 text-right tabular-nums">{s ? s.slots : stateWord(c.state)}</td>
                <td className="px-2 py-1 text-right tabular-nums">{s ? s.unmappedSlots : '—'}</td>
                <td className="px-2 py-1 text-right tabular-nums">
                  {fig
                    ? `${formatAmount('vcpus', fig.schedulable.vcpus.free)} / ${formatAmount('memoryMb', fig.schedulable.memoryMb.free)} / ${formatAmount('diskGb', fig.schedulable.diskGb.free)}`
                    : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function stateWord(s: CapacityState): string {
  if (s.kind === 'asking') return 'asking…';
  if (s.kind === 'down') return `down · ${s.reason}`;
  if (s.kind === 'error') return s.message;
  return 'unknown';
}
