import 'server-only';
import { type Deps, runtimeDeps } from '../deps';
import { resolvePrincipal } from './principal';
import type { Resolution } from './roles';

/** The principal of a page request (the console layout and the sign-in page). */
export function principalForRequest(headers: Headers, deps: Pick<Deps, 'api' | 'now'> = runtimeDeps()): Promise<Resolution> {
  return resolvePrincipal(deps, headers);
}
