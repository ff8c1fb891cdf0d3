'use client';

import { type UseQueryResult, useQuery, useQueryClient } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { CellNotices, CellsAnswered } from '../../_components/cell-notices';
import { FlavorSlots } from '../../_components/flavor-slots';
import { type CellPart, type Coverage, coverage, useCellsFrame, useGrace, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { useHydrated } from '../../_components/use-hydrated';
import { AutoRefreshControl, useAutoRefresh } from '../../_components/auto-refresh';
import { Button, PageHeader } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import type { CapacityReport } from '@/server/boot/contract';
import type { DownCell } from '@/server/cells/contract';
import { type CellView, type ChecksRun, composeChecks } from '@/server/checks/contract';
import type { UnmappedComputes } from '@/server/hosts/contract';
import { CapacityCards, capacityColumn, FlavorRoom } from './capacity-cards';
import { FailuresPanel } from './failures-panel';
import { BuildRequestsPanel, ChecksPanel, UnmappedPanel } from './panels';
import { overviewSearchParams } from './search-params';

/** The checks' api side: the run that asks no cell (as on the checks page, so they share it). */
const CHECKS_CONTEXT: { cellUuids: string[] } = { cellUuids: [] };

/**
 * A query the server render started and streams: until hydration both renders show it
 * as still being asked (the answer may have arrived in between), as usePerCell does.
 */
function useStreamed<T, E>(q: UseQueryResult<T, E>): UseQueryResult<T, E> {
  const hydrated = useHydrated();
  return hydrated ? q : ({ ...q, data: undefined, isPending: true, isError: false, error: null } as unknown as UseQueryResult<T, E>);
}

/**
 * The overview: the frame (every cell mapping) at once, then each cell's capacity,
 * unmapped computes and checks facts as that cell answers, and cell0's failures and the
 * build requests beside them. One notice per cell that did not answer, whichever of its
 * parts found it down; its parts show their last-known figures meanwhile.
 */
export function OverviewView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useQueryStates(overviewSearchParams);
  const auto = useAutoRefresh();
  const every = { refetchInterval: auto.interval };
  const frame = useCellsFrame(every);
  const mappings = frame.data?.frame ?? [];
  const computeCells = mappings.filter((m) => !m.isCell0);

  const capacities = usePerCell<CapacityReport>(computeCells, (c) => trpc.boot.capacity.queryOptions({ cellUuids: [c.uuid] }, every));
  const unmapped = usePerCell<UnmappedComputes>(computeCells, (c) => trpc.hosts.unmapped.queryOptions({ cellUuids: [c.uuid] }, every));
  const checksBase = useStreamed(useQuery(trpc.checks.run.queryOptions(CHECKS_CONTEXT, every)));
  const checks = usePerCell<ChecksRun>(mappings, (c) => trpc.checks.run.queryOptions({ cellUuids: [c.uuid] }, every));
  const failures = useStreamed(useQuery(trpc.overview.failures.queryOptions({ window: search.window }, { placeholderData: (prev) => prev, ...every })));
  const ages = useStreamed(useQuery(trpc.overview.buildRequestAges.queryOptions(undefined, every)));

  const failuresDown = failures.data?.state === 'down' ? failures.data.down : [];
  const cover = mergeCoverage(
    mappings.length,
    [
      coverage(
        capacities,
        (d) => d.cells.flatMap((c) => (c.status === 'down' ? [c.down] : [])),
        (d) => d.asOf,
      ),
      coverage(
        unmapped,
        (d) => d.down,
        (d) => d.asOf,
      ),
      coverage(
        checks,
        (d) => (d.parts?.cells ?? []).flatMap((v) => (v.status === 'down' ? [v.down] : [])),
        (d) => d.asOf,
      ),
    ],
    failuresDown,
  );
  const groups: readonly (readonly CellPart<unknown>[])[] = [capacities, unmapped, checks];
  const retry = {
    onRetry: (cell: { uuid: string }) => {
      for (const parts of groups) for (const p of parts) if (p.cell.uuid === cell.uuid) p.refetch();
      if (failuresDown.some((d) => d.uuid === cell.uuid)) void failures.refetch();
    },
    retrying: (uuid: string) =>
      groups.some((parts) => parts.some((p) => p.cell.uuid === uuid && p.fetching)) || (failures.isFetching && failuresDown.some((d) => d.uuid === uuid)),
  };

  const checksReport = useChecksReport(checksBase, checks);
  const columns = capacities.map(capacityColumn);
  const firstReport = capacities.find((p) => p.data)?.data;
  const fetching =
    frame.isFetching ||
    capacities.some((p) => p.fetching) ||
    unmapped.some((p) => p.fetching) ||
    checks.some((p) => p.fetching) ||
    failures.isFetching ||
    ages.isFetching;
  const refresh = () => {
    for (const key of [
      trpc.cells.list.pathKey(),
      trpc.boot.capacity.pathKey(),
      trpc.hosts.unmapped.pathKey(),
      trpc.checks.run.pathKey(),
      trpc.overview.failures.pathKey(),
      trpc.overview.buildRequestAges.pathKey(),
    ])
      void queryClient.invalidateQueries({ queryKey: key });
  };

  return (
    <div>
      <PageHeader
        title="Overview"
        description="Every cell at a glance: capacity and flavor slots, cell0's failures over time, boots waiting, hosts to discover, checks."
      >
        {frame.data ? <CellsAnswered answered={cover.answered} total={cover.total} asOf={cover.asOf ?? frame.data.asOf} asking={cover.pending.length} /> : null}
        <AutoRefreshControl state={auto} asOf={null} />
        <Button onClick={refresh} disabled={fetching}>
          {fetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </PageHeader>

      <QueryState query={frame} what="cells" errorTitle="Could not load the cells">
        {() => (
          <>
            <CellNotices down={cover.down} pending={cover.pending} answered={cover.answered} total={cover.total} {...retry} />

            <section id="capacity" aria-labelledby="capacity-title" className="scroll-mt-4">
              <h2 id="capacity-title" className="mb-1 text-lg font-semibold">
                Capacity per cell
              </h2>
              <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
                Each bar is a resource&apos;s capacity (Σ per node ⌊total × allocation ratio⌋); used, and where the rest is free. Hover a bar for the amounts,
                or show a cell&apos;s figures as a table.
              </p>
              {search.flavor ? <FlavorRoom flavor={search.flavor} columns={columns} report={firstReport} /> : null}
              <CapacityCards columns={columns} />
              <FlavorSlots parts={capacities} />
            </section>

            <div className="mt-8 grid gap-8 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
              <FailuresPanel query={failures} window={search.window} setWindow={(w) => void setSearch({ window: w })} />
              <BuildRequestsPanel query={ages} />
            </div>

            <div className="mt-8 grid gap-8 md:grid-cols-2">
              <UnmappedPanel parts={unmapped} />
              <ChecksPanel
                report={checksReport.report}
                pending={checksReport.pending}
                error={checksBase.error ? String((checksBase.error as { message?: string }).message ?? checksBase.error) : null}
              />
            </div>
          </>
        )}
      </QueryState>
    </div>
  );
}

/** The checks composed as their cells answer (composeChecks, the same checks as the checks page and `cellar status`). */
function useChecksReport(base: UseQueryResult<ChecksRun, unknown>, parts: readonly CellPart<ChecksRun>[]) {
  const context = base.data?.parts?.context ?? null;
  const views: CellView[] = parts.map((p) => {
    const view = p.data?.parts?.cells[0];
    if (view) return view;
    if (p.error) return { cell: p.cell, status: 'down', down: { ...p.cell, reason: 'error', message: p.error.message, elapsedMs: 0 } };
    return { cell: p.cell, status: 'pending' };
  });
  const pending = views.filter((v) => v.status === 'pending').length;
  const hold = useGrace(views.length - pending, pending);
  const asOf = parts.reduce<Date | null>((at, p) => (p.data && (!at || p.data.asOf > at) ? p.data.asOf : at), base.data?.asOf ?? null);
  return { report: context && asOf && !hold ? composeChecks(context, views, asOf) : undefined, pending };
}

/** One notice per cell, whichever part found it down; a cell is answered when no part is down or still asking. */
function mergeCoverage(total: number, parts: readonly Coverage[], extraDown: readonly DownCell[]): Coverage {
  const down = new Map<string, DownCell>();
  for (const c of parts) for (const d of c.down) if (!down.has(d.uuid)) down.set(d.uuid, d);
  for (const d of extraDown) if (!down.has(d.uuid)) down.set(d.uuid, d);
  const pending = new Map<string, Coverage['pending'][number]>();
  for (const c of parts) for (const p of c.pending) if (!down.has(p.uuid)) pending.set(p.uuid, p);
  const asOf = parts.reduce<Date | null>((at, c) => (c.asOf && (!at || c.asOf > at) ? c.asOf : at), null);
  return { down: [...down.values()], pending: [...pending.values()], answered: Math.max(0, total - down.size - pending.size), total, asOf };
}
