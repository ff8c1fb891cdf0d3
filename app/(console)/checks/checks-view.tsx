'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { CellsAnswered } from '../../_components/cell-notices';
import { CellLink, CellLinks, HostLink } from '../../_components/links';
import { retryCell, useGrace, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { StaleValue } from '../../_components/stale';
import { Time } from '../../_components/time';
import { Button, EmptyBox, PageHeader, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { cellLabel } from '@/server/cells/contract';
import { type CellView, type CheckResult, type ChecksReport, type ChecksRun, composeChecks, RESULT_CODE, RESULT_LABEL } from '@/server/checks/contract';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const RESULT_STYLE: Record<CheckResult, string> = {
  success: 'text-emerald-700 dark:text-emerald-400',
  warning: 'font-medium text-amber-700 dark:text-amber-400',
  failure: 'font-medium text-red-700 dark:text-red-400',
};

function Result({ result }: { result: CheckResult }) {
  return <span className={RESULT_STYLE[result]}>{RESULT_LABEL[result]}</span>;
}

/** One drift list: a heading, why it matters, and its table, or a calm line saying there is nothing. */
function Finding({
  id,
  title,
  about,
  count,
  empty,
  children,
}: {
  id: string;
  title: string;
  about: ReactNode;
  count: number;
  empty: string;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="mt-6">
      <h2 id={id} className="text-lg font-semibold tracking-tight">
        {title} <span className="text-sm font-normal text-zinc-500">({count})</span>
      </h2>
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">{about}</p>
      {count === 0 ? <EmptyBox>{empty}</EmptyBox> : children}
    </section>
  );
}

export function ChecksView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Checks ask every cell; they run when the page opens and when asked again, not on a timer.
  // The api side first (no cell asked), then each cell on its own, all at once; the report
  // is composed here as they answer (composeChecks, the same checks as `cellar status`).
  const base = useQuery(trpc.checks.run.queryOptions(CONTEXT_INPUT));
  const context = base.data?.parts?.context ?? null;
  const cells = context?.cellMappings ?? [];
  const parts = usePerCell<ChecksRun>(cells, (c) => trpc.checks.run.queryOptions({ cellUuids: [c.uuid] }));
  const views: CellView[] = parts.map((p) => {
    const view = p.data?.parts?.cells[0];
    if (view) return view;
    if (p.error) return { cell: p.cell, status: 'down', down: { ...p.cell, reason: 'error', message: p.error.message, elapsedMs: 0 } };
    return { cell: p.cell, status: 'pending' };
  });
  const pending = views.filter((v) => v.status === 'pending').map((v) => v.cell);
  const hold = useGrace(views.length - pending.length, pending.length);
  const asOf = parts.reduce<Date | null>((at, p) => (p.data && (!at || p.data.asOf > at) ? p.data.asOf : at), base.data?.asOf ?? null);
  const report = context && asOf && !hold ? composeChecks(context, views, asOf) : undefined;
  const fetching = base.isFetching || parts.some((p) => p.fetching);
  const retry = retryCell([parts]);

  return (
    <div>
      <PageHeader
        title="Checks"
        description={
          <>
            nova-status&apos;s cells checks, and drift between the api database and the cells that nova&apos;s tools do not report. The same checks as{' '}
            <code>cellar status</code>.
          </>
        }
      >
        {report ? <CellsAnswered answered={report.cells.answered} total={report.cells.total} asOf={report.asOf} asking={pending.length} /> : null}
        <Button
          onClick={() => void queryClient.invalidateQueries({ queryKey: trpc.checks.run.pathKey() })}
          disabled={fetching}
          aria-label="Run the checks again"
        >
          {fetching ? 'Running…' : 'Run again'}
        </Button>
      </PageHeader>

      <QueryState
        query={{ ...base, data: base.data ? report : undefined, isPending: base.isPending || (!base.isError && !report) }}
        what="checks"
        errorTitle="Could not run the checks"
        cells={(r) => ({ down: r.drift.downCells, pending, answered: r.cells.answered, total: r.cells.total, ...retry })}
      >
        {(r) => <Report report={r} />}
      </QueryState>
    </div>
  );
}

/** The run that asks no cell: the api side of the checks (mappings, host mappings). */
const CONTEXT_INPUT: { cellUuids: string[] } = { cellUuids: [] };

function Report({ report: r }: { report: ChecksReport }) {
  const d = r.drift;
  const old = r.oldComputes;
  const asking = d.pendingCells.length;
  return (
    <>
      <p role="status" aria-label="Overall result" className="mb-3 text-sm">
        {asking > 0 ? (
          <>
            Provisional, still asking {asking} cell{asking === 1 ? '' : 's'} ({d.pendingCells.map(cellLabel).join(', ')}): their host mappings are not compared
            yet.
          </>
        ) : (
          <>
            Overall: <Result result={r.result} />{' '}
            <span className="text-zinc-500">
              (<code>cellar status</code> exits {RESULT_CODE[r.result]})
            </span>
          </>
        )}
      </p>

      <Table
        label="Checks"
        head={
          <>
            <Th>Check</Th>
            <Th>Result</Th>
            <Th>Details</Th>
          </>
        }
      >
        {r.checks.map((c) => (
          <tr key={c.id} data-check={c.id}>
            <th scope="row" className="whitespace-nowrap px-3 py-2 font-medium">
              {c.name}
            </th>
            <Td className="whitespace-nowrap">
              <Result result={c.result} />
            </Td>
            <Td className="text-zinc-700 dark:text-zinc-300">{c.details ?? <span className="text-zinc-400">—</span>}</Td>
          </tr>
        ))}
      </Table>

      <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">
        {d.unmappedComputeHosts.total > 0 ? (
          <>
            {d.unmappedComputeHosts.total} compute {d.unmappedComputeHosts.total === 1 ? 'host has' : 'hosts have'} no host mapping yet (
            {d.unmappedComputeHosts.byCell.map((c, i) => (
              <span key={c.cell.uuid}>
                {i > 0 ? ', ' : null}
                {cellLabel(c.cell)}: {c.count}
              </span>
            ))}
            ):{' '}
            <Link href="/computes" className="text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
              see the unmapped computes
            </Link>
            .
          </>
        ) : (
          <>Every live compute host in the cells that answered has a host mapping.</>
        )}
      </p>

      <Finding
        id="old-computes"
        title="Computes older than N-1"
        count={old.tooOld.length}
        about={
          <>
            Minimum nova-compute service version counted: {old.minimumVersion ?? 'none (no compute services yet)'}; the oldest supported is{' '}
            {old.oldestSupported.release} ({old.oldestSupported.version}); this release is {old.current}. Deleted and forced-down services are not counted.
          </>
        }
        empty={`No nova-compute service is older than ${old.oldestSupported.release}.`}
      >
        <Table
          label="Computes older than N-1"
          head={
            <>
              <Th>Cell</Th>
              <Th>Host</Th>
              <Th className="text-right">Version</Th>
            </>
          }
        >
          {old.tooOld.map((s) => (
            <tr key={`${s.cell.uuid}/${s.host}`}>
              <Td>
                <CellLink cell={s.cell} />
              </Td>
              <Td>
                <HostLink host={s.host} />
              </Td>
              <Td className="text-right tabular-nums">{s.version}</Td>
            </tr>
          ))}
        </Table>
      </Finding>

      <Finding
        id="down-cells"
        title="Cells that do not answer"
        count={d.downCells.length}
        about="Their hosts could not be compared with the host mappings; the other lists cover the cells that answered."
        empty={asking > 0 ? 'No cell has failed to answer so far; the others are still being asked.' : 'Every cell answered.'}
      >
        <Table
          label="Cells that do not answer"
          head={
            <>
              <Th>Cell</Th>
              <Th>Reason</Th>
              <Th>Message</Th>
              <Th className="text-right">Elapsed</Th>
              <Th className="text-right">Host mappings not compared</Th>
              <Th>When it last answered</Th>
            </>
          }
        >
          {d.downCells.map((c) => (
            <tr key={c.uuid}>
              <Td>
                <CellLink cell={c} />
              </Td>
              <Td>{c.reason}</Td>
              <Td className="font-mono text-xs">{c.message}</Td>
              <Td className="text-right tabular-nums">{c.elapsedMs} ms</Td>
              <Td className="text-right tabular-nums">{c.hostMappingsNotCompared}</Td>
              <Td className="text-xs">
                {c.lastKnown ? (
                  <StaleValue at={c.lastKnown.observedAt}>
                    {plural(c.lastKnown.value.computeNodes, 'compute node')}, {plural(c.lastKnown.value.computeServices, 'nova-compute service')};{' '}
                    {c.lastKnown.value.schema}
                  </StaleValue>
                ) : (
                  <span className="text-zinc-500">never seen answering</span>
                )}
              </Td>
            </tr>
          ))}
        </Table>
      </Finding>

      <Finding
        id="schemas"
        title="Cell schemas not current"
        count={d.schemas.length}
        about={
          <>
            A read never migrates a cell: run <code>cellar db sync --cell_uuid &lt;uuid&gt;</code> for a cell that is behind or empty.
          </>
        }
        empty="Every cell that answered has a current schema."
      >
        <Table
          label="Cell schemas not current"
          head={
            <>
              <Th>Cell</Th>
              <Th>State</Th>
              <Th>Summary</Th>
            </>
          }
        >
          {d.schemas.map((s) => (
            <tr key={s.cell.uuid}>
              <Td>
                <CellLink cell={s.cell} />
              </Td>
              <Td>{s.state}</Td>
              <Td>
                {s.summary}
                {s.unreadable ? <span className="block text-xs text-zinc-500">{s.unreadable}</span> : null}
              </Td>
            </tr>
          ))}
        </Table>
      </Finding>

      <Finding
        id="stale-host-mappings"
        title="Stale host mappings"
        count={d.staleHostMappings.length}
        about="Host mappings whose host has no live compute node or nova-compute service in any cell that answered, usually left behind by a service delete. The scheduler still routes to them."
        empty="No stale host mappings: every mapped host is live in its cell."
      >
        <Table
          label="Stale host mappings"
          head={
            <>
              <Th>Cell</Th>
              <Th>Host</Th>
              <Th>Mapped since</Th>
            </>
          }
        >
          {d.staleHostMappings.map((m) => (
            <tr key={m.host}>
              <Td>
                <CellLink cell={m.cell} />
              </Td>
              <Td>
                <HostLink host={m.host} />
              </Td>
              <Td>{m.createdAt ? <Time value={m.createdAt} /> : '—'}</Td>
            </tr>
          ))}
        </Table>
      </Finding>

      <Finding
        id="misplaced-host-mappings"
        title="Host mappings to the wrong cell"
        count={d.misplacedHostMappings.length}
        about="The mapping names a cell whose database does not have the host, while another cell's database does: builds for this host go to the wrong cell. Delete the mapping, then discover the host in the cell it is in."
        empty="No host mapping points away from the cell its host is in."
      >
        <Table
          label="Host mappings to the wrong cell"
          head={
            <>
              <Th>Mapped to</Th>
              <Th>Host</Th>
              <Th>Found in</Th>
            </>
          }
        >
          {d.misplacedHostMappings.map((m) => (
            <tr key={m.host}>
              <Td>
                <CellLink cell={m.cell} />
              </Td>
              <Td>
                <HostLink host={m.host} />
              </Td>
              <Td>
                <CellLinks cells={m.foundIn} />
              </Td>
            </tr>
          ))}
        </Table>
      </Finding>

      <Finding
        id="hosts-in-several-cells"
        title="Hosts in more than one cell"
        count={d.hostsInSeveralCells.length}
        about="The same host name is live in several cell databases; a host mapping can name only one of them."
        empty="No host is live in more than one cell."
      >
        <Table
          label="Hosts in more than one cell"
          head={
            <>
              <Th>Host</Th>
              <Th>Live in</Th>
              <Th>Mapped to</Th>
            </>
          }
        >
          {d.hostsInSeveralCells.map((h) => (
            <tr key={h.host}>
              <Td>
                <HostLink host={h.host} />
              </Td>
              <Td>
                <CellLinks cells={h.cells} />
              </Td>
              <Td>{h.mappedTo ? <CellLink cell={h.mappedTo} /> : <span className="text-zinc-500">not mapped</span>}</Td>
            </tr>
          ))}
        </Table>
      </Finding>

      <Finding
        id="cell0-compute-services"
        title="Compute services in cell0"
        count={d.cell0ComputeServices.length}
        about={
          <>
            cell0 holds no hosts; nova logs &ldquo;Found compute service … in cell0; This should never happen!&rdquo;. The service&apos;s{' '}
            <code>[database]/connection</code> points at cell0&apos;s database.
          </>
        }
        empty="No nova-compute service in cell0."
      >
        <Table
          label="Compute services in cell0"
          head={
            <>
              <Th>Host</Th>
              <Th className="text-right">Version</Th>
              <Th>State</Th>
              <Th>Disabled</Th>
              <Th>Last seen up</Th>
            </>
          }
        >
          {d.cell0ComputeServices.map((s) => (
            <tr key={s.host}>
              <Td className="font-mono text-xs">{s.host}</Td>
              <Td className="text-right tabular-nums">{s.version}</Td>
              <Td>{s.state}</Td>
              <Td>{s.disabled ? 'yes' : 'no'}</Td>
              <Td>{s.lastSeenUp ? <Time value={s.lastSeenUp} /> : '—'}</Td>
            </tr>
          ))}
        </Table>
      </Finding>
    </>
  );
}
