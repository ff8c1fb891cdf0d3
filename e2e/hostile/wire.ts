/**
 * The hostile console over HTTP, as a client that sends exactly what it is told: tRPC's
 * wire format written by hand (superjson's {json, meta}, which superjson itself refuses
 * to write for prototype keys), any method, any header, any body; the callers (a session
 * per demo role, a bearer token, a stranger); the console's databases; and the detector
 * of internal text in an answer.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import postgres from 'postgres';
import { DEMO_USERS, type DemoRole } from '../fixtures';
import { HOSTILE_E2E_BASE_URL, HOSTILE_E2E_DATA_DIR } from './paths';

export const BASE_URL = HOSTILE_E2E_BASE_URL;
export const ORIGIN = new URL(BASE_URL).origin;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export interface HttpRequest {
  method: string;
  /** Path and query, sent as they are. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** One request with node's http client: no method, header or body is refused on this side. */
export function send(req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(BASE_URL);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}), ...req.headers },
        agent,
        timeout: req.timeoutMs ?? 60_000,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 4 * 1024 * 1024) chunks.push(c);
        });
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - t0 });
        res.on('end', done);
        // The server may close the connection right after its answer (a 413 before the body was read): what came counts.
        res.on('aborted', done);
        res.on('error', done);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${req.timeoutMs ?? 60_000} ms`)));
    r.on('error', (e: NodeJS.ErrnoException) => {
      if (answered) return;
      // A server that answers (413, 431 …) and closes before the whole body is written: give the answer a moment to be read.
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') {
        setTimeout(() => {
          if (!answered) reject(new Error(`the server closed the connection without an answer (${e.code})`));
        }, 2_000);
        return;
      }
      reject(e);
    });
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

// ---------------------------------------------------------------------------------------
// superjson, by hand
// ---------------------------------------------------------------------------------------

/** JSON text put into an envelope as it is: nesting too deep for any recursive writer (this one, JSON.stringify). */
export class RawJson {
  constructor(readonly text: string) {}
}

const escapeKey = (k: string) => k.replace(/\\/g, '\\\\').replace(/\./g, '\\.');

function define(target: object, key: string | number, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * superjson's {json, meta} for a value, written the way superjson writes it (flat escaped
 * paths in meta.values) but keeping own keys such as __proto__ and constructor, which
 * superjson's serializer refuses to write: the server must cope with them all the same.
 */
export function superjsonEnvelope(value: unknown, raws: RawJson[] = []): { json: unknown; meta?: { values: unknown; v: 1 } } {
  const values: Record<string, unknown[]> = {};
  let rootType: unknown[] | null = null;
  const mark = (at: string[], type: string) => {
    if (at.length === 0) rootType = [type];
    else values[at.map(escapeKey).join('.')] = [type];
  };
  const walk = (v: unknown, at: string[]): unknown => {
    if (v instanceof RawJson) {
      raws.push(v);
      return `@@raw-json-${raws.length - 1}@@`;
    }
    if (v === undefined) {
      mark(at, 'undefined');
      return null;
    }
    if (typeof v === 'bigint') {
      mark(at, 'bigint');
      return v.toString();
    }
    if (typeof v === 'number') {
      if (Number.isNaN(v) || !Number.isFinite(v) || Object.is(v, -0)) {
        mark(at, 'number');
        return Object.is(v, -0) ? '-0' : String(v);
      }
      return v;
    }
    if (v instanceof Date) {
      mark(at, 'Date');
      return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    }
    if (v instanceof RegExp) {
      mark(at, 'regexp');
      return String(v);
    }
    if (v instanceof URL) {
      mark(at, 'URL');
      return v.href;
    }
    if (v instanceof Error) {
      mark(at, 'Error');
      return { name: v.name, message: v.message };
    }
    if (v instanceof Map) {
      mark(at, 'map');
      return [...v.entries()];
    }
    if (v instanceof Set) {
      mark(at, 'set');
      return [...v];
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...at, String(i)]));
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) define(out, k, walk(x, [...at, k]));
      return out;
    }
    return v;
  };
  const json = walk(value, []);
  const meta = rootType ?? (Object.keys(values).length ? values : null);
  return meta ? { json, meta: { values: meta, v: 1 } } : { json };
}

/** The JSON text of a value's superjson envelope (JSON.stringify writes own __proto__ keys and escapes lone surrogates). */
export function superjsonText(value: unknown): string {
  const raws: RawJson[] = [];
  const text = JSON.stringify(superjsonEnvelope(value, raws));
  return raws.length ? text.replace(/"@@raw-json-(\d+)@@"/g, (_, i: string) => raws[Number(i)]!.text) : text;
}

// ---------------------------------------------------------------------------------------
// tRPC calls
// ---------------------------------------------------------------------------------------

export type ProcedureType = 'query' | 'mutation';

export interface TrpcRequest extends HttpRequest {
  /** For reports: the procedure path. */
  procedure: string;
}

/**
 * A tRPC call as the client sends it: a query is a GET with `?input=` (the superjson
 * text, URL-encoded), a mutation a POST with the superjson text as its body. `text` is the
 * exact input text (undefined: no input at all).
 */
export function trpcRequest(
  procedure: string,
  type: ProcedureType,
  text: string | undefined,
  headers: Record<string, string>,
  opts: { contentType?: string; wrongMethod?: boolean } = {},
): TrpcRequest {
  const asGet = (type === 'query') !== Boolean(opts.wrongMethod);
  if (asGet) {
    const query = text === undefined ? '' : `?input=${encodeComponent(text)}`;
    return { procedure, method: 'GET', path: `/api/trpc/${procedure}${query}`, headers };
  }
  const contentType = opts.contentType ?? 'application/json';
  return {
    procedure,
    method: 'POST',
    path: `/api/trpc/${procedure}`,
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
    body: text ?? '',
  };
}

/** encodeURIComponent, and a lone surrogate as the three bytes WTF-8 gives it (encodeURIComponent refuses it): the server gets what it cannot decode. */
export function encodeComponent(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    let out = '';
    for (const ch of text) {
      const u = ch.length === 1 ? ch.charCodeAt(0) : -1;
      if (u >= 0xd800 && u <= 0xdfff)
        out += [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
      else out += encodeURIComponent(ch);
    }
    return out;
  }
}

/** Call a procedure with a value (superjson-encoded) and read the answer's `result.data.json`. */
export async function callProcedure<T = unknown>(
  procedure: string,
  type: ProcedureType,
  value: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; data: T | undefined; body: string }> {
  const res = await send(trpcRequest(procedure, type, value === undefined ? undefined : superjsonText(value), headers));
  let data: T | undefined;
  try {
    data = (JSON.parse(res.body) as { result?: { data?: { json?: T } } }).result?.data?.json;
  } catch {
    data = undefined;
  }
  return { status: res.status, data, body: res.body };
}

// ---------------------------------------------------------------------------------------
// Callers
// ---------------------------------------------------------------------------------------

export type PrincipalName = DemoRole | 'token' | 'stranger';

export interface Principal {
  name: PrincipalName;
  /** The role a call is made with; null for the stranger. */
  role: DemoRole | null;
  /** What each of its requests carries (a session cookie or a bearer token, and the console's own Origin). */
  headers: Record<string, string>;
}

/** The Cookie header for the Set-Cookie lines of an answer. */
export function cookieHeader(res: HttpResponse): string {
  const set = res.headers['set-cookie'] ?? [];
  return set.map((c) => c.split(';')[0]!).join('; ');
}

/** Sign in as a demo user over HTTP, as the sign-in form does. */
export async function signIn(role: DemoRole): Promise<string> {
  const res = await send({
    method: 'POST',
    path: '/api/auth/sign-in/username',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ username: role, password: DEMO_USERS[role] }),
  });
  if (res.status !== 200) throw new Error(`signing in as ${role} answered ${res.status}: ${res.body.slice(0, 300)}`);
  const cookie = cookieHeader(res);
  if (!cookie) throw new Error(`signing in as ${role} set no cookie`);
  return cookie;
}

export async function sessionPrincipal(role: DemoRole): Promise<Principal> {
  return { name: role, role, headers: { cookie: await signIn(role), origin: ORIGIN } };
}

/**
 * An operator bearer token. Cellar's CLI has no token verb (tokens are made in the console:
 * the Tokens page, i.e. auth.tokens.create), so the operator makes one over HTTP.
 */
export async function tokenPrincipal(operator: Principal, name: string): Promise<Principal> {
  const r = await callProcedure<{ secret: string }>('auth.tokens.create', 'mutation', { name, role: 'operator', expiresInDays: 1 }, operator.headers);
  if (r.status !== 200 || !r.data?.secret) throw new Error(`creating the token ${name} answered ${r.status}: ${r.body.slice(0, 300)}`);
  return { name: 'token', role: 'operator', headers: { authorization: `Bearer ${r.data.secret}` } };
}

export const STRANGER: Principal = { name: 'stranger', role: null, headers: {} };

/** Whether a caller is still who it was (a fuzzed call may revoke the token, end a session …). */
export async function stillValid(p: Principal): Promise<boolean> {
  if (!p.role) return true;
  const r = await callProcedure<{ role: string }>('auth.me', 'query', undefined, p.headers);
  return r.status === 200 && r.data?.role === p.role;
}

// ---------------------------------------------------------------------------------------
// The console's databases
// ---------------------------------------------------------------------------------------

function clusterState(): { port: number; password: string } {
  return JSON.parse(fs.readFileSync(path.join(HOSTILE_E2E_DATA_DIR, 'cellar.json'), 'utf8')) as { port: number; password: string };
}

/** A database of the hostile console's embedded cluster: api, cell0, cell1 or cell2. */
export function hostileSql(database: 'api' | 'cell0' | 'cell1' | 'cell2'): postgres.Sql {
  const state = clusterState();
  return postgres({ host: '127.0.0.1', port: state.port, user: 'postgres', password: state.password, database, max: 2, onnotice: () => {} });
}

// ---------------------------------------------------------------------------------------
// Internal text in an answer
// ---------------------------------------------------------------------------------------

/** The project's own directory, wherever it is checked out: a path under it in an answer comes from the server. */
const ROOT = path.resolve('.');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Texts no answer may hold: they come from a stack, a statement, the file system or the
 * runtime, not from Cellar's messages. `inData`: looked for in successful answers too,
 * whose data is the deployment's own (nova's fault details hold Python tracebacks with
 * their paths, by design), so only what can only come from Cellar's server there.
 */
export const INTERNAL_TEXT: { what: string; re: RegExp; inData: boolean }[] = [
  { what: 'a stack frame', re: /\bat (?:async )?[\w$.<>[\] ]+ \([^)\n]*:\d+:\d+\)|\n\s+at [^\n]+:\d+:\d+/, inData: true },
  { what: 'a source line reference', re: /\.(?:ts|tsx|js|mjs|cjs):\d+\b/, inData: true },
  { what: "a path of the server's", re: new RegExp(`${escapeRe(ROOT)}/|node_modules/|\\.next/`), inData: true },
  { what: 'a file path', re: /(?:^|[\s"'(=])\/(?:work|var|usr|home|tmp|opt|srv|root)\/[\w.-]/, inData: false },
  {
    what: 'SQL',
    re: /\bselect\s+(?:\*|count\(\*\)|[\w"]+(?:\.[\w"*]+)?(?:\s*,\s*[\w"]+(?:\.[\w"*]+)?)*)\s+from\s+[\w"]+(?:\.[\w"]+)?\s+(?:where|order\s+by|limit|join|inner|left|group\s+by|for\s+update)\b|\binsert\s+into\s+[\w"]+(?:\.[\w"]+)?\s*\(|\bupdate\s+[\w"]+(?:\.[\w"]+)?\s+set\s+[\w"]+\s*=|\bdelete\s+from\s+[\w"]+(?:\.[\w"]+)?\s+where\b/i,
    inData: false,
  },
  {
    what: 'a PostgreSQL error',
    re: /syntax error at or near|violates (?:unique|foreign key|check|not-null|exclusion) constraint|invalid input syntax for|out of range for type|unsupported Unicode escape sequence|invalid byte sequence for encoding/i,
    inData: false,
  },
  { what: 'a driver error', re: /\bPostgresError\b|Failed query:/, inData: true },
  {
    what: 'a JavaScript runtime error',
    re: /Maximum call stack size exceeded|is not a function|Cannot read properties of|Cannot destructure property|Cannot convert .{0,80} to a BigInt|is not iterable|is not an entry object|Detected property|is not allowed as a property|Unknown transformation|Trying to deserialize|in JSON at position|is not valid JSON|Unexpected end of JSON input|Invalid URL\b/,
    inData: true,
  },
  { what: 'a JavaScript error name', re: /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|URIError|AggregateError): /, inData: false },
];

/**
 * The first internal text an answer holds, with the text around it, or null. `sent` is
 * what the request said: an answer that only repeats it (a name echoed in a refusal) is
 * not internal text. A successful answer is only searched for what cannot be data.
 */
export function internalText(body: string, sent = '', ok = false): string | null {
  for (const { what, re, inData } of INTERNAL_TEXT) {
    if (ok && !inData) continue;
    const g = new RegExp(re.source, `${re.flags}g`);
    for (const m of body.matchAll(g)) {
      if (sent.includes(m[0].trim())) continue;
      return `${what}: …${body.slice(Math.max(0, m.index - 80), m.index + m[0].length + 80)}…`;
    }
  }
  return null;
}

/** A request as one line for a report (secrets redacted, long bodies cut). */
export function describeRequest(req: HttpRequest): string {
  const headers = Object.entries(req.headers ?? {})
    .map(([k, v]) => `${k}: ${/cookie|authorization/i.test(k) ? `${v.slice(0, 14)}…` : v}`)
    .join(', ');
  const body = req.body === undefined ? '' : ` body(${Buffer.byteLength(req.body)} B)=${cut(String(req.body), 400)}`;
  return `${req.method} ${cut(req.path, 400)} [${headers}]${body}`;
}

export function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}… (${s.length} characters)` : s;
}
