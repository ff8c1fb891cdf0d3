/**
 * Database and transport URLs as nova stores them in cell_mappings: parsing for the
 * postgres driver, nova-style template expansion, and credential masking.
 * Everything here is pure: no I/O, no configuration.
 */

export class DbUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DbUrlError';
  }
}

/**
 * postgres://, postgresql://, or SQLAlchemy's dialect+driver form as nova stores it in
 * cell_mappings.database_connection: postgresql+psycopg2://, postgresql+psycopg://,
 * postgresql+pg8000://, postgresql+asyncpg://, any driver name. Cellar connects to all of
 * them with its own driver (postgres.js); the Python driver's name is dropped.
 */
export function isPostgresScheme(scheme: string): boolean {
  return /^(?:postgres|postgresql|postgresql\+[a-z][a-z0-9_]*)$/i.test(scheme);
}

/**
 * Query parameters of nova's URLs that mean something only to SQLAlchemy, oslo.db or the
 * Python driver. postgres.js sends every parameter it does not know to the server as a
 * startup parameter, and the server refuses the connection for an unknown one
 * (`unrecognized configuration parameter "charset"`, 42704), so these are dropped:
 * - charset: the MySQL habit of nova.conf files (`?charset=utf8`);
 * - client_encoding: postgres.js always speaks and decodes UTF-8 (it asks for UTF8 itself);
 *   the server would accept another encoding, and then text would be garbled;
 * - plugin: oslo.db's SQLAlchemy plugins (devstack's `?plugin=dbcounter`);
 * - the psycopg2 dialect's batch options, and libpq's TCP keepalive knobs (postgres.js
 *   keeps its own keepalive).
 * TLS parameters that name files (sslcert, sslkey, sslrootcert=<file>, …) are not dropped:
 * connecting without them would weaken the connection, so the server's refusal names them.
 */
const DRIVER_ONLY_QUERY_KEYS = new Set([
  'charset',
  'client_encoding',
  'plugin',
  'use_batch_mode',
  'executemany_mode',
  'executemany_batch_page_size',
  'executemany_values_page_size',
  'use_native_unicode',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'fallback_application_name',
]);

export interface UrlParts {
  scheme: string;
  /** Everything between `://` and the path, raw (percent-encoding kept). */
  netloc: string;
  /** Starts with '/' when present. */
  path: string;
  /** Without the leading '?'. */
  query: string;
  /** Without the leading '#'. */
  fragment: string;
  hadQuery: boolean;
  hadFragment: boolean;
}

/**
 * Split a URL into scheme, netloc, path, query and fragment, tolerating what real
 * nova.conf files contain: multi-host netlocs, unencoded '@' in passwords, IPv6 hosts.
 * The netloc ends at the first '/', '?' or '#' after its last '@', so a password may hold
 * any of them; an '@' in a query string (`/nova?user=a@b`) is left to the query.
 */
export function splitUrl(url: string): UrlParts | null {
  return splitWith(url, lastAtBeforeQuery);
}

/** splitUrl with the authority's '@' chosen by `findAt` (-1: no user info). */
function splitWith(url: string, findAt: (rest: string) => number): UrlParts | null {
  // '_' too: SQLAlchemy's URL pattern is `[\w+]+://`, so a driver name may hold one.
  const m = /^([a-zA-Z][a-zA-Z0-9+._-]*|\{scheme\}):\/\/(.*)$/s.exec(url);
  if (!m) return null;
  const scheme = m[1]!;
  let rest = m[2]!;
  let fragment = '';
  let query = '';
  let hadFragment = false;
  let hadQuery = false;
  // The query/fragment start after the authority; find the authority end first.
  const lastAt = findAt(rest);
  const searchFrom = lastAt === -1 ? 0 : lastAt + 1;
  let end = rest.length;
  for (let i = searchFrom; i < rest.length; i++) {
    const c = rest[i];
    if (c === '/' || c === '?' || c === '#') {
      end = i;
      break;
    }
  }
  const netloc = rest.slice(0, end);
  rest = rest.slice(end);
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    fragment = rest.slice(hash + 1);
    hadFragment = true;
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q !== -1) {
    query = rest.slice(q + 1);
    hadQuery = true;
    rest = rest.slice(0, q);
  }
  return { scheme, netloc, path: rest, query, fragment, hadQuery, hadFragment };
}

