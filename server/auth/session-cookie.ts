/** The session cookie's name, without loading the auth library (proxy.ts needs only this). */
export const COOKIE_PREFIX = 'cellar';
const NAMES = [`${COOKIE_PREFIX}.session_token`, `__Secure-${COOKIE_PREFIX}.session_token`];

/** Whether a session cookie is present at all; only the server can tell whether it is valid. */
export function hasSessionCookie(headers: Headers): boolean {
  const cookie = headers.get('cookie');
  if (!cookie) return false;
  return cookie.split(';').some((pair) => {
    const eq = pair.indexOf('=');
    return eq > 0 && NAMES.includes(pair.slice(0, eq).trim()) && pair.slice(eq + 1).trim() !== '';
  });
}
