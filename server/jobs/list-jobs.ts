import 'server-only';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { JOB_COLUMNS, type Job, type JobRow, toJob } from './job';

export async function getJob(deps: Pick<Deps, 'api'>, id: number): Promise<Job> {
  const [row] = await deps.api.sql.unsafe<JobRow[]>(`select ${JOB_COLUMNS} from cellar.jobs where id = $1`, [id]);
  if (!row) throw refuse.notFound(`Job ${id} was not found.`);
  return toJob(row);
}

/** The latest jobs of a kind for a target, newest first: the current one (if any) and the last ones before it. */
export async function listJobs(deps: Pick<Deps, 'api'>, input: { kind: string; target: string; limit?: number }): Promise<Job[]> {
  const rows = await deps.api.sql.unsafe<JobRow[]>(`select ${JOB_COLUMNS} from cellar.jobs where kind = $1 and target = $2 order by id desc limit $3`, [
    input.kind,
    input.target,
    input.limit ?? 10,
  ]);
  return rows.map(toJob);
}
