/**
 * "The api database does not answer": the one message people get when Cellar's api
 * database is stopped, refuses connections, or stalls (accepts and never answers), and
 * the one test of whether an error means that.
 *
 * No imports, nothing that opens a database: the console's pages and error boundary show
 * the message (through server/errors.ts), tRPC, the auth endpoints and /api/health answer
 * with it. The bounds that make such a failure arrive in time live on the api pool
 * (db/connect.ts, `stallTimeoutMs`; db/runtime.ts, apiDb()).
 */

/** The plain line shown when the api database does not answer. */
export const API_DOWN_MESSAGE = 'The api database does not answer; Cellar will reconnect when it is back.';

/**
 * The codes of the errors of the api pool's stall guard (db/connect.ts): a connection whose
 * server has not answered within the bound, and a new connection refused at once because
 * one has just found the server not answering.
 */
export const CONNECTION_STALLED = 'CONNECTION_STALLED';
export const DATABASE_NOT_ANSWERING = 'DATABASE_NOT_ANSWERING';

/**
 * Error codes that mean the database could not be reached or stopped answering:
 * - the operating system's (refused, reset, unreachable, timed out, the name not found);
 * - postgres.js's own: CONNECT_TIMEOUT (connect_timeout passed before the server was
 *   ready), CONNECTION_CLOSED (the server or the network closed a connection with queries
 *   on it), CONNECTION_ENDED / CONNECTION_DESTROYED (the pool was closed under a query);
 * - Cellar's stall guard: CONNECTION_STALLED, DATABASE_NOT_ANSWERING.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  CONNECTION_STALLED,
  DATABASE_NOT_ANSWERING,
]);

/**
 * PostgreSQL's SQLSTATEs for a server that is not answering queries:
 * 57014 query_canceled (statement_timeout), 57P01 admin_shutdown, 57P02 crash_shutdown,
 * 57P03 cannot_connect_now (starting up, shutting down, in recovery), 53300
 * too_many_connections, and class 08, connection exceptions.
 */
const SERVER_CODES = new Set(['57014', '57P01', '57P02', '57P03', '53300']);

const MAX_DEPTH = 6;

/**
 * Whether an error means the api database does not answer (down, refusing, stalled, timed
 * out, shutting down). Looks through the wrappers on the way: drizzle's "Failed query"
 * (`cause`), better-auth's APIError (`cause`), a TRPCError (`cause`), and Node's
 * AggregateError of a connection tried on several addresses (`errors`).
 */
export function isApiDatabaseDown(err: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code) || SERVER_CODES.has(e.code)) return true;
    // Class 08, connection exceptions (08000, 08003, 08006, 08001, 08004, 08P01 excepted:
    // a protocol violation is a bug, not an outage).
    if (/^08[0-9]{3}$/.test(e.code)) return true;
  }
  if (Array.isArray(e.errors) && e.errors.some((x) => isApiDatabaseDown(x, depth + 1))) return true;
  return e.cause !== undefined && e.cause !== err && isApiDatabaseDown(e.cause, depth + 1);
}
