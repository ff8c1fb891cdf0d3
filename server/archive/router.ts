import { operatorProcedure, router } from '../trpc';
import { archiveDryRun } from './archive-deleted-rows';
import { ARCHIVE_JOB, archiveDryRunInput, PURGE_JOB, purgeDryRunInput, startArchiveInput, startPurgeInput } from './contract';
import { purgeDryRun } from './purge-shadow';
import { listArchiveJobs, startArchiveJob } from './start-archive';

/** archive_deleted_rows and purge: dry runs first, then the jobs (every cell, cell0 first). Operators only. */
export const archiveRouter = router({
  dryRun: operatorProcedure.input(archiveDryRunInput).query(({ ctx, input }) => archiveDryRun(ctx.deps(), { before: input.before ?? null })),
  purgeDryRun: operatorProcedure.input(purgeDryRunInput).query(({ ctx, input }) => purgeDryRun(ctx.deps(), { before: input.before ?? null })),
  start: operatorProcedure
    .input(startArchiveInput)
    .mutation(({ ctx, input }) =>
      startArchiveJob(ctx.deps(), { kind: ARCHIVE_JOB, maxRows: input.maxRows, before: input.before ?? null, actor: ctx.principal.name }),
    ),
  startPurge: operatorProcedure
    .input(startPurgeInput)
    .mutation(({ ctx, input }) => startArchiveJob(ctx.deps(), { kind: PURGE_JOB, before: input.before ?? null, actor: ctx.principal.name })),
  jobs: operatorProcedure.query(({ ctx }) => listArchiveJobs(ctx.deps())),
});
