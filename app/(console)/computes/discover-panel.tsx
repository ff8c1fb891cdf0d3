'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { CellNotices } from '../../_components/cell-notices';
import { CheckboxField, SelectField } from '../../_components/fields';
import { CellLink } from '../../_components/links';
import { QueryState } from '../../_components/query-state';
import { RestartNotice } from '../../_components/restart-notice';
import { Time } from '../../_components/time';
import { Button, ErrorBox, Table, Td, Th } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';
import { type CellSummary, cellLabel } from '@/server/cells/contract';
import type { AlreadyMapped, DiscoverResult, DiscoveryRun, HostInCell } from '@/server/hosts/contract';

/** discover_hosts from the console: choose the scope and mode, try it dry, then map. */
export function DiscoverPanel({ cells, refetchInterval = false }: { cells: CellSummary[]; refetchInterval?: number | false }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const headingId = useId();
  const [cellUuid, setCellUuid] = useState('');
  const [byService, setByService] = useState(false);
  const [strict, setStrict] = useState(false);
  const discover = useMutation(
    trpc.hosts.discover.mutationOptions({
      // Every hosts view changes: the unmapped list, the mappings, the last run.
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.hosts.pathKey() }),
    }),
  );
  const run = (dryRun: boolean) => discover.mutate({ cellUuid: cellUuid || null, byService, strict, dryRun });

  return (
    <section aria-labelledby={headingId} className="mt-6 rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id={headingId} className="text-lg font-semibold">
        Discover hosts
      </h2>
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        Maps every live compute host that has no host mapping to the cell that holds it, as <code>nova-manage cell_v2 discover_hosts</code>. Safe while others
        discover too: a host someone else maps first is reported, not an error.
      </p>
      <div className="flex flex-wrap items-end gap-4 text-sm">
        <SelectField
          label="Cell"
          value={cellUuid}
          onChange={(e) => setCellUuid(e.target.value)}
          options={[{ value: '', label: 'All cells' }, ...cells.map((c) => ({ value: c.uuid, label: cellLabel(c) }))]}
        />
        <CheckboxField
          label="By service"
          title="Map the hosts of all nova-compute services, disabled ones too (for ironic); compute_nodes.mapped is not touched"
          checked={byService}
          onChange={(e) => setByService(e.target.checked)}
        />
        <CheckboxField label="Strict" title="Report a failure when no host was newly mapped" checked={strict} onChange={(e) => setStrict(e.target.checked)} />
        <Button onClick={() => run(true)} disabled={discover.isPending}>
          Dry run
        </Button>
        <Button variant="primary" onClick={() => run(false)} disabled={discover.isPending}>
          Discover
        </Button>
        {discover.isPending ? (
          <span role="status" className="text-zinc-500">
            Discovering…
          </span>
        ) : null}
      </div>

      {discover.isError ? (
        <div className="mt-3">
          <ErrorBox title="Discovery failed" message={discover.error.message} />
        </div>
      ) : null}
      {discover.data ? <DiscoverOutcome r={discover.data} /> : null}
      <LastRuns refetchInterval={refetchInterval} />
    </section>
  );
}

function DiscoverOutcome({ r }: { r: DiscoverResult }) {
  const nothing = (r.dryRun ? r.wouldMap.length : r.newlyMapped.length) === 0;
  return (
    <div role="region" aria-label="Discovery result" className="mt-4 space-y-3 text-sm">
      <p className="font-medium">
        {r.dryRun
          ? `Dry run: ${r.wouldMap.length} host${r.wouldMap.length === 1 ? '' : 's'} would be mapped. Nothing was written.`
          : `Mapped ${r.newlyMapped.length} host${r.newlyMapped.length === 1 ? '' : 's'}.`}
      </p>
      {r.strict && nothing ? (
        <p role="alert" className="rounded border border-amber-300 bg-amber-50 p-2 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          Strict: no host {r.dryRun ? 'would be' : 'was'} newly mapped (<code>cellar discover_hosts --strict</code> would exit 1).
        </p>
      ) : null}
      {r.dryRun ? <HostList label="Hosts that would be mapped" hosts={r.wouldMap} /> : <HostList label="Newly mapped hosts" hosts={r.newlyMapped} />}
      {r.alreadyMapped.length > 0 ? (
        <MappedList
          label="Already mapped by someone else"
          hosts={r.alreadyMapped}
          note="Mapped by someone else while this run worked (another discover, the scheduler): not an error."
        />
      ) : null}
      {r.mappedElsewhere.length > 0 ? (
        <MappedList
          label="Mapped to another cell"
          hosts={r.mappedElsewhere}
          note="Live in one cell but mapped to another (or live in two cells): a host belongs to one cell only; resolve by hand."
        />
      ) : null}
      {/* Skipped: a cell that did not answer; its hosts were not looked at. */}
      <CellNotices down={r.skippedCells.map((c) => ({ ...c, message: `${c.message}. Skipped: its hosts were not looked at.` }))} />
      {r.markFailures.length > 0 ? (
        <ul aria-label="Cells not marked" className="space-y-1">
          {r.markFailures.map((s) => (
            <li key={s.uuid} className="text-amber-800 dark:text-amber-300">
              Could not set mapped = 1 on the compute nodes of cell <CellLink cell={s} /> ({s.reason}); their hosts are mapped, the next discovery marks them.
            </li>
          ))}
        </ul>
      ) : null}
      <RestartNotice notice={r.restartNotice} />
    </div>
  );
}

