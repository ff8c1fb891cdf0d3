import 'server-only';
import type { Deps } from '../deps';
import { JOB_COLUMNS, type Job, type JobRow, toJob } from './job';

export interface EnqueueInput {
  kind: string;
  target: string;
  params?: Record<string, unknown>;
  actor?: string | null;
}

export interface EnqueueResult {
  job: Job;
  /** false: a job of this kind for this target was already queued or running, and that one is returned. */
  created: boolean;
}

/**
 * Queue a job, at most one queued or running per (kind, target). Two people pressing the
 * button at once both get the same job: the unique partial index decides, never a look
 * before the insert.
 */
export async function enqueueJob(deps: Pick<Deps, 'api'>, input: EnqueueInput): Promise<EnqueueResult> {
  const params = JSON.stringify(input.params ?? {});
  // The active job found by the conflict can finish before we read it; then a new one
  // may be queued after all. Three rounds are plenty: each needs a whole job to end.
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await deps.api.sql.unsafe<JobRow[]>(
      `insert into cellar.jobs (kind, target, params, actor)
       values ($1, $2, $3::jsonb, $4)
       on conflict (kind, target) where state in ('queued', 'running') do nothing
       returning ${JOB_COLUMNS}`,
      [input.kind, input.target, params, input.actor ?? null],
    );
    if (inserted[0]) return { job: toJob(inserted[0]), created: true };
    const active = await deps.api.sql.unsafe<JobRow[]>(
      `select ${JOB_COLUMNS} from cellar.jobs
       where kind = $1 and target = $2 and state in ('queued', 'running')`,
      [input.kind, input.target],
    );
    if (active[0]) return { job: toJob(active[0]), created: false };
  }
  throw new Error(`could not queue a ${input.kind} job for ${input.target}: the active job kept changing`);
}
