/**
 * What proxy.ts does to every request, as pure functions so they are tested here:
 * security headers, a nonce-based Content-Security-Policy (no inline script runs without
 * the per-request nonce Next puts on its own scripts), the Origin check on every POST,
 * JSON-only POSTs to /api/trpc, and the redirect of signed-out page requests to /sign-in.
 * The redirect only looks for a session cookie or a bearer header; whether they are valid
 * is decided on the server by every procedure and by the console layout.
 */
import { trustedProxyHops } from './client-address';
import { hasSessionCookie } from './session-cookie';

type Env = Record<string, string | undefined>;

export const PATH_HEADER = 'x-cellar-path';

export function contentSecurityPolicy(nonce: string, opts: { dev?: boolean; https?: boolean } = {}): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonced Next runtime loads are trusted, nothing else.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** For API answers: nothing to render, nothing to frame. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // For browsers older than frame-ancestors.
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** Pages anyone may open, and API routes that do their own checks (or need none). */
const PUBLIC_PAGES = ['/sign-in', '/sign-out'];

export type Guard = { action: 'continue'; page: boolean } | { action: 'redirect'; location: string } | { action: 'reject'; status: number; message: string };

/** Methods that change nothing; every other one (POST: the server refuses the rest) passes the Origin check first. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** `url` is the request's URL as Next gives it: only its scheme (and its host when there is no Host header) is used. */
export function guardRequest(req: { method: string; pathname: string; search: string; url: string; headers: Headers }, env: Env = process.env): Guard {
  const { method, pathname, headers } = req;
  if (!SAFE_METHODS.has(method.toUpperCase())) {
    const origin = checkRequestOrigin({ url: req.url, headers }, env);
    if (!origin.ok) return { action: 'reject', status: 403, message: origin.message };
  }
  if (pathname.startsWith('/api/')) {
    if (pathname.startsWith('/api/trpc') && method === 'POST') {
      const type = (headers.get('content-type') ?? '').toLowerCase();
      // A form or text/plain POST is what a cross-site page can send without asking first.
      if (!type.startsWith('application/json')) {
        return { action: 'reject', status: 415, message: 'Mutations take a JSON body: send Content-Type: application/json.' };
      }
    }
    return { action: 'continue', page: false };
  }
  if (PUBLIC_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return { action: 'continue', page: true };
  const signedIn = hasSessionCookie(headers) || /^Bearer\s/i.test(headers.get('authorization') ?? '');
  if (!signedIn) {
    const next = `${pathname}${req.search}`;
    return { action: 'redirect', location: next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}` };
  }
  return { action: 'continue', page: true };
}

/**
 * The origin the console answers on, to compare a request's Origin with: BETTER_AUTH_URL
 * when set (the public URL, as better-auth uses it); otherwise the Host header (the
 * request URL's host without one) and the request URL's scheme. X-Forwarded-Host and
 * X-Forwarded-Proto (their first entries) count only when CELLAR_TRUSTED_PROXY_HOPS > 0:
 * without trusted proxies they are whatever the client wrote. Null when it cannot be told.
 */
export function consoleOrigin(req: { url: string; headers: Headers }, env: Env = process.env): string | null {
  const configured = env.BETTER_AUTH_URL?.trim();
  if (configured) {
    const origin = parseOrigin(configured);
    if (origin) return origin;
  }
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return null;
  }
  const first = (name: string) => req.headers.get(name)?.split(',')[0]?.trim() || null;
  const trusted = trustedProxyHops(env) > 0;
  const host = (trusted ? first('x-forwarded-host') : null) ?? (req.headers.get('host')?.trim() || url.host);
  const scheme = ((trusted ? first('x-forwarded-proto') : null) ?? url.protocol.replace(/:$/, '')).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return null;
  // A host name or an IP literal and a port: nothing that would make the URL below another host (user info, a path).
  if (!/^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(host)) return null;
  return parseOrigin(`${scheme}://${host}`);
}

function parseOrigin(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

export type OriginCheck = { ok: true } | { ok: false; message: string };

const CROSS_SITE = 'Refused: this request came from another site, not from the console itself.';

/**
 * Whether a state-changing request may come from where it came from (CSRF). A browser's
 * Sec-Fetch-Site decides when present (it cannot be set by a page): same-origin or none
 * (typed by the user) pass, anything else is refused. Otherwise the Origin must be the
 * console's own (consoleOrigin); 'null', or one that is not a well-formed origin, is
 * refused. A request with neither header is not from a browser (curl, scripts with a
 * bearer token: browsers send Origin on every POST) and passes: it carries no one else's
 * cookie.
 */
export function checkRequestOrigin(req: { url: string; headers: Headers }, env: Env = process.env): OriginCheck {
  const site = req.headers.get('sec-fetch-site');
  if (site !== null) {
    const value = site.trim().toLowerCase();
    return value === 'same-origin' || value === 'none' ? { ok: true } : { ok: false, message: CROSS_SITE };
  }
  const origin = req.headers.get('origin');
  if (origin === null) return { ok: true };
  // A browser sends the serialized origin exactly: scheme://host[:port], nothing more.
  const sent = parseOrigin(origin.trim());
  if (!sent || sent !== origin.trim()) return { ok: false, message: 'Refused: the Origin header is not an origin this console accepts.' };
  return sent === consoleOrigin(req, env) ? { ok: true } : { ok: false, message: CROSS_SITE };
}

const NEXT_BASE = 'http://cellar.invalid';

/**
 * Where to go after sign-in: only a path on this site, else /. Decided by parsing, not by
 * a pattern: control characters (which the URL parser drops, so `/<TAB>/evil` is `//evil`)
 * and backslashes (read as `/`) are refused outright; the rest is resolved against a
 * placeholder origin and kept only if the origin is unchanged and the path does not start
 * with `//` (`/.//evil` resolves to it, and a browser reads it as another host). The
 * answer is the parsed path, query and fragment (non-ASCII percent-encoded).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2048) return '/';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point.
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, NEXT_BASE);
  } catch {
    return '/';
  }
  if (url.origin !== NEXT_BASE) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith('/') || path.startsWith('//')) return '/';
  return path;
}
