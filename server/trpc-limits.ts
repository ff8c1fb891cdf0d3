/**
 * How many calls one tRPC request may carry: the console's batch link sends at most this
 * many, and the server refuses a larger batch before any call runs. Browser-safe.
 */
export const MAX_BATCH_CALLS = 10;
