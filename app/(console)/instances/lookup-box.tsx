'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryState } from 'nuqs';
import { type ReactNode, useEffect, useState } from 'react';
import type { AutoRefresh } from '../../_components/auto-refresh';
import { CellNotices } from '../../_components/cell-notices';
import { CopyButton } from '../../_components/copy-button';
import type { DataColumn } from '../../_components/data-table';
import { DataTable } from '../../_components/data-table';
import { CONTROL } from '../../_components/fields';
import { CellLink } from '../../_components/links';
import { coverage, retryCell, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { Time } from '../../_components/time';
import { Button, EmptyBox, Loading } from '../../_components/ui';
import { useHydrated } from '../../_components/use-hydrated';
import { useTRPC } from '../../_trpc/client';
import { type CellMappingRow, cellLabel } from '@/server/cells/contract';
import { type LookupResult, NAME_MATCHES_PER_CELL, type NameMatch, type NameMatches } from '@/server/instances/contract';
import { instancesSearchParams, lookupKind } from './search-params';
import { StatusBadge } from './status-badge';

const HEADINGS: Record<LookupResult['kind'], string> = {
  in_cell: 'In a cell',
  not_mapped: 'Not mapped',
  not_an_instance: 'Not an instance',
  scheduling: 'Being scheduled',
  orphaned: 'Orphaned mapping',
  deleted: 'Deleted, still mapped',
  archived: 'Archived, still mapped',
  cell_down: 'Cell not answering',
};

const TONE: Record<LookupResult['kind'], string> = {
  in_cell: 'border-emerald-300 bg-emerald-50 dark:border-emerald-800 dark:bg-emerald-950',
  scheduling: 'border-sky-300 bg-sky-50 dark:border-sky-800 dark:bg-sky-950',
  not_mapped: 'border-zinc-300 bg-white dark:border-zinc-700 dark:bg-zinc-900',
  not_an_instance: 'border-zinc-300 bg-white dark:border-zinc-700 dark:bg-zinc-900',
  orphaned: 'border-amber-300 bg-amber-50 dark:border-amber-700 dark:bg-amber-950',
  deleted: 'border-amber-300 bg-amber-50 dark:border-amber-700 dark:bg-amber-950',
  archived: 'border-amber-300 bg-amber-50 dark:border-amber-700 dark:bg-amber-950',
  cell_down: 'border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950',
};

/**
 * A uuid in, where it is out: verify_instance's outcomes in plain words, with links. A
 * name in: every live instance of that name, with its cell (names are not unique).
 */
export function LookupBox({ frame, refresh }: { frame: readonly CellMappingRow[] | null; refresh: AutoRefresh }) {
  const [lookup, setLookup] = useQueryState('lookup', instancesSearchParams.lookup.withOptions({ history: 'push' }));
  const [value, setValue] = useState(lookup ?? '');
  useEffect(() => setValue(lookup ?? ''), [lookup]);
  // Typed before hydration, a uuid would be wiped by React taking over the input, and an
  // early click would submit the form natively: both wait until the page is interactive.
  const hydrated = useHydrated();
  return (
    <section aria-labelledby="lookup-heading" className="mb-6">
      <h2 id="lookup-heading" className="mb-2 text-sm font-semibold uppercase tracking-wide text-zinc-500">
        Look up an instance
      </h2>
      <form
        role="search"
        aria-label="Look up an instance"
        className="flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void setLookup(value.trim() || null);
        }}
      >
        <input
          aria-label="Instance uuid or name"
          placeholder="instance uuid (6f1c2b9e-…) or name (web-prod-01)"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          disabled={!hydrated}
          spellCheck={false}
          className={`${CONTROL} w-[26rem] max-w-full py-1.5 font-mono`}
        />
        <Button type="submit" variant="primary" disabled={!hydrated}>
          Look up
        </Button>
        {lookup ? (
          <Button
            onClick={() => {
              setValue('');
              void setLookup(null);
            }}
          >
            Clear
          </Button>
        ) : null}
      </form>
      {lookup ? <Lookup lookup={lookup} frame={frame} refresh={refresh} /> : null}
    </section>
  );
}

