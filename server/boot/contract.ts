/**
 * The boot area for pages (browser-safe): what schedule takes, and what boot and schedule
 * answer. (accept's input, acceptBootInput, still lives beside acceptBoot in accept-boot.ts.)
 */
import { z } from 'zod';

/** At most this many instances per schedule call. */
export const MAX_SCHEDULE = 1000;

export const scheduleInput = z.object({
  instanceUuids: z
    .array(z.guid('Each instance uuid must be a uuid'))
    .min(1, 'Name at least one instance uuid')
    .max(MAX_SCHEDULE, `At most ${MAX_SCHEDULE} instances at once`),
});

export type { AcceptBootInput, AcceptedBoot } from './accept-boot';
export type { ScheduleResult } from './schedule-and-build';
