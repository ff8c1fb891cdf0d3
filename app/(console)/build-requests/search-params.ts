import { parseAsInteger } from 'nuqs/server';
import { DEFAULT_STUCK_AFTER_MINUTES, MAX_STUCK_AFTER_MINUTES } from '@/server/triage/contract';

/** The build requests page's state in the URL: the stuck threshold, in minutes. */
export const buildRequestsSearchParams = {
  stuck: parseAsInteger.withDefault(DEFAULT_STUCK_AFTER_MINUTES),
};

/** The query input for a URL state; a pasted value out of range falls back to the nearest bound. */
export function buildRequestsInput(s: { stuck: number }) {
  return { stuckAfterMinutes: Math.min(MAX_STUCK_AFTER_MINUTES, Math.max(1, Math.round(s.stuck))) };
}
