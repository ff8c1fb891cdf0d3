import 'server-only';
/**
 * update_cell (nova-manage cell_v2): rename, re-point, disable or enable a cell, with
 * nova's checks in nova's order and exit codes. Unlike nova, nothing falls back to a
 * configured URL: an option that is not given leaves that column as it is, so a rename
 * changes only the name.
 *
 * The write is nova's CellMapping.save(): the changed columns and updated_at = naive UTC
 * now, and no UPDATE at all when nothing changes ("Cell … is already disabled", or a
 * rename to the name it has): SQLAlchemy emits none for unchanged values, so updated_at
 * keeps its time too.
 */
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { isCell0 } from '../nova/constants';
import { RESTART_NOTICES } from './caveats';
import { cellNotFound } from './cell-ref';
import { NEEDS, requireWritePrivileges } from '../nova/write-privileges';
import { type CellRow, duplicateCell, duplicateCellMessage, lockCellMappings, MAX_NAME, toCellMapping } from './create-cell';
import { publicCell } from './mappings';
import { validateDatabaseConnection, validateTransportUrl } from './validate-cell';

export interface UpdateCellInput {
  cellUuid: string;
  /** nova ignores an empty name; so does Cellar. */
  name?: string | null;
  transportUrl?: string | null;
  databaseConnection?: string | null;
  disable?: boolean;
  enable?: boolean;
}

export interface UpdateCellResult {
  cell: ReturnType<typeof publicCell>;
  /** What nova prints on success, e.g. "Cell … is already disabled". */
  messages: string[];
  /** Restart/SIGHUP notices for what changed. */
  notices: string[];
  changed: { name: boolean; transportUrl: boolean; databaseConnection: boolean; disabled: boolean };
}

const blankToNull = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);

/**
 * rc 1 cell not found; rc 2 a URL Cellar cannot use (nova prints "Invalid transport URL"
 * and carries on without it); rc 3 another cell has the transport URL or, templates
 * expanded, the database (duplicateCell); rc 4 --disable with --enable; rc 5 cell0
 * enabled or disabled. The duplicate check and the update are one step under the
 * cell_mappings lock. Refused before it starts when Cellar's role may not UPDATE
 * cell_mappings.
 */
export async function updateCell(deps: Deps, input: UpdateCellInput): Promise<UpdateCellResult> {
  const name = blankToNull(input.name);
  if (name !== null && name.length > MAX_NAME) throw refuse.invalid(`A cell name is at most ${MAX_NAME} characters.`, 2);
  const transportUrlIn = blankToNull(input.transportUrl);
  const databaseConnectionIn = blankToNull(input.databaseConnection);
  const toggles = Boolean(input.disable || input.enable);
  const bothToggles = Boolean(input.disable && input.enable);
  const cell0Toggle = toggles && isCell0(input.cellUuid);
  const disabled = bothToggles || !toggles ? null : Boolean(input.disable);

  await requireWritePrivileges(deps.api, 'api database', NEEDS.updateCellMapping);
  return deps.api.sql.begin(async (tx) => {
    await lockCellMappings(tx);
    const [before] = await tx<CellRow[]>`
      select id, uuid, name, transport_url, database_connection, disabled, created_at
      from cell_mappings where uuid = ${input.cellUuid} for update`;
    if (!before) throw cellNotFound(input.cellUuid, 1);

    const transportUrl = transportUrlIn === null ? null : validateTransportUrl(transportUrlIn, 2);
    const databaseConnection = databaseConnectionIn === null ? null : validateDatabaseConnection(deps, databaseConnectionIn, 2);

    // nova's order: the duplicate (rc 3) before --disable with --enable (rc 4) and cell0 (rc 5).
    const others = await tx<CellRow[]>`
      select id, uuid, name, transport_url, database_connection, disabled, created_at from cell_mappings where id <> ${before.id} order by id`;
    const dup = duplicateCell(deps, others, { transportUrl, databaseConnection }, before.id);
    if (dup) throw refuse.conflict(duplicateCellMessage(dup.uuid), 3, { duplicateOf: dup.uuid });
    if (bothToggles) throw refuse.invalid('Cell cannot be disabled and enabled at the same time.', 4);
    if (cell0Toggle) throw refuse.precondition('Cell0 cannot be disabled.', 5);

    const next = {
      name: name ?? before.name,
      transport_url: transportUrl ?? before.transport_url,
      database_connection: databaseConnection ?? before.database_connection,
      // nova flips `disabled` only when it is not already so (a NULL counts as enabled).
      disabled: disabled === null || disabled === Boolean(before.disabled) ? before.disabled : disabled,
    };
    const changes =
      next.name !== before.name ||
      next.transport_url !== before.transport_url ||
      next.database_connection !== before.database_connection ||
      next.disabled !== before.disabled;
    const row = changes
      ? (
          await tx<CellRow[]>`
            update cell_mappings set
              name = ${next.name}, transport_url = ${next.transport_url}, database_connection = ${next.database_connection},
              disabled = ${next.disabled}, updated_at = (now() at time zone 'utc')
            where id = ${before.id}
            returning id, uuid, name, transport_url, database_connection, disabled, created_at`
        )[0]!
      : before;

    const after = toCellMapping(row);
    const wasDisabled = before.disabled ?? false;
    const messages: string[] = [];
    if (input.disable && wasDisabled) messages.push(`Cell ${input.cellUuid} is already disabled`);
    if (input.enable && !wasDisabled) messages.push(`Cell ${input.cellUuid} is already enabled`);
    const changed = {
      name: after.name !== before.name,
      transportUrl: after.transportUrl !== before.transport_url,
      databaseConnection: after.databaseConnection !== before.database_connection,
      disabled: after.disabled !== wasDisabled,
    };
    const notices: string[] = [];
    if (changed.transportUrl || changed.databaseConnection) notices.push(RESTART_NOTICES.cellUrlsChanged);
    if (changed.disabled) notices.push(RESTART_NOTICES.cellEnabledOrDisabled);
    return { cell: publicCell(after), messages, notices, changed };
  });
}

/** The console's rename: only the name changes, whatever else is configured. */
export async function renameCell(deps: Deps, input: { uuid: string; name: string }): Promise<UpdateCellResult> {
  if (!input.name.trim()) throw refuse.invalid('A cell name cannot be empty.', 1);
  return updateCell(deps, { cellUuid: input.uuid, name: input.name });
}

/** The console's enable/disable: nova's rules (cell0 refused, "already disabled" is not an error). */
export function setCellDisabled(deps: Deps, input: { uuid: string; disabled: boolean }): Promise<UpdateCellResult> {
  return updateCell(deps, { cellUuid: input.uuid, disable: input.disabled, enable: !input.disabled });
}
