/**
 * What the triage procedures accept, validated at the boundary. Shared by the router and
 * the export route so a bad value gets the same plain message everywhere.
 */
import { z } from 'zod';
import { DEFAULT_STUCK_AFTER_MINUTES, MAX_STUCK_AFTER_MINUTES } from './stuck-threshold';

/** Any 8-4-4-4-12 hex uuid: nova does not insist on a uuid version, and neither do we. */
export const uuidSchema = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a uuid (8-4-4-4-12 hexadecimal digits)');

/** An optional text filter: blank means no filter. */
const filterText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .optional()
    .transform((v) => (v ? v : undefined));

export const cell0FiltersSchema = z.object({
  fault: filterText(255),
  flavor: filterText(255),
  project: filterText(255),
  group: filterText(1000),
});

export const cell0SortSchema = z.enum(['age', '-age']);

export const PAGE_SIZES = [10, 25, 50, 100, 200] as const;

export const cell0ListSchema = cell0FiltersSchema.extend({
  sort: cell0SortSchema.default('age'),
  limit: z.number().int().min(1).max(200).default(50),
  marker: uuidSchema.optional(),
  back: z.boolean().default(false),
});

export const cell0DeleteSchema = z.object({
  uuids: z.array(uuidSchema).min(1, 'choose at least one instance').max(500, 'at most 500 instances at a time'),
});

export const exportFormatSchema = z.enum(['csv', 'json']);

export const cell0ExportSchema = z.object({
  uuids: z.array(uuidSchema).max(1000, 'at most 1000 instances at a time').optional(),
  filters: cell0FiltersSchema.optional(),
  sort: cell0SortSchema.default('age'),
  format: exportFormatSchema,
});

export const stuckAfterSchema = z.number().int().min(1).max(MAX_STUCK_AFTER_MINUTES).default(DEFAULT_STUCK_AFTER_MINUTES);

export const buildRequestsListSchema = z.object({ stuckAfterMinutes: stuckAfterSchema });
