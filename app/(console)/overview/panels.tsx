'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { ChartFigure, ChartImage, TableOf } from '../../_components/charts/chart-figure';
import { StackedBars } from '../../_components/charts/stacked-bars';
import { CellLink } from '../../_components/links';
import type { CellPart } from '../../_components/per-cell';
import type { QueryLike } from '../../_components/query-state';
import { StaleMark } from '../../_components/stale';
import { ErrorBox, Loading } from '../../_components/ui';
import { cellLabel } from '@/server/cells/contract';
import type { CheckResult, ChecksReport } from '@/server/checks/contract';
import type { UnmappedComputes } from '@/server/hosts/contract';
import type { BuildRequestAges } from '@/server/overview/contract';
import { AGE_SERIES, ageCategories, agesLabel } from './figures';

const LINK = 'text-sky-800 underline dark:text-sky-300';

function Panel({ id, title, link, children }: { id: string; title: string; link: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`} className="min-w-0">
      <h2 id={`${id}-title`} className="mb-2 text-lg font-semibold">
        {title}
      </h2>
      {children}
      <p className="mt-2 text-xs">{link}</p>
    </section>
  );
}

/** Pending boots by how long they have waited: a conductor that stopped placing them is a bar growing on the right. */
export function BuildRequestsPanel({ query }: { query: QueryLike<BuildRequestAges> }) {
  const a = query.data;
  return (
    <Panel
      id="build-requests"
      title="Pending build requests"
      link={
        <Link href="/build-requests" className={LINK}>
          See the build requests
        </Link>
      }
    >
      {query.isPending ? (
        <Loading what="build requests" />
      ) : !a ? (
        <ErrorBox title="Could not read the build requests" message={query.error?.message ?? 'no answer'} />
      ) : (
        <ChartFigure
          id="build-request-ages"
          title={
            <>
              {a.total} pending by age
              {a.stuck > 0 ? (
                <span className="font-medium text-amber-800 dark:text-amber-300">
                  {' '}
                  · {a.stuck} stuck (older than {a.stuckAfterMinutes} minutes)
                </span>
              ) : (
                <span className="font-normal text-zinc-600 dark:text-zinc-400"> · none stuck</span>
              )}
            </>
          }
          description={a.unknownAge > 0 ? `${a.unknownAge} of them with no creation time: their age cannot be told.` : undefined}
          table={
            <TableOf
              label="Pending build requests by age as a table"
              rowHeader="Age"
              columns={[{ key: 'count', name: 'Build requests' }]}
              rows={[
                ...a.buckets.map((b) => ({ key: b.key, header: b.label, cells: [b.count] })),
                ...(a.unknownAge > 0 ? [{ key: 'unknown', header: 'unknown', cells: [a.unknownAge] }] : []),
              ]}
            />
          }
        >
          <ChartImage label={agesLabel(a)}>
            <StackedBars categories={ageCategories(a)} series={AGE_SERIES} size="md" minTickGap={0} />
          </ChartImage>
        </ChartFigure>
      )}
    </Panel>
  );
}

/** Per cell, its live compute hosts with no host mapping: what discover_hosts would map. */
export function UnmappedPanel({ parts }: { parts: readonly CellPart<UnmappedComputes>[] }) {
  const rows = parts.map((p) => {
    const d = p.data;
    const down = d?.down[0];
    if (!d) return { p, count: null, note: p.error ? 'could not ask' : 'asking…', stale: null };
    if (down) return { p, count: down.lastKnown?.value.length ?? null, note: `down · ${down.reason}`, stale: down.lastKnown?.observedAt ?? null };
    return { p, count: d.computes.length, note: null, stale: null };
  });
  const known = rows.filter((r) => r.count !== null && r.stale === null);
  const total = known.reduce((s, r) => s + r.count!, 0);
  return (
    <Panel
      id="unmapped"
      title="Unmapped computes"
      link={
        <Link href="/computes" className={LINK}>
          See the unmapped computes and discover hosts
        </Link>
      }
    >
      <p className="mb-2 text-sm" role="status">
        {known.length === rows.length
          ? total === 0
            ? 'Every live compute host is mapped.'
            : `${total} compute host${total === 1 ? '' : 's'} with no host mapping: boots placed there end in cell0 until discover_hosts maps them.`
          : `${total} in the cells that answered.`}
      </p>
      {rows.length > 0 ? (
        <table aria-label="Unmapped computes per cell" className="w-full text-left text-sm">
          <thead className="text-xs text-zinc-600 dark:text-zinc-400">
            <tr>
              <th scope="col" className="py-1 pr-2">
                Cell
              </th>
              <th scope="col" className="py-1 text-right">
                Unmapped computes
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.p.cell.uuid} data-cell-uuid={r.p.cell.uuid} className="border-t border-zinc-100 dark:border-zinc-800">
                <th scope="row" className="py-1 pr-2 font-normal">
                  <CellLink cell={r.p.cell} className="underline">
                    {cellLabel(r.p.cell)}
                  </CellLink>
                </th>
                <td className="py-1 text-right tabular-nums">
                  {r.count ?? <span className="text-zinc-600 dark:text-zinc-400">{r.note}</span>}
                  {r.stale ? (
                    <>
                      {' '}
                      <StaleMark at={r.stale} />
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Panel>
  );
}

const RESULT_STYLE: Record<CheckResult, string> = {
  success: 'text-emerald-700 dark:text-emerald-400',
  warning: 'font-medium text-amber-700 dark:text-amber-400',
  failure: 'font-medium text-red-700 dark:text-red-400',
};

/** How many of nova-status's checks and Cellar's drift checks fail or warn, each named, with the way to the checks page. */
export function ChecksPanel({ report, pending, error }: { report: ChecksReport | undefined; pending: number; error: string | null }) {
  const failing = report?.checks.filter((c) => c.result === 'failure') ?? [];
  const warning = report?.checks.filter((c) => c.result === 'warning') ?? [];
  return (
    <Panel
      id="checks"
      title="Checks"
      link={
        <Link href="/checks" className={LINK}>
          See every check
        </Link>
      }
    >
      {error ? (
        <ErrorBox title="Could not run the checks" message={error} />
      ) : !report ? (
        <Loading what="checks" />
      ) : (
        <>
          <p className="text-sm" role="status" data-failing={failing.length} data-warning={warning.length}>
            <span className={failing.length ? RESULT_STYLE.failure : ''}>{failing.length} failing</span>,{' '}
            <span className={warning.length ? RESULT_STYLE.warning : ''}>
              {warning.length} warning{warning.length === 1 ? '' : 's'}
            </span>
            , {report.checks.length - failing.length - warning.length} passing
            {pending > 0 ? ` (provisional: still asking ${pending} cell${pending === 1 ? '' : 's'})` : ''}.
          </p>
          {failing.length + warning.length > 0 ? (
            <ul aria-label="Checks that fail or warn" className="mt-2 space-y-1 text-sm">
              {[...failing, ...warning].map((c) => (
                <li key={c.id}>
                  <span className={RESULT_STYLE[c.result]}>{c.result === 'failure' ? 'Failure' : 'Warning'}</span>: {c.name}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </Panel>
  );
}
