import 'server-only';
/**
 * create_cell (nova-manage cell_v2): a new cell mapping with a fresh uuid, refused when
 * another cell already has the same transport URL or, after template expansion, the same
 * database (sameCellDatabase). The row written is nova's CellMapping.create(): uuid, name,
 * transport_url, database_connection, disabled (False unless asked: nova's column default
 * is Python-side, nova's table has none), created_at = naive UTC now, updated_at NULL.
 */
import crypto from 'node:crypto';
import type postgres from 'postgres';
import { applyMigrations } from '@/db/migrate';
import { candidateCell } from '@/db/registry';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { NEEDS, requireWritePrivileges } from '../nova/write-privileges';
import { RESTART_NOTICES } from './caveats';
import { type CellMapping, publicCell } from './mappings';
import {
  type DatabaseVerdict,
  judgeCellDatabase,
  probeCellDatabase,
  sameCellDatabase,
  validateDatabaseConnection,
  validateTransportUrl,
} from './validate-cell';

/**
 * Every writer of cell_mappings that checks for duplicates takes this transaction-level
 * lock first, so "is there another cell with these URLs?" and the write that follows are
 * one atomic step: two concurrent create_cell runs cannot both see "no duplicate".
 */
export async function lockCellMappings(tx: postgres.TransactionSql): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext('cellar:cell_mappings'))`;
}

/** cell_mappings.name is VARCHAR(255). */
export const MAX_NAME = 255;

/** nova's message for create_cell rc 2 and update_cell rc 3. */
export function duplicateCellMessage(otherUuid: string): string {
  return `The specified transport_url and/or database_connection combination already exists for another cell with uuid ${otherUuid}.`;
}

/** A cell_mappings row as raw SQL returns it (timestamps as naive-UTC strings). */
export interface CellRow {
  id: number;
  uuid: string;
  name: string | null;
  transport_url: string | null;
  database_connection: string | null;
  disabled: boolean | null;
  created_at: string | Date | null;
}

export function toCellMapping(r: CellRow): CellMapping {
  return {
    id: r.id,
    uuid: r.uuid,
    name: r.name,
    transportUrl: r.transport_url,
    databaseConnection: r.database_connection,
    disabled: r.disabled ?? false,
    createdAt: utcDate(r.created_at),
  };
}

/** The URLs a new or changed cell mapping will have; null: not given (an update leaves it as it is). */
export interface CandidateUrls {
  transportUrl: string | null;
  databaseConnection: string | null;
}

/**
 * nova's _non_unique_transport_url_database_connection_checker: the first other cell (by
 * id, as CellMappingList.get_all orders them) whose transport URL is the candidate's, or
 * whose database is the candidate's; the cell being updated is skipped. nova compares the
 * other cells' URLs as its object layer loads them, templates expanded (format_db_url /
 * format_mq_url), with the URL given; Cellar expands the given one too, so a template and
 * a literal URL naming one database are the same cell, whichever way round they come.
 * Transport URLs are compared as stored: Cellar has no [DEFAULT]/transport_url to expand
 * them from. What "the same database" is: sameCellDatabase.
 */
export function duplicateCell(
  deps: Pick<Deps, 'registry'>,
  cells: readonly Pick<CellRow, 'id' | 'uuid' | 'transport_url' | 'database_connection'>[],
  candidate: CandidateUrls,
  selfId: number | null = null,
): { uuid: string } | null {
  for (const c of [...cells].sort((a, b) => a.id - b.id)) {
    if (c.id === selfId) continue;
    if (candidate.transportUrl !== null && c.transport_url === candidate.transportUrl) return { uuid: c.uuid };
    if (
      candidate.databaseConnection !== null &&
      c.database_connection !== null &&
      sameCellDatabase(deps, c.database_connection, candidate.databaseConnection)
    ) {
      return { uuid: c.uuid };
    }
  }
  return null;
}

/** Every cell mapping, for duplicateCell. */
async function readAllCellRows(sql: postgres.Sql | postgres.TransactionSql): Promise<CellRow[]> {
  return sql<CellRow[]>`select id, uuid, name, transport_url, database_connection, disabled, created_at from cell_mappings order by id`;
}

/**
 * Insert a cell mapping unless another cell has the same transport URL or database
 * (duplicateCell). The check and the insert are one step under the cell_mappings lock.
 * Throws nova's rc 2 refusal.
 */
export async function insertCellMapping(
  deps: Deps,
  values: { uuid?: string; name: string | null; transportUrl: string; databaseConnection: string; disabled: boolean },
): Promise<CellMapping> {
  const uuid = values.uuid ?? crypto.randomUUID();
  const row = await deps.api.sql.begin(async (tx) => {
    await lockCellMappings(tx);
    const dup = duplicateCell(deps, await readAllCellRows(tx), values);
    if (dup) throw refuse.conflict(duplicateCellMessage(dup.uuid), 2, { duplicateOf: dup.uuid });
    const [inserted] = await tx<CellRow[]>`
      insert into cell_mappings (uuid, name, transport_url, database_connection, disabled, created_at, updated_at)
      values (${uuid}, ${values.name}, ${values.transportUrl}, ${values.databaseConnection}, ${values.disabled},
              (now() at time zone 'utc'), null)
      returning id, uuid, name, transport_url, database_connection, disabled, created_at`;
    return inserted!;
  });
  return toCellMapping(row);
}

export interface CreateCellInput {
  name?: string | null;
  transportUrl: string;
  databaseConnection: string;
  disabled?: boolean;
  /** The database is empty: create Cellar's cell schema in it before saving (the console's "Migrate it now"). */
  migrate?: boolean;
}

export interface CreateCellOptions {
  /**
   * `require` (the console): refuse a database that does not answer or has no current
   * cell schema, unless the cell is created disabled. `warn` (the CLI, like nova, which
   * never connects): save anyway and report what is wrong.
   */
  verify: 'require' | 'warn';
}

export interface CreateCellResult {
  cell: ReturnType<typeof publicCell>;
  migrated: boolean;
  /** Problems with the database that did not stop the save (disabled cell, or the CLI). */
  warnings: string[];
  notice: string;
}

/**
 * Create a cell: URLs validated (nova's rc 1), the database probed under the deadline,
 * migrated on request when empty, then the race-safe insert (nova's rc 2 on a duplicate).
 */
export async function createCell(deps: Deps, input: CreateCellInput, opts: CreateCellOptions): Promise<CreateCellResult> {
  const transportUrl = validateTransportUrl(input.transportUrl, 1);
  const databaseConnection = validateDatabaseConnection(deps, input.databaseConnection, 1);
  const name = input.name?.trim() ? input.name.trim() : null;
  if (name !== null && name.length > MAX_NAME) throw refuse.invalid(`A cell name is at most ${MAX_NAME} characters.`, 1);
  const disabled = input.disabled ?? false;
  await requireWritePrivileges(deps.api, 'api database', NEEDS.insertCellMapping);

  // Cheap and plain before any migration; the insert below re-checks under the lock.
  const dup = duplicateCell(deps, await readAllCellRows(deps.api.sql), { transportUrl, databaseConnection });
  if (dup) throw refuse.conflict(duplicateCellMessage(dup.uuid), 2, { duplicateOf: dup.uuid });

  const warnings: string[] = [];
  let migrated = false;
  let verdict: DatabaseVerdict = judgeCellDatabase(await probeCellDatabase(deps, databaseConnection));
  if (!verdict.usable && verdict.canMigrate && input.migrate) {
    await migrateCandidate(deps, databaseConnection);
    migrated = true;
    verdict = judgeCellDatabase(await probeCellDatabase(deps, databaseConnection));
  }
  if (!verdict.usable) {
    if (opts.verify === 'require' && !disabled) {
      const hint = verdict.canMigrate
        ? 'Migrate it now, or create the cell disabled to save it as it is.'
        : 'Fix the database, or create the cell disabled to save it anyway.';
      throw refuse.precondition(`${verdict.problem} ${hint}`, 1, { canMigrate: verdict.canMigrate });
    }
    warnings.push(verdict.problem!);
  }

  const cell = await insertCellMapping(deps, { name, transportUrl, databaseConnection, disabled });
  return { cell: publicCell(cell), migrated, warnings, notice: RESTART_NOTICES.cellCreated };
}

/** Create Cellar's cell schema in an (empty) candidate database. */
async function migrateCandidate(deps: Deps, databaseConnection: string): Promise<void> {
  const ref = candidateCell(databaseConnection);
  try {
    await applyMigrations(deps.registry.handleFor(ref), 'cell');
  } finally {
    await deps.registry.forget(ref.uuid);
  }
}
