import 'server-only';
/**
 * map_instances as a background job: the console's "Map instances" on a cell. The body
 * calls mapInstances (the CLI's code) one batch at a time and stores its progress after
 * every batch, with the position it reached. A job whose process is killed is claimed
 * again once its heartbeat is stale and goes on from the last stored position; the batch
 * that was cut off is read again, and the unique key on instance_mappings.instance_uuid
 * turns whatever the dead process had already inserted into "already mapped". Running the
 * job twice maps nothing twice, for the same reason.
 *
 * nova keeps one resume marker for all cells. Two jobs on two cells (or a job and a
 * console-less `map_instances --max-count` loop) would otherwise move each other's marker;
 * so each batch takes an advisory lock, points the marker at the job's own position, and
 * runs. The lock belongs to a database session, so a killed process lets go of it at once.
 */
import { z } from 'zod';
import { askOneCell } from '../cells/ask-one-cell';
import { cellNotFound } from '../cells/cell-ref';
import type { Deps } from '../deps';
import { MAP_ALL_BATCH, type MapInstancesResult, mapInstances, saveMarker } from '../instances/map-instances';
import type { JobBody } from './job-body';

export const MAP_INSTANCES_JOB = 'map_instances';

const count = z.number().int().nonnegative().catch(0);
/** What the job stores after each batch; tolerant on read, so an odd row cannot wedge a resume. */
export const mapInstancesProgress = z.object({
  /** Instances in the cell, deleted ones included, counted once when the job first starts. */
  total: z.number().int().nonnegative().nullable().catch(null),
  scanned: count,
  mapped: count,
  alreadyMapped: count,
  /** The VIF migration's fake instance, and instances without a project: never mapped. */
  skipped: count,
  batches: count,
  /** The last instance uuid processed: where a resumed job goes on. null: from the oldest instance. */
  marker: z.string().nullable().catch(null),
});
export type MapInstancesProgress = z.infer<typeof mapInstancesProgress>;

export function readMapInstancesProgress(progress: Record<string, unknown>): MapInstancesProgress {
  return mapInstancesProgress.parse({ total: null, marker: null, ...progress });
}

/** The count the progress bar runs to: one fan-out read of the cell, under the deadline. */
async function countInstances(deps: Deps, cellUuid: string): Promise<number> {
  const [cell] = await deps.api.sql<{ id: number; uuid: string; name: string | null; database_connection: string | null }[]>`
    select id, uuid, name, database_connection from cell_mappings where uuid = ${cellUuid}`;
  if (!cell) throw cellNotFound(cellUuid, 255);
  const ref = { id: cell.id, uuid: cell.uuid, name: cell.name, databaseConnection: cell.database_connection };
  return askOneCell(deps, ref, async ({ handle }) => (await handle.sql<{ n: number }[]>`select count(*)::int as n from instances`)[0]!.n, {
    consequence: 'no instances were mapped',
    exitCode: 255,
  });
}

/** How long a batch waits for another cell's batch to let go of the marker. */
const MARKER_LOCK_WAIT_MS = 10 * 60_000;

/** One batch of mapInstances from `marker` (null: from the oldest), holding the marker lock. */
async function mapBatch(deps: Deps, cellUuid: string, marker: string | null, batch: number): Promise<MapInstancesResult> {
  const session = await deps.api.sql.reserve();
  try {
    // Short tries, not a blocking pg_advisory_lock: a wait longer than the api pool's
    // statement timeout would end as "the api database does not answer".
    const until = Date.now() + MARKER_LOCK_WAIT_MS;
    while (!(await session<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtext('cellar:map_instances:marker')) as ok`)[0]!.ok) {
      if (Date.now() > until) throw new Error(`the map_instances marker stayed locked for ${MARKER_LOCK_WAIT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      if (marker !== null) await saveMarker(deps, marker);
      return await mapInstances(deps, { cellUuid, maxCount: batch, reset: marker === null });
    } finally {
      await session`select pg_advisory_unlock(hashtext('cellar:map_instances:marker'))`;
    }
  } finally {
    session.release();
  }
}

export function mapInstancesJob(opts: { batch?: number } = {}): JobBody {
  const batch = opts.batch ?? MAP_ALL_BATCH;
  return async ({ deps, job, signal, report, finish }) => {
    const cellUuid = job.target;
    const p = readMapInstancesProgress(job.progress);
    if (p.total === null) {
      p.total = await countInstances(deps, cellUuid);
      await report(p);
    }
    for (;;) {
      signal.throwIfAborted();
      const r = await mapBatch(deps, cellUuid, p.marker, batch);
      p.scanned += r.scanned;
      p.mapped += r.mapped;
      p.alreadyMapped += r.alreadyMapped;
      p.skipped += r.skipped;
      p.batches += 1;
      p.marker = r.marker;
      if (r.exitCode === 0) {
        const { marker: _done, ...counts } = p;
        await finish(p, counts);
        return;
      }
      await report(p);
    }
  };
}
