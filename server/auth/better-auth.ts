import 'server-only';
/**
 * better-auth, configured for Cellar: usernames and passwords (no self sign-up: operators
 * create users), the library's own password hashing, sessions in the api database (so all
 * console replicas share them), HttpOnly SameSite=Lax cookies that are Secure over https.
 */
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { betterAuth } from 'better-auth/minimal';
import { username } from 'better-auth/plugins/username';
import { authAccounts, authSessions, authUsers, authVerifications } from '@/db/api/schema';
import type { ApiHandle } from '@/db/connect';
import { readAuthSecret } from './auth-secret';
import { COOKIE_PREFIX } from './session-cookie';

export { COOKIE_PREFIX };

export const AUTH_BASE_PATH = '/api/auth';
/** An admin console: a working day, extended while in use. */
const SESSION_EXPIRES_S = 12 * 60 * 60;
const SESSION_UPDATE_AGE_S = 60 * 60;

function buildAuth(db: ApiHandle['db'], secret: string, secure: boolean) {
  const baseURL = process.env.BETTER_AUTH_URL?.trim() || undefined;
  return betterAuth({
    // Without a configured URL the origin is the request's own, and so is the only trusted
    // origin: a cross-site POST to the auth endpoints is refused by the library.
    baseURL,
    basePath: AUTH_BASE_PATH,
    secret,
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { user: authUsers, session: authSessions, account: authAccounts, verification: authVerifications },
    }),
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10, maxPasswordLength: 128 },
    plugins: [username({ minUsernameLength: 2, maxUsernameLength: 64, usernameValidator: (u) => /^[a-z0-9][a-z0-9_.-]*$/i.test(u) })],
    user: { additionalFields: { role: { type: 'string', input: false, required: false, defaultValue: 'viewer' } } },
    session: { expiresIn: SESSION_EXPIRES_S, updateAge: SESSION_UPDATE_AGE_S },
    advanced: {
      cookiePrefix: COOKIE_PREFIX,
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure },
      // The library skips its origin (CSRF) check under test runners by default; Cellar
      // wants the same check everywhere, so the tests see what production does.
      disableOriginCheck: false,
      disableCSRFCheck: false,
    },
    // The library's limiter counts every request per address in process memory, which
    // replicas do not share; Cellar limits failed sign-ins itself, in the database.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { level: 'error' },
  });
}

export type CellarAuth = ReturnType<typeof buildAuth>;

/** One instance per api handle and scheme (the Secure attribute and cookie name differ). */
const instances = new WeakMap<ApiHandle, Map<boolean, Promise<CellarAuth>>>();

export function getAuth(api: ApiHandle, opts: { secure: boolean }): Promise<CellarAuth> {
  let byScheme = instances.get(api);
  if (!byScheme) {
    byScheme = new Map();
    instances.set(api, byScheme);
  }
  let auth = byScheme.get(opts.secure);
  if (!auth) {
    auth = readAuthSecret(api).then((secret) => buildAuth(api.db, secret, opts.secure));
    // A failed start (database down) is retried on the next request, not cached.
    auth.catch(() => byScheme.delete(opts.secure));
    byScheme.set(opts.secure, auth);
  }
  return auth;
}

/**
 * Whether the request reached Cellar over https: the URL's scheme, or the
 * x-forwarded-proto a TLS-terminating proxy sets (Next sets it too). BETTER_AUTH_URL, when
 * configured, decides for every request.
 */
export function isSecureRequest(headers: Headers, url?: string): boolean {
  const configured = process.env.BETTER_AUTH_URL?.trim();
  if (configured) return configured.startsWith('https://');
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (proto) return proto === 'https';
  return url ? url.startsWith('https://') : false;
}
