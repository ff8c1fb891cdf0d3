import { router } from '../trpc';

export const triageRouter = router({});
