import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, guardRequest, safeNextPath, SECURITY_HEADERS } from './web-guard';

const req = (method: string, url: string, headers: Record<string, string> = {}) => {
  const u = new URL(url, 'http://127.0.0.1');
  return { method, pathname: u.pathname, search: u.search, headers: new Headers(headers) };
};

describe('the web guard in front of the console', () => {
  it('sends a signed-out page request to /sign-in, keeping where it was going', () => {
    expect(guardRequest(req('GET', '/'))).toEqual({ action: 'redirect', location: '/sign-in' });
    expect(guardRequest(req('GET', '/hosts?cell=x'))).toEqual({ action: 'redirect', location: '/sign-in?next=%2Fhosts%3Fcell%3Dx' });
    expect(guardRequest(req('GET', '/sign-in'))).toEqual({ action: 'continue', page: true });
  });

  it('lets a page request with a session cookie (either name) or a bearer header through to the server, which checks it', () => {
    expect(guardRequest(req('GET', '/users', { cookie: 'a=b; cellar.session_token=abc.sig' }))).toEqual({ action: 'continue', page: true });
    expect(guardRequest(req('GET', '/users', { cookie: '__Secure-cellar.session_token=abc.sig' }))).toEqual({ action: 'continue', page: true });
    expect(guardRequest(req('GET', '/users', { cookie: 'cellar.session_token=' }))).toMatchObject({ action: 'redirect' });
    expect(guardRequest(req('GET', '/users', { cookie: 'other.session_token=x' }))).toMatchObject({ action: 'redirect' });
    expect(guardRequest(req('GET', '/users', { authorization: 'Bearer cellar_x' }))).toEqual({ action: 'continue', page: true });
  });

  it('keeps /api/health public and leaves API authorization to the API', () => {
    expect(guardRequest(req('GET', '/api/health'))).toEqual({ action: 'continue', page: false });
    expect(guardRequest(req('GET', '/api/trpc/cells.list'))).toEqual({ action: 'continue', page: false });
  });

  it('refuses tRPC POSTs that are not JSON (what a cross-site form could send)', () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', '']) {
      expect(guardRequest(req('POST', '/api/trpc/cells.delete', type ? { 'content-type': type } : {}))).toEqual({
        action: 'reject',
        status: 415,
        message: 'Mutations take a JSON body: send Content-Type: application/json.',
      });
    }
    expect(guardRequest(req('POST', '/api/trpc/cells.delete', { 'content-type': 'application/json' }))).toEqual({ action: 'continue', page: false });
  });

  it('builds a CSP with a nonce and no inline scripts, no framing, and the other headers', () => {
    const csp = contentSecurityPolicy('abc123');
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(contentSecurityPolicy('n', { https: true })).toContain('upgrade-insecure-requests');
    expect(SECURITY_HEADERS).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'strict-origin-when-cross-origin' });
  });

  it('follows only a path on this site after sign-in', () => {
    expect(safeNextPath('/hosts?x=1')).toBe('/hosts?x=1');
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', null]) expect(safeNextPath(bad)).toBe('/');
  });
});
