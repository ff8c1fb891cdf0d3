import { safeNextPath } from '@/server/auth/web-guard';

/** Where a sign-in lands when it was not sent from a page: the overview. */
export const LANDING_PATH = '/overview';

/**
 * Where to go after signing in: the page that sent the user here (`next`, kept to this
 * site by safeNextPath), or the overview when none did — no `next`, an empty one, or `/`,
 * which is what a signed-out visit to the console's root and a sign-out leave. `/` itself
 * stays the cells page for whoever opens it.
 */
export function landingPath(next: string | null | undefined): string {
  if (next === null || next === undefined || next === '' || next === '/') return LANDING_PATH;
  return safeNextPath(next);
}
