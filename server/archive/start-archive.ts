import 'server-only';
/** The console's "Archive" and "Purge": queue the job over every cell (or get the one already queued or running). */
import type { Deps } from '../deps';
import { enqueueJob } from '../jobs/enqueue-job';
import type { Job } from '../jobs/job';
import { listJobs } from '../jobs/list-jobs';
import { ALL_CELLS_TARGET, ARCHIVE_JOB, type ArchiveJobView, PURGE_JOB, readArchiveJobProgress } from './contract';

export const archiveJobView = (job: Job): ArchiveJobView => ({ ...job, progress: readArchiveJobProgress(job.progress) });

export async function startArchiveJob(
  deps: Deps,
  input: { kind: typeof ARCHIVE_JOB | typeof PURGE_JOB; maxRows?: number; before: Date | null; actor: string | null },
): Promise<{ job: ArchiveJobView; created: boolean; message: string }> {
  const what = input.kind === ARCHIVE_JOB ? 'archive_deleted_rows' : 'purge';
  const { job, created } = await enqueueJob(deps, {
    kind: input.kind,
    target: ALL_CELLS_TARGET,
    params: { maxRows: input.maxRows, before: input.before?.toISOString() ?? null },
    actor: input.actor,
  });
  return {
    job: archiveJobView(job),
    created,
    message: created ? `${what} over every cell is queued.` : `A ${what} job is already queued or running.`,
  };
}

/** The latest archive and purge jobs, newest first. */
export async function listArchiveJobs(deps: Deps, limit = 5): Promise<{ archive: ArchiveJobView[]; purge: ArchiveJobView[] }> {
  const [archive, purge] = await Promise.all([
    listJobs(deps, { kind: ARCHIVE_JOB, target: ALL_CELLS_TARGET, limit }),
    listJobs(deps, { kind: PURGE_JOB, target: ALL_CELLS_TARGET, limit }),
  ]);
  return { archive: archive.map(archiveJobView), purge: purge.map(archiveJobView) };
}
