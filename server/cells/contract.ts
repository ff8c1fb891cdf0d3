/**
 * The cells area for pages (browser-safe: zod, constants and types only): what the cells
 * procedures take, and what they answer. The router validates with these same schemas.
 */
import { z } from 'zod';
import { cellUuidSchema, cellUuidsSchema } from './cell-ref';

export {
  cellLabel,
  cellUuidSchema,
  cellUuidsSchema,
  MAX_CELLS_PER_CALL,
  type CellSummary,
  type DownCell,
  type DownReason,
  type LastKnown,
} from './cell-ref';

/** nova's cell_mappings.name is VARCHAR(255). */
export const CELL_NAME_MAX = 255;
/** Longer than any transport or database URL a person writes; stops a pasted blob at the door. */
export const CELL_URL_MAX = 4096;

const url = (what: string) => z.string().trim().min(1, `the ${what} is required`).max(CELL_URL_MAX, `the ${what} is too long`);
const cellName = z.string().trim().max(CELL_NAME_MAX, `a cell name is at most ${CELL_NAME_MAX} characters`);

export const cellDetailInput = z.object({ uuid: cellUuidSchema });

/**
 * The cells list: every cell, or only `cellUuids` (a page asks each cell on its own; a
 * Retry asks one); an empty list asks none and answers the frame (every mapping).
 */
export const cellsListInput = z.object({ cellUuids: cellUuidsSchema.optional() }).optional();
export type CellsListInput = z.input<typeof cellsListInput>;

export const createCellInput = z.object({
  name: cellName.optional(),
  transportUrl: url('transport URL'),
  databaseConnection: url('database URL'),
  disabled: z.boolean().default(false),
  migrate: z.boolean().default(false),
});

export const renameCellInput = z.object({ uuid: cellUuidSchema, name: cellName.min(1, 'a name is required') });

export const setCellDisabledInput = z.object({ uuid: cellUuidSchema, disabled: z.boolean() });

export const deleteCellInput = z.object({ uuid: cellUuidSchema, force: z.boolean().default(false) });

export type CreateCellInput = z.input<typeof createCellInput>;

export type { CellFigures, CellList, CellListLastKnown, CellListRow, CellMappingRow } from './list-cells';
export type { CellDetail, CellDetailFigures, ComputeNodeView, HostMappingView } from './cell-detail';

/** nova's capacity model (pure functions and names), for the capacity figures pages show. */
export { formatAmount, RESOURCE_KINDS, RESOURCE_NAMES, type ResourceKind } from '../nova/capacity';
