import { archiveRouter } from './archive/router';
import { authRouter } from './auth/router';
import { bootRouter } from './boot/router';
import { cellsRouter } from './cells/router';
import { checksRouter } from './checks/router';
import { hostsRouter } from './hosts/router';
import { instancesRouter } from './instances/router';
import { jobsRouter } from './jobs/router';
import { overviewRouter } from './overview/router';
import { repairsRouter } from './repairs/router';
import { triageRouter } from './triage/router';
import { createCallerFactory, router } from './trpc';

/** One line per area. */
export const appRouter = router({
  cells: cellsRouter,
  hosts: hostsRouter,
  checks: checksRouter,
  boot: bootRouter,
  instances: instancesRouter,
  jobs: jobsRouter,
  triage: triageRouter,
  overview: overviewRouter,
  repairs: repairsRouter,
  auth: authRouter,
  archive: archiveRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
