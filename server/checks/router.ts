import { router, viewerProcedure } from '../trpc';
import { checksInput } from './contract';
import { runChecksFor } from './run-checks';

export const checksRouter = router({
  /**
   * Read-only, so a viewer may run it. Without input: every cell. With `cellUuids`: only
   * those, with the parts a page composes the report from (the checks page asks each cell
   * on its own; an empty list asks none and carries the api side).
   */
  run: viewerProcedure.input(checksInput).query(({ ctx, input }) => runChecksFor(ctx.deps(), { cellUuids: input?.cellUuids })),
});
