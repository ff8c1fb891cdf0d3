import 'server-only';
import { classifyCellError } from '@/db/fanout';
import { applyMigrations } from '@/db/migrate';
import { candidateCell } from '@/db/registry';
import type { Deps } from '../deps';
import { mapInstances, type MapInstancesResult } from '../instances/map-instances';
import { askOneCell } from './ask-one-cell';
import { RESTART_NOTICES } from './caveats';
import { NEEDS, requireWritePrivileges } from '../nova/write-privileges';
import { insertCellMapping } from './create-cell';
import { defaultCell0Connection, mapCell0 } from './map-cell0';
import { sameCellDatabase, validateDatabaseConnection, validateTransportUrl } from './validate-cell';

export interface SimpleCellSetupResult {
  /** 0 done (or already done); 1 no compute hosts to map, as nova. */
  exitCode: 0 | 1;
  /** What nova prints, in order. */
  messages: string[];
  cell0Created: boolean;
  /** The cell the hosts are mapped to; null when there were no hosts. */
  cellUuid: string | null;
  cellCreated: boolean;
  hostsMapped: string[];
  instances: MapInstancesResult | null;
  notices: string[];
}

export async function simpleCellSetup(deps: Deps, input: { transportUrl: string; databaseConnection: string }): Promise<SimpleCellSetupResult> {
  const transportUrl = validateTransportUrl(input.transportUrl, 1);
  const databaseConnection = validateDatabaseConnection(deps, input.databaseConnection, 1);
  const messages: string[] = [];
  const notices: string[] = [];
  await requireWritePrivileges(deps.api, 'api database', [...NEEDS.insertCellMapping, ...NEEDS.insertHostMappings, ...NEEDS.mapInstances]);

  const cell0 = await mapCell0(deps, {
    databaseConnection: defaultCell0Connection(deps.registry.resolveUrl({ id: -1, uuid: 'base', name: null, databaseConnection })),
  });
  if (cell0.message) messages.push(cell0.message);
  const [cell0Row] = await deps.api.sql<{ id: number; uuid: string; name: string | null; database_connection: string | null }[]>`
    select id, uuid, name, database_connection from cell_mappings where uuid = ${cell0.cell.uuid}`;
  try {
    await applyMigrations(
      deps.registry.handleFor({ id: cell0Row!.id, uuid: cell0Row!.uuid, name: cell0Row!.name, databaseConnection: cell0Row!.database_connection }),
      'cell',
    );
  } catch (e) {
    // nova reports this and carries on: cell0 can be synced later.
    messages.push(`Unable to sync cell0 schema: ${classifyCellError(e).message}`);
  }

  const hosts = await readComputeHosts(deps, databaseConnection);
  const base = { exitCode: 1 as const, messages, cell0Created: cell0.created, cellUuid: null, cellCreated: false, hostsMapped: [], instances: null, notices };
  if (hosts === 'not-a-cell') {
    messages.push('No hosts found to map to cell, exiting. (The database CELLAR_DATABASE_URL names has no compute_nodes table: it is not a cell database.)');
    return base;
  }
  if (hosts.length === 0) {
    messages.push('No hosts found to map to cell, exiting.');
    return base;
  }

  const mapped = await deps.api.sql<{ host: string; cell_id: number; uuid: string }[]>`
    select h.host, h.cell_id, c.uuid from host_mappings h join cell_mappings c on c.id = h.cell_id
    where h.host = any(${hosts}::text[]) order by h.host`;
  const mappedHosts = new Set(mapped.map((m) => m.host));
  const missing = hosts.filter((h) => !mappedHosts.has(h));
  // nova re-uses the cell of an already mapped host (the last one it saw).
  let cell = mapped.length > 0 ? { id: mapped[mapped.length - 1]!.cell_id, uuid: mapped[mapped.length - 1]!.uuid } : null;
  let cellCreated = false;
  let hostsMapped: string[] = [];
  if (missing.length === 0) {
    messages.push('All hosts are already mapped to cell(s).');
  } else {
    if (!cell) {
      // Not nova: a cell already mapped to this very database (templates expanded, as
      // create_cell compares) is re-used rather than duplicated.
      const all = await deps.api.sql<{ id: number; uuid: string; database_connection: string | null }[]>`
        select id, uuid, database_connection from cell_mappings order by id`;
      const same = all.find((c) => c.database_connection !== null && sameCellDatabase(deps, c.database_connection, databaseConnection));
      cell = same ? { id: same.id, uuid: same.uuid } : null;
    }
    if (!cell) {
      const created = await insertCellMapping(deps, { name: null, transportUrl, databaseConnection, disabled: false });
      cell = { id: created.id, uuid: created.uuid };
      cellCreated = true;
      notices.push(RESTART_NOTICES.cellCreated);
    }
    const inserted = await deps.api.sql<{ host: string }[]>`
      insert into host_mappings (cell_id, host, created_at, updated_at)
      select ${cell.id}, h, (now() at time zone 'utc'), null from unnest(${missing}::text[]) as h
      on conflict (host) do nothing
      returning host`;
    hostsMapped = inserted.map((r) => r.host).sort();
    if (hostsMapped.length > 0) notices.push(RESTART_NOTICES.hostsMapped);
  }

  const instances = await mapInstances(deps, { cellUuid: cell!.uuid });
  return { exitCode: 0, messages, cell0Created: cell0.created, cellUuid: cell!.uuid, cellCreated, hostsMapped, instances, notices };
}

/** The live compute hosts of the configured database, or 'not-a-cell' when it has no compute_nodes table. */
async function readComputeHosts(deps: Deps, databaseConnection: string): Promise<string[] | 'not-a-cell'> {
  const ref = candidateCell(databaseConnection, 'CELLAR_DATABASE_URL');
  try {
    return await askOneCell(
      deps,
      ref,
      async ({ handle }) => {
        const [t] = await handle.sql<{ present: boolean }[]>`select to_regclass('public.compute_nodes') is not null as present`;
        if (!t?.present) return 'not-a-cell' as const;
        const rows = await handle.sql<{ host: string }[]>`
          select distinct host from compute_nodes where deleted = 0 and host is not null order by host`;
        return rows.map((r) => r.host);
      },
      { consequence: 'its cell and its hosts were not mapped', exitCode: 1 },
    );
  } finally {
    await deps.registry.forget(ref.uuid);
  }
}