/**
 * The last '@' that is part of the authority. A '/', '?' or '#' before it belongs to the
 * password, as in SQLAlchemy, whose URL parser (the one nova reads database_connection
 * with) takes the password to be everything up to the '@'. Only a '?'/'#' that plainly
 * starts a query string ends the search, so an '@' inside the query (?user=a@b) is not
 * taken for the authority's.
 */
function lastAtBeforeQuery(rest: string): number {
  let last = -1;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '@') {
      last = i;
      continue;
    }
    if (c !== '?' && c !== '#') continue;
    const nextAt = rest.indexOf('@', i + 1);
    if (nextAt === -1) break;
    if (last === -1) {
      // No '@' yet: `user:pa?ss@host` is a password holding '?', as SQLAlchemy reads it
      // (user without ':' or '/', password without '@'). Otherwise, e.g. `host/db?x=a@b`,
      // `host:5432/db?x=a@b` or `host?x=a@b`, this starts the query.
      const before = rest.slice(0, i);
      if (!/^[^:/@]*:/.test(before) || /^[^:/@]*:\d*(\/|$)/.test(before)) break;
    } else {
      // After an '@': `?sslmode=x&user=a@b` is a query; `?c@host` (no '=' or '&' before
      // the next '@') is taken as more of a password that holds '@' and '?', so it is masked.
      if (/[=&]/.test(rest.slice(i + 1, nextAt))) break;
    }
  }
  return last;
}

export function joinUrl(p: UrlParts): string {
  return `${p.scheme}://${p.netloc}${p.path}${p.hadQuery ? `?${p.query}` : ''}${p.hadFragment ? `#${p.fragment}` : ''}`;
}

export interface NetlocParts {
  username: string | null;
  password: string | null;
  /** Host as written, IPv6 brackets kept. */
  host: string;
  port: string | null;
}

const HOSTPORT = /^(\[[^\]]*\]|[^:@[\]]*)(?::(\d*))?$/;

/** One `[user[:password]@]host[:port]` entry; the userinfo ends at the entry's last '@'. */
export function parseNetloc(entry: string): NetlocParts {
  const at = entry.lastIndexOf('@');
  const userinfo = at === -1 ? null : entry.slice(0, at);
  const hostport = at === -1 ? entry : entry.slice(at + 1);
  let username: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    username = colon === -1 ? userinfo : userinfo.slice(0, colon);
    password = colon === -1 ? null : userinfo.slice(colon + 1);
  }
  const hp = HOSTPORT.exec(hostport);
  const host = hp ? hp[1]! : hostport;
  const port = hp && hp[2] !== undefined && hp[2] !== '' ? hp[2] : null;
  return { username, password, host, port };
}

/**
 * What may follow an entry's last '@': a host name or address, an [IPv6] address or a
 * `{placeholder}`, then optionally `:port` (digits or a placeholder).
 */
