import { router } from '../trpc';

export const bootRouter = router({});
