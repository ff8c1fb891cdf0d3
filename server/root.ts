import { cellsRouter } from './cells/router';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  cells: cellsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
