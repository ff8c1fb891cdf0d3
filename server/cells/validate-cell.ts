import 'server-only';
import { type DownReason, fanOut } from '@/db/fanout';
import { readSchemaStatus, type SchemaStatus } from '@/db/migrate';
import { candidateCell } from '@/db/registry';
import { DbUrlError, maskUrl, parseDbUrl, parseNetloc, splitNetlocs, splitUrl } from '@/db/url';
import type { Deps } from '../deps';
import { refuse } from '../errors';

/**
 * Sample values for a transport URL's placeholders. nova expands them from the reading
 * host's [DEFAULT]/transport_url; Cellar has no transport URL of its own, so a template
 * is checked for shape with neutral values in their place.
 */
const PLACEHOLDER_SAMPLES: Record<string, string> = {
  scheme: 'rabbit',
  username: 'user',
  password: 'password',
  hostname: 'host',
  port: '5672',
  path: 'vhost',
  query: '',
  fragment: '',
};

/** The reason a transport URL is invalid, or null. Mirrors oslo_messaging.TransportURL.parse, stricter on the scheme. */
export function transportUrlProblem(url: string): string | null {
  let expanded = '';
  for (let i = 0; i < url.length; i++) {
    const c = url[i]!;
    if ((c === '{' || c === '}') && url[i + 1] === c) {
      expanded += c;
      i++;
    } else if (c === '{') {
      const close = url.indexOf('}', i);
      if (close === -1) return `unclosed '{' in ${JSON.stringify(maskUrl(url))}`;
      const key = url.slice(i + 1, close);
      const base = key.replace(/\d+$/, '');
      if (!(base in PLACEHOLDER_SAMPLES)) return `unknown placeholder {${key}}`;
      expanded += PLACEHOLDER_SAMPLES[base];
      i = close;
    } else {
      expanded += c;
    }
  }
  const shown = JSON.stringify(maskUrl(url));
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(expanded);
  if (!m) {
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(expanded) ? `expected scheme://host…, got ${shown}` : `No scheme specified in ${shown}`;
  }
  for (const entry of m[2]!.split(',')) {
    if (entry === '') continue;
    const at = entry.lastIndexOf('@');
    const hostport = at === -1 ? entry : entry.slice(at + 1);
    let port: string | null = null;
    if (hostport.startsWith('[')) {
      const end = hostport.indexOf(']');
      if (end === -1) return `Invalid IPv6 URL in ${shown}`;
      const rest = hostport.slice(end + 1);
      if (rest !== '' && !rest.startsWith(':')) return `unexpected ${JSON.stringify(rest)} after an IPv6 address in ${shown}`;
      port = rest === '' ? null : rest.slice(1);
    } else if (hostport.includes(':')) {
      port = hostport.slice(hostport.indexOf(':') + 1);
    }
    if (port !== null && port !== '' && !/^\d+$/.test(port)) return `port ${JSON.stringify(port)} is not a number in ${shown}`;
    if (port !== null && port !== '' && Number(port) > 65535) return `port ${port} is out of range in ${shown}`;
  }
  return null;
}

/** nova's create_cell / simple_cell_setup check: "Invalid transport URL: …" (exit 1). */
export function validateTransportUrl(url: string, exitCode = 1): string {
  const trimmed = url.trim();
  const problem = transportUrlProblem(trimmed);
  if (problem) throw refuse.invalid(`Invalid transport URL: ${problem}`, exitCode);
  return trimmed;
}

/**
 * A database URL Cellar can use: templates expanded from CELLAR_DATABASE_URL, then a
 * PostgreSQL URL (a mysql+pymysql:// DSN is refused plainly). Returns the URL as given,
 * which is what is stored (a template stays a template).
 */
export function validateDatabaseConnection(deps: Deps, url: string, exitCode = 1): string {
  const trimmed = url.trim();
  try {
    parseDbUrl(deps.registry.resolveUrl(candidateCell(trimmed)));
  } catch (e) {
    if (e instanceof DbUrlError) throw refuse.invalid(`Invalid database connection: ${e.message}`, exitCode);
    throw e;
  }
  return trimmed;
}

