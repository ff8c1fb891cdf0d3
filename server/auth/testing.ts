/** Test helpers for access control: deps over a test deployment and sign-in requests as a browser sends them. */
import type { TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';

export function authTestDeps(dep: TestDeployment, now: () => Date = () => new Date()): Deps {
  return { api: dep.api, registry: dep.registry, deadlineMs: 3000, serviceDownTimeS: 60, now };
}

export const ORIGIN = 'http://127.0.0.1:3000';

export function signInRequest(username: string, password: string, opts: { address?: string; proto?: 'http' | 'https' } = {}): Request {
  return new Request(`${ORIGIN}/api/auth/sign-in/username`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ORIGIN,
      'x-cellar-peer': opts.address ?? '192.0.2.10',
      ...(opts.proto ? { 'x-forwarded-proto': opts.proto } : {}),
    },
    body: JSON.stringify({ username, password }),
  });
}

/** The cookie header a browser would send back after this response. */
export function cookieFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='))
    .join('; ');
}
