import 'server-only';
/**
 * The /api/auth/* endpoints Cellar exposes from better-auth: sign-in with a user name and
 * sign-out, nothing else (no sign-up, no profile or password changes by the user, no
 * session listing). Sign-in goes through the failed-attempt limits, and the session token
 * the library returns in the body is removed: it lives only in the HttpOnly cookie.
 */
import { API_DOWN_MESSAGE, isApiDatabaseDown } from '@/db/api-unavailable';
import type { Deps } from '../deps';
import { guardInput } from '../input-guard';
import { log } from '../log';
import { AUTH_BASE_PATH, getAuth, isSecureRequest } from './better-auth';
import { clientAddress } from './client-address';
import { beginSignInAttempt, finishSignInAttempt, normalizeAttemptName } from './sign-in-limit';
import { checkRequestOrigin } from './web-guard';

const ALLOWED: Record<string, 'POST'> = { '/sign-in/username': 'POST', '/sign-out': 'POST' };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });

export async function handleAuthRequest(request: Request, deps: Pick<Deps, 'api' | 'now'>): Promise<Response> {
  const path = new URL(request.url).pathname.slice(AUTH_BASE_PATH.length).replace(/\/+$/, '');
  const method = ALLOWED[path];
  if (!method) return json(404, { message: 'Not found.' });
  if (request.method !== method) return json(405, { message: `Use ${method}.` }, { allow: method });
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return json(415, { message: 'Send a JSON body (Content-Type: application/json).' });
  }
  try {
    const auth = await getAuth(deps.api, { secure: isSecureRequest(request.headers, request.url) });
    if (path !== '/sign-in/username') return await auth.handler(request);
    return await signIn(request, deps, auth.handler);
  } catch (e) {
    if (isApiDatabaseDown(e)) {
      // Stopped, refusing or stalled: the api pool's bounds end the wait (db/runtime.ts).
      log.warn({ err: e, path }, 'auth request failed: the api database does not answer');
      return json(503, { code: 'API_DATABASE_DOWN', message: API_DOWN_MESSAGE }, { 'retry-after': '5' });
    }
    log.error({ err: e, path }, 'auth request failed');
    return json(500, { message: 'Signing in failed on the server; the details are in the server log.' });
  }
}

async function signIn(request: Request, deps: Pick<Deps, 'api' | 'now'>, handler: (r: Request) => Promise<Response>): Promise<Response> {
  const body = (await request
    .clone()
    .json()
    .catch(() => null)) as { username?: unknown } | null;
  if (!body || typeof body !== 'object') return json(400, { message: 'Send {"username": …, "password": …} as JSON.' });
  // The one input guard, as for every procedure: a NUL in the name would fail in the database.
  const refusal = guardInput(body);
  if (refusal) return json(400, { code: 'INVALID_INPUT', message: `Invalid input: ${refusal.message}` });
  const who = { username: normalizeAttemptName(body.username), address: clientAddress(request.headers) };
  const start = await beginSignInAttempt(deps, who);
  if ('refused' in start) return json(429, { code: 'TOO_MANY_ATTEMPTS', message: start.refused }, { 'retry-after': String(start.retryAfterS) });

  let res: Response;
  try {
    res = await handler(request);
  } catch (e) {
    await finishSignInAttempt(deps, start.attemptId, who, 'not-counted');
    throw e;
  }
  const outcome = res.status === 200 ? 'succeeded' : res.status === 401 ? 'failed' : 'not-counted';
  await finishSignInAttempt(deps, start.attemptId, who, outcome);
  if (res.status === 401) return json(401, { code: 'INVALID_USERNAME_OR_PASSWORD', message: 'Wrong user name or password.' });
  if (res.status !== 200) return res;

  const payload = (await res.json()) as { user?: { username?: string; role?: string }; token?: string };
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify({ user: { username: payload.user?.username ?? null, role: payload.user?.role ?? null } }), {
    status: 200,
    headers,
  });
}

/**
 * Sign-out from the console's plain HTML form (it works before, or without, JavaScript).
 * A cross-site form cannot carry the SameSite=Lax cookie, and the request must pass the
 * Origin check all the same (checkRequestOrigin in web-guard.ts, as proxy.ts applies it:
 * X-Forwarded-Host counts only from trusted proxies); then the library ends the session
 * and the browser goes to the sign-in page with the cookie's removal.
 */
export async function handleSignOutForm(request: Request, deps: Pick<Deps, 'api' | 'now'>): Promise<Response> {
  if (!checkRequestOrigin(request).ok) {
    return new Response('Signing out must come from this site.\n', { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  try {
    const auth = await getAuth(deps.api, { secure: isSecureRequest(request.headers, request.url) });
    const { headers } = await auth.api.signOut({ headers: request.headers, returnHeaders: true });
    const out = new Headers({ location: '/sign-in', 'cache-control': 'no-store' });
    for (const c of headers.getSetCookie()) out.append('set-cookie', c);
    return new Response(null, { status: 303, headers: out });
  } catch (e) {
    log.error({ err: e }, 'sign-out failed');
    return new Response('Signing out failed on the server; the details are in the server log.\n', {
      status: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
}
