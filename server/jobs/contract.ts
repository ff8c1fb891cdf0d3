/**
 * The jobs area for pages (browser-safe): what the map_instances job procedures take, and
 * what they answer.
 */
import { z } from 'zod';
import { cellUuidSchema } from '../cells/cell-ref';
import { rowIdSchema } from '../row-id';

export const startMapInstancesInput = z.object({ cellUuid: cellUuidSchema });

export const jobIdInput = z.object({ id: rowIdSchema('a job id', 'integer') });

export const jobsForCellInput = z.object({ cellUuid: cellUuidSchema });

export type { Job, JobState } from './job';
export type { MapInstancesJob, StartMapInstancesResult } from './start-map-instances';
