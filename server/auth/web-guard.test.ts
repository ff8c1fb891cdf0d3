import { describe, expect, it } from 'vitest';
import { checkRequestOrigin, consoleOrigin, contentSecurityPolicy, guardRequest, safeNextPath, SECURITY_HEADERS } from './web-guard';

const req = (method: string, url: string, headers: Record<string, string> = {}) => {
  const u = new URL(url, 'http://127.0.0.1');
  return { method, pathname: u.pathname, search: u.search, url: u.href, headers: new Headers(headers) };
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

/** Where a browser goes with this Location on https://cellar.example: it must stay there. */
const BROWSER_BASE = 'https://cellar.example';
const landsOn = (location: string) => new URL(location, `${BROWSER_BASE}/sign-in`).origin;

describe('the redirect after sign-in (safeNextPath)', () => {
  it('keeps a path, its query and its fragment on this site', () => {
    expect(safeNextPath('/')).toBe('/');
    expect(safeNextPath('/cell0/0b5f0f0e-3d5a-4a43-9d35-7c1f0a2e1b11?tab=faults#top')).toBe('/cell0/0b5f0f0e-3d5a-4a43-9d35-7c1f0a2e1b11?tab=faults#top');
    expect(safeNextPath('/hosts?cell=cell1&q=a%20b')).toBe('/hosts?cell=cell1&q=a%20b');
    expect(safeNextPath('/a/../hosts')).toBe('/hosts');
  });

  it('refuses control characters, which the URL parser drops (`/<TAB>/evil` is `//evil`) and a header cannot carry', () => {
    for (const c of ['\t', '\n', '\r', '\0', '\x0b', '\x0c', '\x1f', '\x7f', '\u0085', '\u009b']) {
      for (const bad of [`/${c}/evil.example/`, `/${c}/evil.example`, `${c}//evil.example`, `/hosts${c}`, `/${c}\\evil.example`]) {
        expect(safeNextPath(bad), JSON.stringify(bad)).toBe('/');
      }
    }
  });

  it('refuses other hosts however they are written', () => {
    for (const bad of [
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\\/evil.example',
      'https://evil.example',
      'https:evil.example',
      'http://cellar.invalid/hosts',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      ' /hosts',
      'hosts',
      '/.//evil.example',
      '/./\\evil.example',
      '/%2e%2e//evil.example',
      '/../..//evil.example',
      '/x/..//evil.example',
      `/${'a'.repeat(3000)}`,
    ]) {
      expect(safeNextPath(bad), JSON.stringify(bad)).toBe('/');
    }
  });

  it('answers only paths a browser keeps on this site (percent-encoded and unicode look-alikes stay paths here)', () => {
    for (const tricky of [
      '/%09/evil.example',
      '/%0a/evil.example',
      '/%2F%2Fevil.example',
      '/%5C%5Cevil.example',
      '/\u2215\u2215evil.example',
      '/\uff0f\uff0fevil.example',
      '/\u3002evil.example',
      '/\u200b/evil.example',
      '/\u2028/evil.example',
      '/\ufeff/evil.example',
      '/@evil.example',
      '/#//evil.example',
      '/?next=//evil.example',
    ]) {
      const out = safeNextPath(tricky);
      expect(out.startsWith('/') && !out.startsWith('//'), `${JSON.stringify(tricky)} → ${out}`).toBe(true);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: what a Location header must not hold.
      expect(out, JSON.stringify(tricky)).not.toMatch(/[\u0000-\u001f\u007f-\uffff\\]/);
      expect(landsOn(out), JSON.stringify(tricky)).toBe(BROWSER_BASE);
    }
    expect(safeNextPath('/\uff0f\uff0fevil.example')).toBe('/%EF%BC%8F%EF%BC%8Fevil.example');
  });
});

describe('the Origin check on POSTs (checkRequestOrigin, consoleOrigin)', () => {
  const URL_ = 'http://127.0.0.1:3000/api/trpc/cells.delete';
  const check = (headers: Record<string, string>, env: Record<string, string | undefined> = {}, url = URL_) =>
    checkRequestOrigin({ url, headers: new Headers(headers) }, env);
  const HOST = { host: 'cellar.example:3000' };

  it('passes an Origin that is the console’s own (the Host header and the request’s scheme)', () => {
    expect(check({ ...HOST, origin: 'http://cellar.example:3000' })).toEqual({ ok: true });
    expect(check({ host: 'cellar.example', origin: 'http://cellar.example' })).toEqual({ ok: true });
    expect(check({ host: 'cellar.example:80', origin: 'http://cellar.example' })).toEqual({ ok: true });
    expect(check({ host: '[::1]:3000', origin: 'http://[::1]:3000' })).toEqual({ ok: true });
    expect(check({ host: 'cellar_web:3000', origin: 'http://cellar_web:3000' })).toEqual({ ok: true });
    // No Host header (a Request built in code): the URL's host.
    expect(check({ origin: 'http://127.0.0.1:3000' })).toEqual({ ok: true });
    expect(check({ host: 'cellar.example', origin: 'https://cellar.example' }, {}, 'https://127.0.0.1:3000/x')).toEqual({ ok: true });
  });

  it('refuses a foreign, null or malformed Origin', () => {
    for (const origin of [
      'https://evil.example',
      'http://evil.example:3000',
      'http://cellar.example:3001',
      'https://cellar.example:3000',
      'http://cellar.example.evil.example:3000',
      'null',
      'NULL',
      '',
      'cellar.example:3000',
      'http://',
      'http://cellar.example:3000/',
      'http://cellar.example:3000/path',
      'http://user@cellar.example:3000',
      'HTTP://cellar.example:3000',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://cellar.example:3000, https://evil.example',
    ]) {
      const out = check({ ...HOST, origin });
      expect(out.ok, JSON.stringify(origin)).toBe(false);
    }
    expect(check({ ...HOST, origin: 'https://evil.example' })).toEqual({
      ok: false,
      message: 'Refused: this request came from another site, not from the console itself.',
    });
  });

  it('lets Sec-Fetch-Site decide when a browser sends it: same-origin and none pass, same-site and cross-site do not', () => {
    expect(check({ ...HOST, 'sec-fetch-site': 'same-origin', origin: 'http://cellar.example:3000' })).toEqual({ ok: true });
    // Behind a proxy the console cannot see its public origin; the browser can.
    expect(check({ ...HOST, 'sec-fetch-site': 'same-origin', origin: 'https://cellar.public.example' })).toEqual({ ok: true });
    expect(check({ ...HOST, 'sec-fetch-site': 'none' })).toEqual({ ok: true });
    for (const site of ['cross-site', 'same-site', 'Cross-Site', '', 'bogus']) {
      expect(check({ ...HOST, 'sec-fetch-site': site, origin: 'http://cellar.example:3000' }).ok, site).toBe(false);
      expect(check({ ...HOST, 'sec-fetch-site': site }).ok, site).toBe(false);
    }
  });

  it('passes a request with neither Origin nor Sec-Fetch-Site (curl, scripts with a bearer token)', () => {
    expect(check({ ...HOST })).toEqual({ ok: true });
    expect(check({ ...HOST, authorization: 'Bearer cellar_x' })).toEqual({ ok: true });
  });

  it('ignores X-Forwarded-Host and X-Forwarded-Proto from the client itself (no trusted proxy hops)', () => {
    const forged = { ...HOST, origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    expect(check(forged).ok).toBe(false);
    expect(check(forged, { CELLAR_TRUSTED_PROXY_HOPS: '0' }).ok).toBe(false);
    expect(check(forged, { CELLAR_TRUSTED_PROXY_HOPS: 'many' }).ok).toBe(false);
    expect(check({ ...HOST, origin: 'http://cellar.example:3000', 'x-forwarded-host': 'evil.example' })).toEqual({ ok: true });
    expect(consoleOrigin({ url: URL_, headers: new Headers(forged) }, {})).toBe('http://cellar.example:3000');
  });

  it('takes the public host and scheme from X-Forwarded-Host/-Proto (first entry) when CELLAR_TRUSTED_PROXY_HOPS > 0', () => {
    const env = { CELLAR_TRUSTED_PROXY_HOPS: '1' };
    const proxied = { host: '10.0.0.5:3000', 'x-forwarded-host': 'cellar.example.com', 'x-forwarded-proto': 'https' };
    expect(check({ ...proxied, origin: 'https://cellar.example.com' }, env)).toEqual({ ok: true });
    expect(check({ ...proxied, origin: 'http://10.0.0.5:3000' }, env).ok).toBe(false);
    expect(check({ ...proxied, origin: 'https://evil.example' }, env).ok).toBe(false);
    expect(consoleOrigin({ url: URL_, headers: new Headers({ ...proxied, 'x-forwarded-host': 'cellar.example.com, 10.0.0.5' }) }, env)).toBe(
      'https://cellar.example.com',
    );
    // Without the forwarded headers, the Host header as before.
    expect(check({ host: '10.0.0.5:3000', origin: 'http://10.0.0.5:3000' }, env)).toEqual({ ok: true });
    // A forwarded host that would make another URL is no origin at all.
    for (const bad of ['evil.example/x', 'a@evil.example', 'evil.example:99999999', 'x y']) {
      expect(consoleOrigin({ url: URL_, headers: new Headers({ 'x-forwarded-host': bad }) }, env), bad).toBe(null);
    }
    expect(consoleOrigin({ url: URL_, headers: new Headers({ 'x-forwarded-proto': 'ftp' }) }, env)).toBe(null);
  });

  it('uses BETTER_AUTH_URL, when set, as the console’s origin', () => {
    const env = { BETTER_AUTH_URL: 'https://cellar.example.com/' };
    expect(check({ ...HOST, origin: 'https://cellar.example.com' }, env)).toEqual({ ok: true });
    expect(check({ ...HOST, origin: 'http://cellar.example:3000' }, env).ok).toBe(false);
    expect(consoleOrigin({ url: URL_, headers: new Headers(HOST) }, { BETTER_AUTH_URL: 'not a url' })).toBe('http://cellar.example:3000');
  });

  it('guards every POST with it (mutations, /api/auth sign-in and sign-out, /sign-out) before anything else: 403', () => {
    const foreign = { origin: 'https://evil.example', 'content-type': 'application/json', cookie: 'cellar.session_token=abc.sig' };
    const refused = { action: 'reject', status: 403, message: 'Refused: this request came from another site, not from the console itself.' };
    for (const path of [
      '/api/trpc/cells.delete',
      '/api/trpc/users.add,tokens.create?batch=1',
      '/api/auth/sign-in/username',
      '/api/auth/sign-out',
      '/sign-out',
      '/hosts',
    ]) {
      expect(guardRequest(req('POST', path, foreign)), path).toEqual(refused);
      expect(guardRequest(req('POST', path, { ...foreign, origin: 'null' })), path).toMatchObject({ action: 'reject', status: 403 });
      expect(guardRequest(req('POST', path, { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' })), path).toMatchObject({
        action: 'reject',
        status: 403,
      });
    }
    // A cross-site form to tRPC: 403 for the Origin before 415 for the type.
    expect(guardRequest(req('POST', '/api/trpc/cells.delete', { origin: 'https://evil.example', 'content-type': 'text/plain' }))).toEqual(refused);
    // The console's own POSTs and non-browser ones pass on.
    const own = { origin: 'http://127.0.0.1', host: '127.0.0.1', 'content-type': 'application/json' };
    expect(guardRequest(req('POST', '/api/trpc/cells.delete', own))).toEqual({ action: 'continue', page: false });
    expect(guardRequest(req('POST', '/api/auth/sign-in/username', { ...own, 'sec-fetch-site': 'same-origin' }))).toEqual({ action: 'continue', page: false });
    expect(guardRequest(req('POST', '/api/trpc/cells.delete', { 'content-type': 'application/json', authorization: 'Bearer cellar_x' }))).toEqual({
      action: 'continue',
      page: false,
    });
    expect(guardRequest(req('POST', '/sign-out', { origin: 'http://127.0.0.1', host: '127.0.0.1' }))).toEqual({ action: 'continue', page: true });
    // Reads are not checked: a GET changes nothing.
    expect(guardRequest(req('GET', '/api/trpc/cells.list', { origin: 'https://evil.example' }))).toEqual({ action: 'continue', page: false });
    // Forwarded headers from the client do not make a foreign Origin its own.
    const forged = { ...foreign, host: '127.0.0.1', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    expect(guardRequest(req('POST', '/api/trpc/cells.delete', forged), {})).toEqual(refused);
    expect(guardRequest(req('POST', '/api/trpc/cells.delete', forged), { CELLAR_TRUSTED_PROXY_HOPS: '1' })).toEqual({ action: 'continue', page: false });
  });
});
