import { router } from '../trpc';

export const hostsRouter = router({});