function HostList({ label, hosts }: { label: string; hosts: HostInCell[] }) {
  if (hosts.length === 0) return null;
  return (
    <Table
      label={label}
      head={
        <>
          <Th>Host</Th>
          <Th>Cell</Th>
        </>
      }
    >
      {hosts.map((h) => (
        <tr key={`${h.cell.uuid}/${h.host}`}>
          <th scope="row" className="px-3 py-2 font-mono text-xs font-medium">
            {h.host}
          </th>
          <Td>
            <CellLink cell={h.cell} />
          </Td>
        </tr>
      ))}
    </Table>
  );
}

function MappedList({ label, hosts, note }: { label: string; hosts: AlreadyMapped[]; note: string }) {
  return (
    <div className="space-y-1">
      <p className="text-zinc-600 dark:text-zinc-400">{note}</p>
      <Table
        label={label}
        head={
          <>
            <Th>Host</Th>
            <Th>Its compute is in</Th>
            <Th>Mapped to</Th>
          </>
        }
      >
        {hosts.map((h) => (
          <tr key={`${h.cell.uuid}/${h.host}`}>
            <th scope="row" className="px-3 py-2 font-mono text-xs font-medium">
              {h.host}
            </th>
            <Td>
              <CellLink cell={h.cell} />
            </Td>
            <Td>
              {h.mappedTo ? <CellLink cell={h.mappedTo} /> : 'no cell (unmapped again since)'}
              {h.drift ? <span className="ml-2 font-medium text-amber-700 dark:text-amber-400">drift</span> : null}
            </Td>
          </tr>
        ))}
      </Table>
    </div>
  );
}

function LastRuns({ refetchInterval }: { refetchInterval: number | false }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.hosts.lastDiscovery.queryOptions(undefined, { refetchInterval }));
  return (
    <div
      role="region"
      aria-label="Last discovery"
      className="mt-4 space-y-1 border-t border-zinc-200 pt-3 text-sm text-zinc-600 dark:border-zinc-800 dark:text-zinc-400"
    >
      <QueryState query={q} what="the last discovery">
        {({ lastRun, lastDryRun }) => (
          <>
            {lastRun ? <RunLine title="Last discovery" run={lastRun} /> : <p>No discovery has run from Cellar yet.</p>}
            {lastDryRun && (!lastRun || lastDryRun.startedAt > lastRun.startedAt) ? <RunLine title="Last dry run" run={lastDryRun} /> : null}
          </>
        )}
      </QueryState>
    </div>
  );
}

function RunLine({ title, run }: { title: string; run: DiscoveryRun }) {
  const counts = run.dryRun ? `${run.wouldMap} would be mapped` : `${run.newlyMapped} newly mapped, ${run.alreadyMapped} already mapped by someone else`;
  return (
    <p>
      <span className="font-medium text-zinc-800 dark:text-zinc-200">{title}:</span> by {run.actor}, <Time value={run.startedAt} />, {run.mode}
      {run.cellUuid ? ` in cell ${run.cellUuid}` : ''}: {counts}
      {run.skippedCells > 0 ? `, ${run.skippedCells} cell${run.skippedCells === 1 ? '' : 's'} skipped` : ''}
      {run.outcome === 'failed' ? ` · failed: ${run.details.error ?? 'unknown error'}` : ''}
      {run.finishedAt ? '' : ' · still running, or stopped before it finished'}.
    </p>
  );
}
