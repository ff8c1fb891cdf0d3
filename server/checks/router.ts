import { router } from '../trpc';

export const checksRouter = router({});
