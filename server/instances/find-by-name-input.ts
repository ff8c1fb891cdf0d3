/** The input of the lookup by name (browser-safe: the instances contract re-exports it). */
import { z } from 'zod';
import { cellUuidsSchema } from '../cells/cell-ref';

/** Matches read per cell: a name used more often than this is a pattern, better searched in the list. */
export const NAME_MATCHES_PER_CELL = 50;

export const findByNameInput = z.object({
  /** nova's display_name is at most 255 characters. */
  name: z.string().trim().min(1, 'give a name to look up').max(255),
  /** Only these cells (a page asks each cell on its own). Without: every cell. */
  cellUuids: cellUuidsSchema.optional(),
});
export type FindByNameInput = z.input<typeof findByNameInput>;