const HOST_ENTRY = /^(?:\[[0-9A-Za-z:.%]+\]|\{[a-z_]+\d*\}|[^\s:@[\]/?#,+&=;!$'()*{}<>"\\|^`]+)(?::(?:\d+|\{[a-z_]+\d*\}))?$/;

/**
 * Split a (possibly multi-host) netloc into `[user[:password]@]host[:port]` entries.
 * A comma inside an unencoded password would otherwise cut an entry in two, so pieces
 * are joined until what follows the last '@' is a host. A piece that still reads as
 * `host:port` ("u1:5" of the password "5,x" in `u1:5,x@h1`) is joined to the next entry
 * when that one has a user but no password (or no user at all): a password-less user
 * after a bare host is unusual in a multi-host URL, and the other reading would show
 * pieces of the password.
 */
export function splitNetlocs(netloc: string): string[] {
  if (netloc === '') return [''];
  const entries: string[] = [];
  let cur: string | null = null;
  for (const piece of netloc.split(',')) {
    cur = cur === null ? piece : `${cur},${piece}`;
    if (!HOST_ENTRY.test(cur.slice(cur.lastIndexOf('@') + 1))) continue;
    const at = cur.lastIndexOf('@');
    if (at !== -1 && !cur.slice(0, at).includes(':')) {
      const emptyUser = at === 0;
      let from = entries.length;
      for (let j = entries.length - 1; j >= 0; j--) {
        const e = entries[j]!;
        if (e.includes('@') && !emptyUser) break;
        if (e.includes('@') || (e.includes(':') && !e.startsWith('['))) {
          from = j;
          break;
        }
      }
      if (from < entries.length) cur = [...entries.splice(from), cur].join(',');
    }
    entries.push(cur);
    cur = null;
  }
  if (cur !== null) {
    if (entries.length > 0) entries[entries.length - 1] = `${entries[entries.length - 1]},${cur}`;
    else entries.push(cur);
  }
  return entries;
}

const MASK = '****';
const SECRET_QUERY_KEY = /(pass|pwd|secret|token|credential)/i;
const TEMPLATE_PLACEHOLDER = /^\{password\d*\}$/;

/**
 * Hide every secret in a URL while keeping it useful: each netloc's password (multi-host
 * URLs included), and query parameters that carry secrets. Hosts, ports, users and the
 * database name stay visible. A template placeholder such as `{password}` is not a
 * secret and is kept. Unlike nova's greedy `:.*@` mask this never swallows hosts.
 * Something that is not a URL at all is masked whole rather than risk leaking it.
 *
 * A raw password may hold '/', '?', '#', '@' or ',', which makes some URLs ambiguous. When
 * splitUrl's reading leaves an '@' where no user info can be (path, fragment, a query
 * item that is not `key=value`) or a netloc entry that is not `[userinfo@]host[:port]`,
 * the URL is read again with the user info running to its very last '@', so whatever the
 * password holds is masked; at worst some of the URL is masked along with it.
 */
export function maskUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  const preferred = splitUrl(url);
  if (!preferred) return url.includes('@') || url.includes(':') ? MASK : url;
  let parts = preferred;
  if (!isPlainReading(preferred)) {
    parts = splitWith(url, (rest) => rest.lastIndexOf('@')) ?? preferred;
    // Not even that reading ends in a host: too mangled to show any of it safely.
    const host = parts.netloc.slice(parts.netloc.lastIndexOf('@') + 1);
    if (host !== '' && !HOST_ENTRY.test(host.slice(host.lastIndexOf(',') + 1))) return `${parts.scheme}://${MASK}`;
  }
  const netloc = maskNetloc(parts.netloc);
  const query = parts.hadQuery
    ? parts.query
        .split('&')
        .map((pair) => {
          const eq = pair.indexOf('=');
          if (eq === -1) return pair;
          const key = safeDecode(pair.slice(0, eq));
          const value = pair.slice(eq + 1);
          if (!SECRET_QUERY_KEY.test(key) || value === '' || TEMPLATE_PLACEHOLDER.test(value)) return pair;
          return `${pair.slice(0, eq)}=${MASK}`;
        })
        .join('&')
    : parts.query;
  return joinUrl({ ...parts, netloc, query });
}

const PLAIN_QUERY_KEY = /^[A-Za-z0-9_.%-]+$/;

/**
 * No '@' left where user info cannot be (an '@' in a query value is accepted after a
 * path when no '/', '?' or ':' follows it: `/nova?user=a@b`), and every netloc entry
 * ends in a host.
 */
function isPlainReading(p: UrlParts): boolean {
  if (p.path.includes('@') || p.fragment.includes('@')) return false;
  if (p.hadQuery) {
    for (const pair of p.query.split('&')) {
      if (!pair.includes('@')) continue;
      const eq = pair.indexOf('=');
      // A secret parameter's value is masked whatever it holds.
      if (eq > 0 && SECRET_QUERY_KEY.test(safeDecode(pair.slice(0, eq)))) continue;
      if (p.path === '' || eq <= 0 || !PLAIN_QUERY_KEY.test(pair.slice(0, eq))) return false;
      // `user=a@b`, not `x=y@host:5672/vhost?…` (a password with '?' and '@' read as a query).
      if (/[/?:]/.test(pair.slice(pair.indexOf('@')))) return false;
    }
  }
  if (p.netloc === '') return true;
  return splitNetlocs(p.netloc).every((entry) => HOST_ENTRY.test(entry.slice(entry.lastIndexOf('@') + 1)));
}

function maskNetloc(netloc: string): string {
  const entries = splitNetlocs(netloc);
  if (entries.length > 1 && entries.some(isOddEntry)) {
    // The commas cannot be told apart from commas inside a password: mask like nova does,
    // from the first possible password start to the last '@'. Hosts before it are lost,
    // the password is not shown.
    const at = netloc.lastIndexOf('@');
    const colon = netloc.slice(0, Math.max(at, 0)).indexOf(':');
    if (at === -1 || colon === -1) return netloc;
    return `${netloc.slice(0, colon)}:${MASK}${netloc.slice(at)}`;
  }
  return entries
    .map((entry) => {
      const at = entry.lastIndexOf('@');
      if (at === -1) return entry;
      const userinfo = entry.slice(0, at);
      const colon = userinfo.indexOf(':');
      if (colon === -1) return entry;
      const password = userinfo.slice(colon + 1);
      if (password === '' || TEMPLATE_PLACEHOLDER.test(password)) return entry;
      return `${userinfo.slice(0, colon)}:${MASK}${entry.slice(at)}`;
    })
    .join(',');
}

/** An entry of a multi-host netloc that is probably a piece of a password cut at a comma. */
function isOddEntry(entry: string): boolean {
  const at = entry.lastIndexOf('@');
  if (!HOST_ENTRY.test(entry.slice(at + 1))) return true;
  if (at === -1) return false;
  const userinfo = entry.slice(0, at);
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  return user === '' || /[\s[\]/?#,]/.test(user) || (colon !== -1 && colon === userinfo.length - 1);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function isTemplate(url: string): boolean {
  // A lone '{{' / '}}' is an escaped brace, not a placeholder.
  return /\{[a-z_]+\d*\}/.test(url.replace(/\{\{|\}\}/g, ''));
}

/**
 * Expand a nova cell URL template (`{username}`, `{password}`, `{hostname}`, `{port}`,
 * `{scheme}`, `{path}`, `{query}`, `{fragment}`, and for multi-host bases the indexed
 * `{username1}`, `{hostname2}`, …) from a base URL, as nova's CellMapping._format_url does
 * with [database]/connection. `{{` and `}}` are literal braces (Python's str.format).
 *
 * Differences from nova, on purpose: a value the base URL lacks expands to '' instead of
 * the string 'None'; an IPv6 host keeps its brackets so `{hostname}:{port}` stays a valid
 * URL; an unknown placeholder is an error naming it instead of a silently unexpanded URL.
 */
export function expandTemplate(template: string, baseUrl: string | null | undefined): string {
  if (!isTemplate(template)) return template.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  if (!baseUrl) {
    throw new DbUrlError('The cell URL is a template ({…} placeholders) but CELLAR_DATABASE_URL is not set, so it cannot be expanded.');
  }
  const base = splitUrl(baseUrl);
  if (!base) throw new DbUrlError('CELLAR_DATABASE_URL is not a URL, so cell URL templates cannot be expanded.');
  const subs: Record<string, string> = {
    scheme: base.scheme,
    query: base.query,
    fragment: base.fragment,
    path: base.path.replace(/^\/+/, ''),
  };
  // Like Python's urlparse on the whole netloc: user info before the last '@', host after it.
  const whole = parseNetloc(base.netloc);
  subs.username = whole.username ?? '';
  subs.password = whole.password ?? '';
  subs.hostname = whole.host.toLowerCase();
  subs.port = whole.port ?? '';
  const entries = splitNetlocs(base.netloc);
  if (entries.length > 1) {
    entries.forEach((entry, i) => {
      const p = parseNetloc(entry);
      subs[`username${i + 1}`] = p.username ?? '';
      subs[`password${i + 1}`] = p.password ?? '';
      subs[`hostname${i + 1}`] = p.host.toLowerCase();
      subs[`port${i + 1}`] = p.port ?? '';
    });
  }
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '{' && template[i + 1] === '{') {
      out += '{';
      i++;
    } else if (c === '}' && template[i + 1] === '}') {
      out += '}';
      i++;
    } else if (c === '{') {
      const close = template.indexOf('}', i);
      if (close === -1) throw new DbUrlError(`The cell URL template has an unclosed '{' at position ${i + 1}.`);
      const key = template.slice(i + 1, close);
      if (!(key in subs)) {
        throw new DbUrlError(
          `The cell URL template uses {${key}}, which CELLAR_DATABASE_URL does not provide (known: ${Object.keys(subs).sort().join(', ')}).`,
        );
      }
      out += subs[key];
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

export interface PostgresTarget {
  /** A postgres:// URL the driver accepts. */
  url: string;
  database: string;
}

/**
 * Validate an expanded cell database URL and turn it into a URL for the postgres driver.
 * Accepts the SQLAlchemy URLs nova stores (postgresql+psycopg2://… and any other driver:
 * the driver name and driver-only query parameters are dropped). Refuses MySQL DSNs
 * (mysql+pymysql://, any mysql…:// or mariadb…://) and unexpanded templates with plain
 * messages. The URL returned holds the credentials: for the driver, never for display
 * (show maskUrl of the URL as stored).
 */
export function parseDbUrl(url: string): PostgresTarget {
  const trimmed = url.trim();
  if (isTemplate(trimmed)) {
    throw new DbUrlError('This URL is a template ({…} placeholders); it must be expanded before connecting.');
  }
  const parts = splitUrl(trimmed);
  if (!parts) throw new DbUrlError(`Not a database URL: expected postgresql://user:password@host:port/database.`);
  const scheme = parts.scheme.toLowerCase();
  if (scheme.startsWith('mysql') || scheme.startsWith('mariadb')) {
    throw new DbUrlError(`${parts.scheme}:// URLs are not supported: Cellar's cell databases are PostgreSQL (postgresql://user:password@host:port/database).`);
  }
  if (!isPostgresScheme(scheme)) {
    throw new DbUrlError(`Unsupported URL scheme '${parts.scheme}': use postgresql://user:password@host:port/database.`);
  }
  const database = safeDecode(parts.path.replace(/^\/+/, ''));
  if (!database) throw new DbUrlError('The database URL names no database (expected …/database at the end).');
  if (parts.netloc === '' && !/(^|&)host=/.test(parts.query)) {
    throw new DbUrlError('The database URL names no host.');
  }
  // Re-encode a password that holds characters a URL parser would misread ('@', '/', '#', …).
  const netloc = splitNetlocs(parts.netloc)
    .map((entry) => {
      const p = parseNetloc(entry);
      if (p.username === null) return entry;
      const user = encodeIfRaw(p.username);
      const pass = p.password === null ? '' : `:${encodeIfRaw(p.password)}`;
      return `${user}${pass}@${p.host}${p.port ? `:${p.port}` : ''}`;
    })
    .join(',');
  const query = parts.hadQuery ? driverQuery(parts.query) : '';
  return { url: joinUrl({ ...parts, scheme: 'postgresql', netloc, query, hadQuery: query !== '' }), database };
}

/**
 * The query string for postgres.js: SQLAlchemy- and driver-only parameters dropped (see
 * DRIVER_ONLY_QUERY_KEYS), everything else kept as written (sslmode, application_name,
 * options, target_session_attrs, connect_timeout, host, …). libpq's `sslrootcert=system`
 * means sslmode=verify-full against the system's CAs; postgres.js reads it so but would
 * also send it to the server, which refuses it, so it becomes `sslmode=verify-full`.
 */
function driverQuery(query: string): string {
  const pairs = query.split('&').filter((pair) => pair !== '');
  const key = (pair: string) => safeDecode(pair.split('=', 1)[0]!).toLowerCase();
  const value = (pair: string) => (pair.includes('=') ? safeDecode(pair.slice(pair.indexOf('=') + 1)) : '');
  const systemRoots = pairs.some((pair) => key(pair) === 'sslrootcert' && value(pair) === 'system');
  const kept = pairs.filter((pair) => {
    const k = key(pair);
    if (DRIVER_ONLY_QUERY_KEYS.has(k)) return false;
    if (systemRoots && (k === 'sslmode' || (k === 'sslrootcert' && value(pair) === 'system'))) return false;
    return true;
  });
  if (systemRoots) kept.push('sslmode=verify-full');
  return kept.join('&');
}

function encodeIfRaw(s: string): string {
  // Keep existing %XX escapes; encode everything else that is not unreserved.
  return s.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~%!$&'()*+;=]/g, (ch) => encodeURIComponent(ch));
}

/**
 * The same database URL with other credentials: Cellar's own database role in place of
 * the one a cell mapping stores (nova's), so a read-only role reads the cells too. Only
 * the user and password change; host, port, database and query stay as stored.
 */
export function withCredentials(url: string, user: string, password: string | null): string {
  const m = /^([a-z][\w+.-]*:\/\/)(?:[^@/?#]*@)?(.*)$/i.exec(url);
  if (!m) return url;
  const auth = encodeURIComponent(user) + (password ? `:${encodeURIComponent(password)}` : '');
  return `${m[1]}${auth}@${m[2]}`;
}