/** Which database a cell URL reaches: the server (any of its host:port entries), the database and the user. */
export interface DatabaseIdentity {
  /** `host:port` per host of the URL: host names lower-cased, the port 5432 when none is given. */
  endpoints: string[];
  database: string;
  user: string;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The database an expanded PostgreSQL URL names, or null when it is not one Cellar can read. */
export function databaseIdentity(expandedUrl: string): DatabaseIdentity | null {
  let target: { url: string; database: string };
  try {
    target = parseDbUrl(expandedUrl);
  } catch {
    return null;
  }
  const parts = splitUrl(target.url);
  if (!parts) return null;
  const query = new URLSearchParams(parts.query);
  const defaultPort = query.get('port') || '5432';
  let user = '';
  const endpoints: string[] = [];
  const add = (host: string, port: string | null) => {
    if (!host) return;
    // A unix-socket directory is a path (case matters); a host name is not.
    const h = host.startsWith('/') ? host : host.toLowerCase();
    endpoints.push(`${h}:${port || defaultPort}`);
  };
  if (parts.netloc !== '') {
    for (const entry of splitNetlocs(parts.netloc)) {
      const p = parseNetloc(entry);
      if (!user && p.username) user = decode(p.username);
      add(decode(p.host), p.port);
    }
  }
  if (endpoints.length === 0) for (const h of (query.get('host') ?? '').split(',')) add(h, null);
  if (!user) user = query.get('user') ?? '';
  return { endpoints, database: target.database, user };
}

/** A stored or given cell URL with its templates expanded; as stored when it cannot be (nova's format_db_url does the same). */
function expandedForComparison(deps: Pick<Deps, 'registry'>, url: string): string {
  try {
    return deps.registry.resolveUrl({ id: -1, uuid: 'comparison', name: null, databaseConnection: url });
  } catch {
    return url;
  }
}

/**
 * Whether two cell database URLs name the same database, after template expansion: the
 * same database name and the same user on a shared host:port.
 *
 * nova's rule (nova/cmd/manage.py _non_unique_transport_url_database_connection_checker)
 * is string equality of the other cell's URL as its object layer loads it — templates
 * expanded from [database]/connection — with the URL given. Equal strings always name the
 * same database, so everything nova calls a duplicate is one here too; what is added is
 * what names one database in different spellings, the duplicates that made the same hosts
 * and instances show twice: a template and a literal URL (either way round), two
 * templates, postgres:// and postgresql+psycopg2://, a host in capitals, a port written
 * out or left to its default (5432), a different password or query string, another host
 * of a multi-host URL. The user stays part of it: another role on the same database is
 * another connection nova would make. A URL that is not PostgreSQL (or cannot be read)
 * falls back to nova's exact comparison of the expanded strings.
 */
export function sameCellDatabase(deps: Pick<Deps, 'registry'>, a: string, b: string): boolean {
  const ea = expandedForComparison(deps, a.trim());
  const eb = expandedForComparison(deps, b.trim());
  if (ea === eb) return true;
  const ia = databaseIdentity(ea);
  const ib = databaseIdentity(eb);
  if (!ia || !ib) return false;
  return ia.database === ib.database && ia.user === ib.user && ia.endpoints.some((e) => ib.endpoints.includes(e));
}

export type DatabaseProbe =
  | { reachable: false; reason: DownReason; message: string }
  | {
      reachable: true;
      schema: SchemaStatus;
      /** No table at all outside PostgreSQL's own schemas: safe to migrate. */
      empty: boolean;
      /** nova's cell tables (instances, compute_nodes) are present. */
      cellTables: boolean;
    };

/** Connect to a candidate cell database under the deadline and read what it holds. Read-only. */
export async function probeCellDatabase(deps: Deps, databaseConnection: string): Promise<DatabaseProbe> {
  const ref = candidateCell(databaseConnection);
  try {
    const [outcome] = await fanOut(
      deps.registry,
      [ref],
      async ({ handle }) => {
        const schema = await readSchemaStatus(handle.sql, 'cell');
        const [row] = await handle.sql<{ tables: number; cell_tables: boolean }[]>`
          select
            (select count(*)::int from pg_catalog.pg_tables
              where schemaname not in ('pg_catalog', 'information_schema')) as tables,
            (to_regclass('public.instances') is not null and to_regclass('public.compute_nodes') is not null) as cell_tables`;
        return { schema, empty: row!.tables === 0, cellTables: row!.cell_tables };
      },
      { deadlineMs: deps.deadlineMs },
    );
    if (!outcome || outcome.status === 'down') {
      return { reachable: false, reason: outcome?.reason ?? 'error', message: outcome?.message ?? 'no answer' };
    }
    return { reachable: true, ...outcome.value };
  } finally {
    await deps.registry.forget(ref.uuid);
  }
}

export interface DatabaseVerdict {
  /** A cell database Cellar can use as it is. */
  usable: boolean;
  /** What is wrong, in a sentence; null when usable. */
  problem: string | null;
  /** Empty: Cellar may create its cell schema there. */
  canMigrate: boolean;
}

const REASON_TEXT: Record<DownReason, string> = {
  timeout: 'did not answer in time',
  refused: 'refused the connection',
  auth: 'rejected the credentials',
  error: 'returned an error',
};

/** Whether a probed database can hold a cell, and if not, why, in plain words. */
export function judgeCellDatabase(probe: DatabaseProbe): DatabaseVerdict {
  if (!probe.reachable) {
    return { usable: false, canMigrate: false, problem: `The cell database ${REASON_TEXT[probe.reason]} (${probe.message}).` };
  }
  const { schema } = probe;
  if (schema.state === 'uninitialised') {
    return probe.empty
      ? { usable: false, canMigrate: true, problem: 'The cell database is empty: it has no cell schema yet.' }
      : {
          usable: false,
          canMigrate: false,
          problem: 'The database has tables but no Cellar cell schema: it does not look like a cell database, so Cellar will not migrate it.',
        };
  }
  if (!probe.cellTables) {
    return { usable: false, canMigrate: false, problem: 'The database has no instances or compute_nodes table: it is not a cell database.' };
  }
  if (schema.state === 'behind') {
    return { usable: false, canMigrate: false, problem: `The cell database's ${schema.summary}.` };
  }
  if (schema.state === 'ahead') {
    return { usable: false, canMigrate: false, problem: `The cell database's ${schema.summary}.` };
  }
  return { usable: true, canMigrate: false, problem: null };
}
