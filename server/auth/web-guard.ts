/**
 * What proxy.ts does to every request, as pure functions so they are tested here:
 * security headers, a nonce-based Content-Security-Policy (no inline script runs without
 * the per-request nonce Next puts on its own scripts), JSON-only POSTs to /api/trpc, and
 * the redirect of signed-out page requests to /sign-in. The redirect only looks for a
 * session cookie or a bearer header; whether they are valid is decided on the server by
 * every procedure and by the console layout.
 */
import { hasSessionCookie } from './session-cookie';

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

export function guardRequest(req: { method: string; pathname: string; search: string; headers: Headers }): Guard {
  const { method, pathname, headers } = req;
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

/** Only a path on this site: never an absolute or protocol-relative URL (no open redirect). */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
