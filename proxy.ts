/**
 * Next's proxy (formerly middleware), in front of every request but static files: security
 * headers and a per-request CSP nonce on pages, the Origin check on every POST (tRPC
 * mutations, /api/auth sign-in and sign-out, /sign-out), JSON-only tRPC POSTs, and
 * signed-out page requests sent to /sign-in. /api/health stays public for load balancers. The decisions
 * are in server/auth/web-guard.ts.
 */
import { type NextRequest, NextResponse } from 'next/server';
import { API_CSP, contentSecurityPolicy, guardRequest, PATH_HEADER, SECURITY_HEADERS } from '@/server/auth/web-guard';

function withHeaders(res: NextResponse, csp: string): NextResponse {
  res.headers.set('Content-Security-Policy', csp);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
  return res;
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const guard = guardRequest({ method: request.method, pathname, search, url: request.url, headers: request.headers });
  if (guard.action === 'reject') {
    return withHeaders(NextResponse.json({ error: { message: guard.message } }, { status: guard.status }), API_CSP);
  }
  if (guard.action === 'redirect') return withHeaders(NextResponse.redirect(new URL(guard.location, request.url)), API_CSP);
  if (!guard.page) return withHeaders(NextResponse.next(), API_CSP);

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const https = request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === 'development', https });
  // Next reads the nonce from the request's CSP header and puts it on its own scripts.
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', csp);
  headers.set('x-nonce', nonce);
  headers.set(PATH_HEADER, `${pathname}${search}`);
  return withHeaders(NextResponse.next({ request: { headers } }), csp);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
