/** The input of the cross-cell instance list (browser-safe: the instances contract re-exports it). */
import { z } from 'zod';
import { cellUuidsSchema } from '../cells/cell-ref';
import { VM_STATES } from '../nova/constants';
import { instanceUuid } from './instance-uuid';
import { SORT_DIRS, SORT_KEYS } from './sort-order';

/** nova's [api]max_limit. */
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 50;

const optionalText = z
  .string()
  .trim()
  .max(255)
  .optional()
  .transform((s) => (s ? s : undefined));

export const listInstancesInput = z.object({
  limit: z.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  /** The uuid of the last row of the previous page: this page is the `limit` rows after it. */
  marker: instanceUuid.nullish(),
  /** The uuid of the first row of the next page: this page is the `limit` rows before it (a previous page). Not with `marker`. */
  before: instanceUuid.nullish(),
  sort: z.enum(SORT_KEYS).default('created_at'),
  dir: z.enum(SORT_DIRS).default('desc'),
  projectId: optionalText,
  vmState: z.enum(VM_STATES).optional(),
  host: optionalText,
  name: optionalText,
  /**
   * Only these cells (a page asks each cell on its own and merges their pages by
   * `sortValue`; a Retry asks one). Without: every cell, merged here.
   */
  cellUuids: cellUuidsSchema.optional(),
});
export type ListInstancesInput = z.input<typeof listInstancesInput>;
