import 'server-only';
/**
 * A repair as a background job (the console's "Run"): the rows of the dry run the operator
 * confirmed, changed batch by batch by applyRepair, the progress stored after each batch.
 * A job whose process dies is claimed again once its heartbeat is stale and goes on from
 * the stored position; the batch that was cut off is run again, and its condition, checked
 * again in the statement, leaves alone what the dead process already changed.
 */
import { z } from 'zod';
import type { Principal } from '../auth/roles';
import { roleSchema } from '../auth/roles';
import type { Job } from '../jobs/job';
import type { JobBody } from '../jobs/job-body';
import { applyRepair } from './apply-repair';
import { REPAIR_JOB, type RepairJob, type RepairKind, type RepairProgress, repairKindSchema } from './repair-kinds';

export { REPAIR_JOB };

export const repairJobParams = z.object({
  kind: repairKindSchema,
  cellUuid: z.string().nullable(),
  keys: z.array(z.string()),
  source: z.enum(['console', 'cli']),
  principal: z.object({ kind: z.enum(['user', 'token', 'cli', 'internal']), name: z.string(), role: roleSchema }),
  requestId: z.string().nullable(),
});
export type RepairJobParams = z.infer<typeof repairJobParams>;

const count = z.number().int().nonnegative().catch(0);
const progressSchema = z.object({
  total: count,
  position: count,
  changed: count,
  skipped: count,
  notReached: count,
  batches: count,
  down: z.array(z.object({ uuid: z.string(), name: z.string().nullable(), reason: z.any(), message: z.string(), elapsedMs: z.number() })).catch([]),
});

/** Tolerant on read, so an odd row cannot wedge a resume. */
export function readRepairProgress(progress: Record<string, unknown>, total = 0): RepairProgress {
  return progressSchema.parse({ total, position: 0, changed: 0, skipped: 0, notReached: 0, batches: 0, down: [], ...progress }) as RepairProgress;
}

/** The job for the console: its progress read into numbers, its params without the row keys. */
export function repairJobView(job: Job): RepairJob {
  const keys = Array.isArray(job.params.keys) ? job.params.keys.length : 0;
  return {
    ...job,
    params: { kind: job.params.kind as RepairKind, cellUuid: typeof job.params.cellUuid === 'string' ? job.params.cellUuid : null, rows: keys },
    progress: readRepairProgress(job.progress, keys),
  };
}

export function repairJob(opts: { batch?: number } = {}): JobBody {
  return async ({ deps, job, signal, report, finish }) => {
    const params = repairJobParams.parse(job.params);
    const principal: Principal = params.principal;
    const p = readRepairProgress(job.progress, params.keys.length);
    const done = await applyRepair(
      deps,
      params.kind,
      params.keys,
      { source: params.source, principal, jobId: job.id, requestId: params.requestId },
      { progress: p, batch: opts.batch, signal, onBatch: (x) => report({ ...x }) },
    );
    await finish({ ...done }, { changed: done.changed, skipped: done.skipped, notReached: done.notReached, cellsDown: done.down.length });
  };
}
