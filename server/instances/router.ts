import { router } from '../trpc';

export const instancesRouter = router({});
