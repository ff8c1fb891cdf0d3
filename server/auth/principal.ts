import 'server-only';
/**
 * Who a request is: an automation token (Authorization: Bearer cellar_…), else the
 * signed-in user of the session cookie, else nobody. A bearer header that does not hold a
 * valid token is refused outright, never quietly treated as the cookie's user.
 */
import type { Deps } from '../deps';
import { getAuth, isSecureRequest } from './better-auth';
import { type Resolution, roleSchema } from './roles';
import { hasSessionCookie } from './session-cookie';
import { authenticateToken } from './tokens';

export async function resolvePrincipal(deps: Pick<Deps, 'api' | 'now'>, headers: Headers): Promise<Resolution> {
  const authorization = headers.get('authorization');
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return { refused: 'Only bearer tokens are accepted: Authorization: Bearer cellar_…' };
    return authenticateToken(deps, m[1]!);
  }
  if (!hasSessionCookie(headers)) return { none: true };
  const auth = await getAuth(deps.api, { secure: isSecureRequest(headers) });
  const session = await auth.api.getSession({ headers });
  if (!session) return { refused: 'Your session has ended; sign in again.' };
  const user = session.user as { username?: string | null; role?: unknown };
  const role = roleSchema.safeParse(user.role);
  if (!role.success || !user.username) return { refused: 'Your account has no valid role; ask an operator.' };
  return { principal: { kind: 'user', name: user.username, role: role.data } };
}
