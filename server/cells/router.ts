import { router, viewerProcedure } from '../trpc';
import { listCells } from './list-cells';

export const cellsRouter = router({
  list: viewerProcedure.query(({ ctx }) => listCells(ctx.deps())),
});