function Lookup({ lookup, frame, refresh }: { lookup: string; frame: readonly CellMappingRow[] | null; refresh: AutoRefresh }) {
  const kind = lookupKind(lookup);
  if ('uuid' in kind) return <LookupResultPanel uuid={kind.uuid} refresh={refresh} />;
  if (!kind.name) return null;
  // The cells to ask come with the frame.
  if (!frame) return <Loading what="the cells" />;
  return <NameMatchesPanel name={kind.name} frame={frame} refresh={refresh} />;
}

function LookupResultPanel({ uuid, refresh }: { uuid: string; refresh: AutoRefresh }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.instances.lookup.queryOptions({ uuid }, { retry: false, refetchInterval: refresh.interval }));
  return (
    <div className="mt-3">
      {/* A bad uuid is refused as it was typed: a retry cannot help that. */}
      <QueryState query={q} what="the instance" errorTitle="Could not look it up" retry={(e) => e.data?.code !== 'BAD_REQUEST'}>
        {(r) => <LookupAnswer r={r} />}
      </QueryState>
    </div>
  );
}

function LookupAnswer({ r }: { r: LookupResult }) {
  return (
    <section aria-label="Lookup result" className={`rounded border p-4 text-sm ${TONE[r.kind]}`}>
      <h3 className="text-base font-semibold">{HEADINGS[r.kind]}</h3>
      <p className="mt-1">{r.summary}</p>
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
        <Detail term="Instance">
          <span className="font-mono text-xs">{r.uuid}</span>
          <CopyButton value={r.uuid} label="Copy instance uuid" />
        </Detail>
        <Details r={r} />
        <Detail term="verify_instance">
          exit code <span className="font-mono">{r.exitCode}</span>
        </Detail>
      </dl>
    </section>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500">{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Details({ r }: { r: LookupResult }) {
  switch (r.kind) {
    case 'in_cell':
    case 'deleted':
      return (
        <>
          <Detail term="Cell">
            <CellLink cell={r.cell} />
          </Detail>
          <Detail term="Name">{r.instance.name ?? '—'}</Detail>
          <Detail term="Status">
            {r.instance.status} <span className="text-zinc-500">({r.instance.vmState ?? 'no vm_state'})</span>
          </Detail>
          <Detail term="Flavor">{r.instance.flavor ?? '—'}</Detail>
          <Detail term="Host">{r.instance.host ?? '—'}</Detail>
          <Detail term="Project">{r.instance.projectId ?? '—'}</Detail>
          <Detail term="Created">{r.instance.createdAt ? <Time value={r.instance.createdAt} /> : '—'}</Detail>
          {r.kind === 'deleted' ? <Detail term="Deleted">{r.instance.deletedAt ? <Time value={r.instance.deletedAt} /> : '—'}</Detail> : null}
        </>
      );
    case 'scheduling':
      return (
        <>
          <Detail term="Build request">
            {r.buildRequest.corrupt ? (
              <span className="font-medium text-red-700 dark:text-red-400">corrupt (its instance JSON cannot be read)</span>
            ) : (
              (r.buildRequest.name ?? '(no name)')
            )}{' '}
            ·{' '}
            <Link href="/build-requests" className="text-sky-700 underline dark:text-sky-400">
              pending build requests
            </Link>
          </Detail>
          <Detail term="Flavor">{r.buildRequest.flavor ?? '—'}</Detail>
          <Detail term="Project">{r.buildRequest.projectId}</Detail>
          <Detail term="Waiting since">{r.buildRequest.createdAt ? <Time value={r.buildRequest.createdAt} /> : '—'}</Detail>
        </>
      );
    case 'orphaned':
      return (
        <>
          <Detail term="Mapping">
            no cell, no build request · queued for delete: {r.mapping.queuedForDelete ? 'yes' : 'no'} ·{' '}
            <Link href="/build-requests" className="text-sky-700 underline dark:text-sky-400">
              pending build requests and orphans
            </Link>
          </Detail>
          <Detail term="Project">{r.mapping.projectId}</Detail>
          <Detail term="Mapped">{r.mapping.createdAt ? <Time value={r.mapping.createdAt} /> : '—'}</Detail>
        </>
      );
    case 'archived':
    case 'cell_down':
      return (
        <>
          <Detail term="Mapped to cell">
            <CellLink cell={r.cell} />
          </Detail>
          <Detail term="Project">{r.mapping.projectId}</Detail>
          <Detail term="Mapped">{r.mapping.createdAt ? <Time value={r.mapping.createdAt} /> : '—'}</Detail>
        </>
      );
    case 'not_mapped':
    case 'not_an_instance':
      return null;
  }
}

const nameColumns: DataColumn<NameMatch>[] = [
  { id: 'name', header: 'Name', rowHeader: true, sort: 'client', className: 'whitespace-nowrap', value: (m) => m.name },
  {
    id: 'uuid',
    header: 'UUID',
    always: true,
    copy: true,
    className: 'whitespace-nowrap font-mono text-xs',
    value: (m) => m.uuid,
    cell: (m) => (
      <Link href={`/instances?lookup=${m.uuid}`} className="hover:underline" data-instance-uuid={m.uuid}>
        {m.uuid}
      </Link>
    ),
  },
  { id: 'cell', header: 'Cell', sort: 'client', className: 'whitespace-nowrap', value: (m) => cellLabel(m.cell), cell: (m) => <CellLink cell={m.cell} /> },
  { id: 'status', header: 'Status', sort: 'client', value: (m) => m.status, cell: (m) => <StatusBadge status={m.status} /> },
  { id: 'host', header: 'Host', sort: 'client', className: 'text-xs', value: (m) => m.host },
  { id: 'project', header: 'Project', sort: 'client', className: 'font-mono text-xs', value: (m) => m.projectId },
  {
    id: 'created_at',
    header: 'Created',
    sort: 'client',
    firstDir: 'desc',
    className: 'whitespace-nowrap',
    value: (m) => m.createdAt,
    cell: (m) => (m.createdAt ? <Time value={m.createdAt} /> : '—'),
  },
];

/**
 * Every live instance of a name, asked of each cell on its own under the deadline: the
 * matches of the cells that answered, newest first, and a notice per cell that did not
 * (its instances cannot be searched by name: the api database keeps no names).
 */
function NameMatchesPanel({ name, frame, refresh }: { name: string; frame: readonly CellMappingRow[]; refresh: AutoRefresh }) {
  const trpc = useTRPC();
  const parts = usePerCell<NameMatches>(frame, (c) =>
    trpc.instances.findByName.queryOptions({ name, cellUuids: [c.uuid] }, { retry: false, refetchInterval: refresh.interval }),
  );
  const cov = coverage(parts, (d) => d.down);
  const matches = parts
    .flatMap((p) => p.data?.matches ?? [])
    .sort((a, b) => (b.createdAt?.getTime() ?? -Infinity) - (a.createdAt?.getTime() ?? -Infinity) || (a.uuid < b.uuid ? -1 : 1));
  const truncated = parts.flatMap((p) => p.data?.truncated ?? []);
  const retry = retryCell([parts]);
  const answeredAny = parts.some((p) => p.data);
  return (
    <section aria-label="Instances by name" className="mt-3 space-y-2 text-sm">
      <h3 className="text-base font-semibold">
        Named &ldquo;{name}&rdquo;{' '}
        <span className="text-sm font-normal text-zinc-500">
          ({matches.length} in {cov.answered} of {cov.total} cells{cov.pending.length ? `, asking ${cov.pending.length}…` : ''})
        </span>
      </h3>
      <CellNotices
        down={cov.down.map((d) => ({
          ...d,
          message: `${d.message}. Its instances cannot be searched by name until it answers: the api database keeps no names.`,
        }))}
        pending={cov.pending}
        answered={cov.answered}
        total={cov.total}
        {...retry}
      />
      {truncated.length ? (
        <p role="note" className="text-zinc-600 dark:text-zinc-400">
          More than {NAME_MATCHES_PER_CELL} instances have this name in {truncated.map(cellLabel).join(', ')}; the newest {NAME_MATCHES_PER_CELL} of each are
          listed. Search the list below by name to see them all.
        </p>
      ) : null}
      {!answeredAny && cov.pending.length > 0 ? (
        <Loading what="instances by name" />
      ) : matches.length === 0 && cov.pending.length === 0 ? (
        <EmptyBox>
          No live instance is named &ldquo;{name}&rdquo; in the cells that answered (the name is matched whole, in any case). To find a part of a name, search
          the list below with <code>name:</code>.
        </EmptyBox>
      ) : (
        <DataTable
          label={`Instances named ${name}`}
          prefix="n"
          columns={nameColumns}
          rows={matches}
          rowKey={(m) => m.uuid}
          notAnswered={cov.down}
          pending={cov.pending}
          maxHeight="40vh"
        />
      )}
    </section>
  );
}
