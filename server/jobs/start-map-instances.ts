import 'server-only';
import { cellLabel, cellNotFound, type CellSummary } from '../cells/cell-ref';
import type { Deps } from '../deps';
import { enqueueJob } from './enqueue-job';
import type { Job } from './job';
import { listJobs } from './list-jobs';
import { MAP_INSTANCES_JOB, type MapInstancesProgress, readMapInstancesProgress } from './map-instances-job';

export interface StartMapInstancesResult {
  job: MapInstancesJob;
  /** false: one was already queued or running for this cell, and that one is returned. */
  created: boolean;
  message: string;
}

/** A map_instances job with its progress read into numbers, for the console. */
export interface MapInstancesJob extends Omit<Job, 'progress'> {
  progress: MapInstancesProgress;
}

export function mapInstancesJobView(job: Job): MapInstancesJob {
  return { ...job, progress: readMapInstancesProgress(job.progress) };
}

/**
 * The console's "Map instances": queue a map_instances job for the cell (the runner does
 * the work). Pressing it while one is queued or running returns that one, not a second.
 */
export async function startMapInstances(deps: Deps, input: { cellUuid: string; actor: string | null }): Promise<StartMapInstancesResult> {
  const [cell] = await deps.api.sql<CellSummary[]>`select uuid, name from cell_mappings where uuid = ${input.cellUuid}`;
  if (!cell) throw cellNotFound(input.cellUuid, 255);
  const { job, created } = await enqueueJob(deps, { kind: MAP_INSTANCES_JOB, target: cell.uuid, actor: input.actor });
  return {
    job: mapInstancesJobView(job),
    created,
    message: created ? `map_instances for cell ${cellLabel(cell)} is queued.` : 'A map_instances job for this cell is already queued or running.',
  };
}

/** The latest map_instances jobs of a cell, newest first (the first is the current or the last one). */
export async function listMapInstancesJobs(deps: Deps, cellUuid: string, limit = 5): Promise<MapInstancesJob[]> {
  return (await listJobs(deps, { kind: MAP_INSTANCES_JOB, target: cellUuid, limit })).map(mapInstancesJobView);
}
