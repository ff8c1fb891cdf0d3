'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useEffect, useRef, useState } from 'react';
import { CellNotices } from '../../_components/cell-notices';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { CopyButton } from '../../_components/copy-button';
import { SelectField, TextField } from '../../_components/fields';
import { CellLink } from '../../_components/links';
import { coverage, retryCell, useCellsFrame, usePerCell } from '../../_components/per-cell';
import { QueryState } from '../../_components/query-state';
import { RequireRole } from '../../_components/require-role';
import { RestartNotice } from '../../_components/restart-notice';
import { Time } from '../../_components/time';
import { Button, PageHeader, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { type CellSummary, cellLabel } from '@/server/cells/contract';
import { HOST_PAGE_SIZES, type HostMappingRow, type ReachabilityReport } from '@/server/hosts/contract';
import { hostsSearchParams, mappingsInput } from './search-params';

/** What a cell that does not answer means on this page. */
const DOWN_HERE = 'host mappings in this cell cannot be deleted until it answers';

export function HostsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useQueryStates(hostsSearchParams);
  const input = mappingsInput(search);
  const q = useQuery(trpc.hosts.mappings.queryOptions(input, { placeholderData: (prev) => prev }));
  // Which cells answer: each cell asked on its own, so a slow one holds up only its notice.
  const frame = useCellsFrame();
  const reach = usePerCell<ReachabilityReport>(frame.data?.frame ?? [], (c) => trpc.hosts.reachability.queryOptions({ cellUuids: [c.uuid] }));
  const [target, setTarget] = useState<HostMappingRow | null>(null);
  const [deleted, setDeleted] = useState<{ host: string; cell: string; notice: string; nodesReset: number } | null>(null);
  const del = useMutation(
    trpc.hosts.deleteMapping.mutationOptions({
      onSuccess: async (r) => {
        setTarget(null);
        setDeleted({ host: r.host, cell: cellLabel(r.cell), notice: r.restartNotice, nodesReset: r.nodesReset });
        await queryClient.invalidateQueries({ queryKey: trpc.hosts.mappings.pathKey() });
      },
    }),
  );

  const cells = frame.data?.frame ?? [];
  const reachCover = coverage(reach, (d) => d.cells.flatMap((c) => (c.down ? [{ ...c.down, message: DOWN_HERE }] : [])));
  const downUuids = new Set(reachCover.down.map((c) => c.uuid));
  const retry = retryCell([reach]);
  const filtered = Boolean(input.cell || input.host);
  const page = (patch: Partial<typeof search>) => void setSearch({ after: null, before: null, ...patch });

  return (
    <div>
      <PageHeader
        title="Host mappings"
        description="Which cell each compute host belongs to (host_mappings): nova's scheduler and conductor find a host's cell here."
      >
        {q.data ? (
          <span role="status" aria-live="polite">
            {q.data.total} host mapping{q.data.total === 1 ? '' : 's'}
            {filtered ? ' match' : ''}
          </span>
        ) : null}
      </PageHeader>

      {deleted ? (
        <div className="mb-4 space-y-2" role="region" aria-label="Deleted host mapping">
          <p className="text-sm">
            Deleted the mapping of <strong>{deleted.host}</strong> to cell {deleted.cell}; {deleted.nodesReset} compute node
            {deleted.nodesReset === 1 ? '' : 's'} set back to mapped = 0.
          </p>
          <RestartNotice notice={deleted.notice} />
        </div>
      ) : null}

      {/* Which cells answer: a down cell's mappings cannot be deleted. */}
      <CellNotices down={reachCover.down} pending={reachCover.pending} answered={reachCover.answered} total={reachCover.total} {...retry} />

      <Filters
        cells={cells.map((c) => ({ uuid: c.uuid, name: c.name }))}
        cell={input.cell}
        host={search.host ?? ''}
        size={search.size}
        onCell={(cell) => page({ cell })}
        onHost={(host) => page({ host: host || null })}
        onSize={(size) => page({ size })}
      />

      <QueryState
        query={q}
        what="host mappings"
        errorTitle="Could not load the host mappings"
        isEmpty={(d) => d.rows.length === 0}
        empty={
          filtered || input.after || input.before ? (
            'No host mappings match these filters.'
          ) : (
            <>
              No host mappings yet. Map compute hosts from{' '}
              <Link className="underline" href="/computes">
                Unmapped computes
              </Link>
              , or run <code>cellar discover_hosts</code>.
            </>
          )
        }
      >
        {(d) => (
          <>
            <Table
              label="Host mappings"
              head={
                <>
                  <Th>Host</Th>
                  <Th>Cell</Th>
                  <Th>Cell UUID</Th>
                  <Th>Mapped since</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </>
              }
            >
              {d.rows.map((r) => (
                <tr key={r.host}>
                  <th scope="row" className="px-3 py-2 font-mono text-xs font-medium">
                    {r.host}
                  </th>
                  <Td>
                    <CellLink cell={r.cell} />
                  </Td>
                  <Td className="whitespace-nowrap font-mono text-xs">
                    {r.cell.uuid}
                    <CopyButton value={r.cell.uuid} label={`Copy uuid of cell ${cellLabel(r.cell)}`} />
                  </Td>
                  <Td className="whitespace-nowrap">{r.createdAt ? <Time value={r.createdAt} /> : '—'}</Td>
                  <Td className="text-right">
                    <RequireRole role="operator">
                      <Button
                        aria-label={`Delete host mapping ${r.host}`}
                        disabled={downUuids.has(r.cell.uuid)}
                        title={downUuids.has(r.cell.uuid) ? `Cell ${cellLabel(r.cell)} is not answering: its instances cannot be checked` : undefined}
                        onClick={() => {
                          del.reset();
                          setTarget(r);
                        }}
                      >
                        Delete
                      </Button>
                    </RequireRole>
                  </Td>
                </tr>
              ))}
            </Table>
            <nav aria-label="Pages" className="mt-3 flex items-center gap-2 text-sm">
              <Button disabled={!input.after && !input.before} onClick={() => page({})}>
                First page
              </Button>
              <Button disabled={!d.prevBefore} onClick={() => void setSearch({ after: null, before: d.prevBefore })}>
                Previous page
              </Button>
              <Button disabled={!d.nextAfter} onClick={() => void setSearch({ after: d.nextAfter, before: null })}>
                Next page
              </Button>
              {q.isFetching ? <span className="text-zinc-500">Loading…</span> : null}
            </nav>
          </>
        )}
      </QueryState>

      <ConfirmDialog
        open={target !== null}
        title="Delete host mapping"
        confirmLabel="Delete mapping"
        busy={del.isPending}
        error={del.error?.message ?? null}
        onCancel={() => setTarget(null)}
        onConfirm={() => target && del.mutate({ cellUuid: target.cell.uuid, host: target.host })}
      >
        {target ? (
          <>
            <p>
              Delete the mapping of host <strong className="font-mono">{target.host}</strong> to cell <strong>{cellLabel(target.cell)}</strong>?
            </p>
            <p>
              As nova-manage does, this is refused while instances are on the host. Its compute nodes go back to mapped = 0, so discover_hosts finds the host
              again. nova's schedulers keep routing to it until they get a SIGHUP.
            </p>
          </>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}

function Filters(props: {
  cells: CellSummary[];
  cell: string | null;
  host: string;
  size: number;
  onCell: (cell: string | null) => void;
  onHost: (host: string) => void;
  onSize: (size: number) => void;
}) {
  const [text, setText] = useState(props.host);
  const inputRef = useRef<HTMLInputElement>(null);
  const { onHost, host } = props;
  // Typing updates the URL (and the query) once it pauses, not on every key.
  useEffect(() => {
    if (text === host) return;
    const t = setTimeout(() => onHost(text), 300);
    return () => clearTimeout(t);
  }, [text, host, onHost]);
  useEffect(() => setText(host), [host]);
  // "/" focuses the search, as in the other consoles operators use.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (e.key !== '/' || el?.closest('input, textarea, select, [contenteditable]')) return;
      e.preventDefault();
      inputRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div role="search" aria-label="Filter host mappings" className="mb-3 flex flex-wrap items-end gap-3 text-sm">
      <SelectField label="Cell" value={props.cell ?? ''} onChange={(e) => props.onCell(e.target.value || null)}>
        <option value="">All cells</option>
        {props.cells.map((c) => (
          <option key={c.uuid} value={c.uuid}>
            {cellLabel(c)}
          </option>
        ))}
        {props.cell && !props.cells.some((c) => c.uuid === props.cell) ? <option value={props.cell}>{props.cell}</option> : null}
      </SelectField>
      <TextField ref={inputRef} label="Host contains" type="search" value={text} placeholder="Press / to search" onChange={(e) => setText(e.target.value)} />
      <SelectField label="Page size" value={props.size} onChange={(e) => props.onSize(Number(e.target.value))} options={HOST_PAGE_SIZES} />
    </div>
  );
}
