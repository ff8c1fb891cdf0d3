/**
 * The boot area for pages (browser-safe): what accept and schedule take, and what boot and
 * schedule answer.
 */
import { z } from 'zod';
import { cellUuidsSchema } from '../cells/cell-ref';

/** At most this many instances per schedule call. */
export const MAX_SCHEDULE = 1000;

export const scheduleInput = z.object({
  instanceUuids: z
    .array(z.guid('Each instance uuid must be a uuid'))
    .min(1, 'Name at least one instance uuid')
    .max(MAX_SCHEDULE, `At most ${MAX_SCHEDULE} instances at once`),
});

/** Capacity and flavor slots of every cell but cell0, or only of `cellUuids` (a page asks each cell on its own). */
export const capacityInput = z.object({ cellUuids: cellUuidsSchema.optional() }).optional();

export type { AcceptedBoot } from './accept-boot';
export type { CapacityReport, CellCapacity, CellCapacityReportFigures, FlavorSlots } from './capacity';
export type { ScheduleResult } from './schedule-and-build';

export {
  type AcceptBootInput,
  acceptBootInput,
  DEFAULT_IMAGE_REF,
  DEFAULT_PROJECT_ID,
  DEFAULT_SERVER_NAME,
  DEFAULT_USER_ID,
  MAX_BOOT_COUNT,
} from './accept-boot-input';
