import { router, viewerProcedure } from '../trpc';
import { runChecks } from './run-checks';

export const checksRouter = router({
  /** Read-only, so a viewer may run it; it takes no input. */
  run: viewerProcedure.query(({ ctx }) => runChecks(ctx.deps())),
});
