import 'server-only';
import { coalesced } from '@/db/coalesce';
import { fanOut } from '@/db/fanout';
import { isNovaMade } from '@/db/schema-owner';
import { utcDate } from '@/db/timestamps';
import { downCell } from '../cells/cell-ref';
import { rememberFigures } from '../cells/last-known';
import { chooseCells, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { type CellFacts, readCellFacts } from './cell-facts';
import { type ChecksContext, type ChecksReport, composeChecks } from './compose';
import type { CellView, CheckFactsLastKnown, HostMappingRow } from './drift';

export type { ChecksContext, ChecksReport } from './compose';

/** What a page composes the report from (compose.ts): the cells' views, and the api side. */
export interface ChecksParts {
  /** The views of the cells asked; a down one with its last-known facts. */
  cells: CellView[];
  /** The api side (mappings, host mappings): on the call that asks no cell (`cellUuids: []`) only, null on the others. */
  context: ChecksContext | null;
}

/** The report, and (asked for some cells only) the parts a page composes it from. */
export type ChecksRun = ChecksReport & { parts: ChecksParts | null };

/**
 * `nova-status upgrade check`'s cells checks plus Cellar's drift lists. Reads the api
 * database (cell and host mappings), then asks every cell at once, under the deadline, for
 * its schema state, compute-node hosts and nova-compute services; everything else is
 * compared in memory (compose.ts). Read-only: nothing is fixed or migrated here.
 */
export async function runChecks(deps: Deps): Promise<ChecksReport> {
  const { parts: _, ...report } = await runChecksFor(deps, {});
  return report;
}

/**
 * The same, asking only `cellUuids` when given: the report then covers those cells only,
 * and `parts` carries their views (and, asking none, the api side), for a page that asks
 * each cell on its own and composes the report as they answer.
 */
export async function runChecksFor(deps: Deps, opts: { cellUuids?: readonly string[] | null }): Promise<ChecksRun> {
  const mappings = await readCellMappings(deps.api);
  const asked = chooseCells(mappings, opts.cellUuids);
  const [hostRows, outcomes, novaMade] = await Promise.all([
    // The per-cell checks of one page share these two reads (db/coalesce.ts).
    coalesced(
      deps.api,
      'host_mappings',
      () => deps.api.sql<{ id: number; host: string; cell_uuid: string; created_at: string | null }[]>`
        select h.id, h.host, c.uuid as cell_uuid, h.created_at::text as created_at
        from host_mappings h join cell_mappings c on c.id = h.cell_id`,
    ),
    fanOut(deps.registry, asked, ({ handle }) => readCellFacts(handle), { deadlineMs: deps.deadlineMs }),
    coalesced(deps.api, 'nova-made', () => isNovaMade(deps.api.sql)),
  ]);
  const hostMappings: HostMappingRow[] = hostRows.map((r) => ({ id: r.id, host: r.host, cellUuid: r.cell_uuid, createdAt: utcDate(r.created_at) }));
  const seen = await rememberFigures(deps, 'check-facts', outcomes, keptFacts);

  const cells: CellView[] = outcomes.map((o) =>
    o.status === 'up'
      ? { cell: o.cell, status: 'up', schema: o.value.schema, hosts: o.value.hosts, unreadable: o.value.unreadable }
      : { cell: o.cell, status: 'down', down: downCell(o), lastKnown: seen.get(o.cell.uuid) ?? null },
  );
  const context: ChecksContext = {
    cellMappings: mappings.map((m) => ({ uuid: m.uuid, name: m.name })),
    hostMappings,
    novaMade,
    serviceDownTimeS: deps.serviceDownTimeS,
  };
  const report = composeChecks(context, cells, deps.now());
  const askedNone = Array.isArray(opts.cellUuids) && opts.cellUuids.length === 0;
  return { ...report, parts: opts.cellUuids ? { cells, context: askedNone ? context : null } : null };
}

function keptFacts(f: CellFacts): CheckFactsLastKnown | null {
  if (!f.hosts) return null;
  return { computeNodes: f.hosts.computeNodes, computeServices: f.hosts.computeServices.length, schema: f.schema.summary };
}
