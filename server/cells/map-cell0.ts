import 'server-only';
/**
 * map_cell0 (nova-manage cell_v2): the cell0 mapping, with nova's fixed uuid, the name
 * 'cell0' and the transport 'none:///'. Mapping it twice is not an error: nova prints
 * "Cell0 is already setup" and exits 0; the unique uuid decides, not a prior read.
 * The row is nova's _map_cell0 CellMapping.create(): disabled False (the model's default,
 * Python-side), created_at naive UTC now. Like nova, no duplicate check against the other
 * cells' URLs.
 */
import { joinUrl, splitUrl } from '@/db/url';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { CELL0_TRANSPORT_URL, CELL0_UUID } from '../nova/constants';
import { NEEDS, requireWritePrivileges } from '../nova/write-privileges';
import { type CellRow, toCellMapping } from './create-cell';
import { publicCell } from './mappings';
import { validateDatabaseConnection } from './validate-cell';

/**
 * nova's default cell0 URL: the configured database URL with `_cell0` added to the
 * database name, before any extension (os.path.splitext).
 */
export function defaultCell0Connection(baseUrl: string): string {
  const parts = splitUrl(baseUrl);
  if (!parts) throw refuse.invalid('CELLAR_DATABASE_URL is not a URL, so there is no default cell0 database; pass --database_connection.', 1);
  const slash = parts.path.lastIndexOf('/');
  const base = parts.path.slice(slash + 1);
  // splitext ignores leading dots: '.hidden' has no extension.
  const lead = /^\.*/.exec(base)![0].length;
  const inRest = base.slice(lead).lastIndexOf('.');
  const dot = inRest === -1 ? -1 : lead + inRest;
  const root = dot > 0 ? parts.path.slice(0, slash + 1 + dot) : parts.path;
  const ext = dot > 0 ? parts.path.slice(slash + 1 + dot) : '';
  return joinUrl({ ...parts, path: `${root}_cell0${ext}` });
}

export interface MapCell0Result {
  created: boolean;
  cell: ReturnType<typeof publicCell>;
  /** "Cell0 is already setup" when it was. */
  message: string | null;
}

export async function mapCell0(deps: Deps, input: { databaseConnection: string }): Promise<MapCell0Result> {
  const databaseConnection = validateDatabaseConnection(deps, input.databaseConnection, 1);
  await requireWritePrivileges(deps.api, 'api database', NEEDS.insertCellMapping);
  const inserted = await deps.api.sql<CellRow[]>`
    insert into cell_mappings (uuid, name, transport_url, database_connection, disabled, created_at, updated_at)
    values (${CELL0_UUID}, 'cell0', ${CELL0_TRANSPORT_URL}, ${databaseConnection}, false, (now() at time zone 'utc'), null)
    on conflict (uuid) do nothing
    returning id, uuid, name, transport_url, database_connection, disabled, created_at`;
  if (inserted[0]) return { created: true, cell: publicCell(toCellMapping(inserted[0])), message: null };
  const [existing] = await deps.api.sql<CellRow[]>`
    select id, uuid, name, transport_url, database_connection, disabled, created_at
    from cell_mappings where uuid = ${CELL0_UUID}`;
  return { created: false, cell: publicCell(toCellMapping(existing!)), message: 'Cell0 is already setup' };
}
