/**
 * The words every area uses for cells in its answers, defined once. Browser-safe: types,
 * one zod schema and pure functions, so pages import it too.
 * - a cell reference: `CellSummary` ({ uuid, name }), named by `cellLabel`;
 * - a down cell: `DownCell` — a cell that did not answer, with the reason, a plain message
 *   and how long it took (`elapsedMs`), made from a fan-out outcome by `downCell`;
 * - "cell not found": `cellNotFound(uuid, exitCode)`, nova's message;
 * - the cell uuid at every boundary: `cellUuidSchema`.
 */
import { z } from 'zod';
import type { CellOutcome, CellSummary, DownReason } from '@/db/fanout';
import { type CellarError, refuse } from '../errors';

export type { CellSummary, DownReason } from '@/db/fanout';

export interface DownCell extends CellSummary {
  reason: DownReason;
  message: string;
  elapsedMs: number;
}

/** A cell as people name it: its name, or its uuid when it has none (simple_cell_setup leaves it NULL). */
export function cellLabel(c: { name: string | null; uuid: string }): string {
  return c.name ?? c.uuid;
}

/** The down cell of a fan-out outcome that did not answer. */
export function downCell(o: Extract<CellOutcome<unknown>, { status: 'down' }>): DownCell {
  return { uuid: o.cell.uuid, name: o.cell.name, reason: o.reason, message: o.message, elapsedMs: o.elapsedMs };
}

/** nova's CellMappingNotFound text, with the exit code of the verb that meets it (1, or 255 for map_instances). */
export function cellNotFound(uuid: string, exitCode = 1): CellarError {
  return refuse.notFound(`Cell with uuid ${uuid} was not found.`, exitCode, { cellUuid: uuid });
}

/** nova's uuids are 8-4-4-4-12 hex, not always RFC 4122 versions (cell0 is all zeros). */
export const cellUuidSchema = z.guid('a cell uuid looks like 8-4-4-4-12 hexadecimal digits');
