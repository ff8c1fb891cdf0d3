/**
 * When a build request counts as stuck. A healthy conductor places a boot in seconds (one
 * select_destinations call under rpc_response_timeout, 60 s); a scheduler retry or a slow
 * placement adds a few minutes at most. Ten minutes is well past that, and short enough
 * that a stuck conductor shows before users open tickets. Kept apart from the listing so
 * the page can share it without loading database code.
 */
export const DEFAULT_STUCK_AFTER_MINUTES = 10;
/** One week: a threshold beyond that hides nothing worth seeing. */
export const MAX_STUCK_AFTER_MINUTES = 7 * 24 * 60;
