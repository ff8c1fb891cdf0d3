/**
 * The words every area uses for cells in its answers, defined once. Browser-safe: types,
 * zod schemas and pure functions, so pages import it too.
 * - a cell reference: `CellSummary` ({ uuid, name }), named by `cellLabel`;
 * - a down cell: `DownCell` — a cell that did not answer, with the reason, a plain message
 *   and how long it took (`elapsedMs`), and what the shared memory of cell health knows of
 *   it (down since, last answered, answered from memory), made from a fan-out outcome by
 *   `downCell`;
 * - a figure kept from a cell's last good answer: `LastKnown` (value and when it was seen);
 * - "cell not found": `cellNotFound(uuid, exitCode)`, nova's message;
 * - the cell uuid at every boundary: `cellUuidSchema`, and the cells one call may be
 *   limited to: `cellUuidsSchema` (at most MAX_CELLS_PER_CALL).
 */
import { z } from 'zod';
import type { CellSummary, DownOutcome } from '@/db/fanout';
import { type CellarError, refuse } from '../errors';

export type { CellSummary, DownReason } from '@/db/fanout';

/** A cell that did not answer, as pages and the CLI show it: the fan-out's down outcome, flattened. */
export type DownCell = CellSummary & Omit<DownOutcome, 'cell' | 'status'>;

/** A figure kept from a cell's last good answer (cellar.cell_figures): shown marked stale with its time while the cell is down. */
export interface LastKnown<V> {
  value: V;
  observedAt: Date;
}

/** A cell as people name it: its name, or its uuid when it has none (simple_cell_setup leaves it NULL). */
export function cellLabel(c: { name: string | null; uuid: string }): string {
  return c.name ?? c.uuid;
}

/** The down cell of a fan-out outcome that did not answer; the health memory's fields only when the outcome has them. */
export function downCell(o: DownOutcome): DownCell {
  return {
    uuid: o.cell.uuid,
    name: o.cell.name,
    reason: o.reason,
    message: o.message,
    elapsedMs: o.elapsedMs,
    ...(o.since !== undefined ? { since: o.since } : {}),
    ...(o.lastAnsweredAt !== undefined ? { lastAnsweredAt: o.lastAnsweredAt } : {}),
    ...(o.fromMemory !== undefined ? { fromMemory: o.fromMemory } : {}),
  };
}

/** nova's CellMappingNotFound text, with the exit code of the verb that meets it (1, or 255 for map_instances). */
export function cellNotFound(uuid: string, exitCode = 1): CellarError {
  return refuse.notFound(`Cell with uuid ${uuid} was not found.`, exitCode, { cellUuid: uuid });
}

/** nova's uuids are 8-4-4-4-12 hex, not always RFC 4122 versions (cell0 is all zeros). */
export const cellUuidSchema = z.guid('a cell uuid looks like 8-4-4-4-12 hexadecimal digits');

/** The most cells one call may be limited to. */
export const MAX_CELLS_PER_CALL = 100;

/**
 * The cells a fan-out procedure asks, when not every cell: a page asks each cell on its
 * own (and a Retry asks one), so a slow cell holds up nothing but its own part. Unknown
 * uuids ask nothing.
 */
export const cellUuidsSchema = z
  .array(cellUuidSchema)
  .max(MAX_CELLS_PER_CALL, `at most ${MAX_CELLS_PER_CALL} cells per call`)
  .transform((uuids) => [...new Set(uuids)]);
