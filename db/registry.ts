import 'server-only';
import type { CellHealthMemory } from './cell-health';
import { type CellHandle, openCellDatabase, type PoolOptions } from './connect';
import { expandTemplate, parseDbUrl, parseNetloc, splitNetlocs, splitUrl, withCredentials } from './url';

/** What the registry needs to know of a cell mapping. */
export interface CellRef {
  id: number;
  uuid: string;
  name: string | null;
  databaseConnection: string | null;
  transportUrl?: string | null;
  disabled?: boolean | null;
}

/**
 * A database that is not (yet) a cell mapping — a URL being validated, migrated or read
 * before a cell is created: the registry can open it, but it has no uuid of its own and
 * nothing about it is kept (no health memory, no last-known figures). Forget it after use.
 */
export function candidateCell(databaseConnection: string, name = 'candidate'): CellRef {
  return { id: CANDIDATE_ID, uuid: `candidate-${crypto.randomUUID()}`, name, databaseConnection };
}
const CANDIDATE_ID = -1;
export const isCandidateCell = (ref: Pick<CellRef, 'id'>): boolean => ref.id === CANDIDATE_ID;

/** The default of CELLAR_CELL_CONNECTIONS_PER_SERVER: well under PostgreSQL's default max_connections (100). */
export const DEFAULT_CONNECTIONS_PER_SERVER = 40;
/**
 * Connections of one cell's pool at most, while the server's budget has room for that
 * many for each of its cells; one when it has more cells (75 cells on a budget of 40):
 * a pool for more cells at once is worth more than a second connection for some.
 */
export const DEFAULT_CONNECTIONS_PER_CELL = 2;
/** A cell pool's idle connection closes after this (postgres.js idle_timeout). */
export const DEFAULT_IDLE_TIMEOUT_S = 10;
/**
 * How long a handle given out by handleFor (a direct user, outside a fan-out) is kept from
 * being closed to make room: the caller holds it without a lease, so it is given this long
 * to finish. It still counts against its server's budget.
 */
export const DIRECT_PIN_MS = 5 * 60_000;

export interface RegistryOptions {
  /** Base URL for nova-style cell URL templates (CELLAR_DATABASE_URL). */
  baseUrl?: string | null;
  /** Options of each cell's pool; `max` is the connections of one cell (default DEFAULT_CONNECTIONS_PER_CELL). */
  pool?: PoolOptions;
  /** A handle unused for this long is closed and forgotten. */
  forgetAfterMs?: number;
  /** Connect to every cell as this role instead of the one its mapping names (CELLAR_CELL_DATABASE_USER). */
  cellCredentials?: { user: string; password: string | null } | null;
  /**
   * Connections at most to one database server (cells whose URLs share host and port),
   * over all its cells (CELLAR_CELL_CONNECTIONS_PER_SERVER).
   */
  connectionsPerServer?: number;
  /** The shared memory of cell health fanOut consults and records into (db/cell-health.ts). */
  health?: CellHealthMemory | null;
}

/** A fan-out's hold on a cell's pool: the handle, until release(). */
export interface CellLease {
  handle: CellHandle;
  /** Give the pool back (idempotent). The handle must not be used after. */
  release(): void;
}

/** No connection to the cell's server became free in time: every one of its budget was in use. */
export class BudgetFullError extends Error {
  constructor(
    readonly server: string,
    readonly limit: number,
  ) {
    super(`Cellar's ${limit} connections to the database server ${server} were all in use`);
    this.name = 'BudgetFullError';
  }
}

interface Entry {
  uuid: string;
  url: string;
  handle: CellHandle;
  server: ServerBudget;
  /** Connections this pool may hold (its `max`). */
  units: number;
  lastUsed: number;
  /** Fan-outs using it now. */
  leases: number;
  /** handleFor gave it out: not closed to make room before this (Date.now()). */
  pinnedUntil: number;
  /** Set once it is closing: resolves when it has closed. */
  closed: Promise<void> | null;
}

interface Waiter {
  cell: CellRef;
  url: string;
  resolve(lease: CellLease): void;
  reject(e: unknown): void;
}

/** One database server's budget: its pools (open or closing) and the fan-outs waiting for room, in order. */
interface ServerBudget {
  key: string;
  limit: number;
  /** Units of open and closing pools. */
  used: number;
  /** Units of pools closing now (freed when they have closed). */
  freeing: number;
  pools: Set<Entry>;
  waiters: Waiter[];
  /** The cells seen on this server, for the size of a new pool. */
  cells: Set<string>;
}

/**
 * The server a URL points at, for the budget: its host:port entries (port 5432 when
 * none), or the `host=` of its query for a socket path. As written: `localhost` and
 * `127.0.0.1` are two servers to it.
 */
export function serverKey(url: string): string {
  const parts = splitUrl(url);
  if (!parts) return url;
  const hosts = splitNetlocs(parts.netloc)
    .map((entry) => {
      const { host, port } = parseNetloc(entry);
      return host ? `${host.toLowerCase()}:${port ?? '5432'}` : '';
    })
    .filter(Boolean);
  if (hosts.length === 0) {
    const q = new URLSearchParams(parts.query);
    const host = q.get('host');
    if (host) hosts.push(`${host}:${q.get('port') ?? '5432'}`);
  }
  return hosts.length > 0 ? hosts.sort().join(',') : url;
}

/**
 * cell uuid → database handle. Opened lazily from the cell mapping, with a small
 * bounded pool; reopened when the mapping's (expanded) URL changes, which nova only
 * notices after a restart; closed when unused for a while.
 *
 * The connection budget: cells whose URLs point at the same server share
 * `connectionsPerServer` connections. A pool counts its `max` against its server's budget
 * from when it opens until it has closed. A fan-out leases its cell's pool (acquire)
 * around its work: a pool already open is shared at once; a new one opens when the
 * budget has room, else the least recently used idle pool of that server is closed to
 * make room, else the fan-out waits its turn (first come, first served) until a pool is
 * given back, or its deadline (the signal) gives up with BudgetFullError. Idle
 * connections close by themselves after the pool's idle timeout.
 */
export class CellRegistry {
  private entries = new Map<string, Entry>();
  private servers = new Map<string, ServerBudget>();
  private sweeper: NodeJS.Timeout | undefined;
  readonly health: CellHealthMemory | null;
  readonly connectionsPerServer: number;
  private readonly perCell: number;

  constructor(private readonly options: RegistryOptions = {}) {
    this.health = options.health ?? null;
    this.connectionsPerServer = Math.max(1, Math.floor(options.connectionsPerServer ?? DEFAULT_CONNECTIONS_PER_SERVER));
    this.perCell = Math.max(1, Math.min(this.connectionsPerServer, options.pool?.max ?? DEFAULT_CONNECTIONS_PER_CELL));
  }

  /** The URL the cell's database is reached at, templates expanded. Throws DbUrlError. */
  resolveUrl(cell: CellRef): string {
    if (!cell.databaseConnection) {
      throw new Error(`Cell ${cell.name ?? cell.uuid} has no database_connection.`);
    }
    const url = expandTemplate(cell.databaseConnection, this.options.baseUrl);
    const own = this.options.cellCredentials;
    return own ? withCredentials(url, own.user, own.password) : url;
  }

  /**
   * The cell's handle, for a caller outside a fan-out (a write, a migration). It is kept
   * open at least DIRECT_PIN_MS and counts against its server's budget, but does not wait
   * for room: when the budget is full of pools in use it goes over it. A fan-out uses
   * acquire() instead.
   */
  handleFor(cell: CellRef): CellHandle {
    const url = this.resolveUrl(cell);
    let entry = this.entries.get(cell.uuid);
    if (entry && entry.url !== url) {
      void this.retire(entry);
      entry = undefined;
    }
    if (!entry) {
      const server = this.serverFor(url);
      entry = this.open(cell, url, server);
      if (server.used > server.limit) this.makeRoom(server, server.used - server.limit);
    }
    entry.lastUsed = Date.now();
    entry.pinnedUntil = Math.max(entry.pinnedUntil, entry.lastUsed + DIRECT_PIN_MS);
    return entry.handle;
  }

  /**
   * Lease the cell's pool within its server's budget (see the class). Rejects with what
   * resolveUrl throws, or with BudgetFullError when `signal` aborts before room was found.
   */
  acquire(cell: CellRef, opts: { signal?: AbortSignal } = {}): Promise<CellLease> {
    let url: string;
    let server: ServerBudget;
    try {
      url = this.resolveUrl(cell);
      const existing = this.entries.get(cell.uuid);
      if (existing && existing.url === url) return Promise.resolve(this.lease(existing));
      if (existing) void this.retire(existing);
      // A URL the driver cannot use fails now, not after waiting its turn.
      parseDbUrl(url);
      server = this.serverFor(url);
      if (server.waiters.length === 0 && this.fits(server)) return Promise.resolve(this.lease(this.open(cell, url, server)));
    } catch (e) {
      return Promise.reject(e);
    }
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(new BudgetFullError(server.key, server.limit));
    return new Promise<CellLease>((resolve, reject) => {
      const onAbort = () => {
        const i = server.waiters.indexOf(waiter);
        if (i !== -1) server.waiters.splice(i, 1);
        reject(new BudgetFullError(server.key, server.limit));
        // Room it was waiting for may now serve the next one.
        this.drain(server);
      };
      const waiter: Waiter = {
        cell,
        url,
        resolve: (lease) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(lease);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      server.waiters.push(waiter);
      this.drain(server);
    });
  }

  /**
   * Cells about to be asked together (a fan-out): their servers learn how many cells they
   * hold before the first pool opens, which sizes the pools (see DEFAULT_CONNECTIONS_PER_CELL).
   */
  anticipate(cells: readonly CellRef[]): void {
    for (const cell of cells) {
      try {
        this.serverFor(this.resolveUrl(cell)).cells.add(cell.uuid);
      } catch {
        // acquire() reports it.
      }
    }
  }

  /**
   * Drop a cell's pool, e.g. after a connection-level failure or a deadline, so the next
   * call reconnects. Its queries are given until the server's statement timeout (and two
   * seconds) before its connections are cut: a connection cut while postgres.js reads
   * the server's types (the first query of every connection) fails with an unhandled
   * rejection (porsager/postgres#1192), and a server that is only slow finishes that by then.
   */
  async forget(uuid: string): Promise<void> {
    const e = this.entries.get(uuid);
    if (!e) return;
    await this.retire(e, Math.ceil((this.options.pool?.statementTimeoutMs ?? 8000) / 1000) + 2);
  }

  get openCount(): number {
    return this.entries.size;
  }

  /** Connections counted against a server's budget now (pools open or closing), and fan-outs waiting for it. */
  budgetOf(url: string): { server: string; limit: number; used: number; waiting: number } {
    const key = serverKey(url);
    const s = this.servers.get(key);
    return { server: key, limit: s?.limit ?? this.connectionsPerServer, used: s?.used ?? 0, waiting: s?.waiters.length ?? 0 };
  }

  private serverFor(url: string): ServerBudget {
    const key = serverKey(url);
    let s = this.servers.get(key);
    if (!s) {
      s = { key, limit: this.connectionsPerServer, used: 0, freeing: 0, pools: new Set(), waiters: [], cells: new Set() };
      this.servers.set(key, s);
    }
    return s;
  }

  /** The size of a new pool on this server: perCell while each of its cells could have one that big, else 1. */
  private poolSize(server: ServerBudget): number {
    return server.cells.size * this.perCell <= server.limit ? this.perCell : 1;
  }

  private fits(server: ServerBudget): boolean {
    return server.used + this.poolSize(server) <= server.limit;
  }

  private open(cell: CellRef, url: string, server: ServerBudget): Entry {
    server.cells.add(cell.uuid);
    const units = this.poolSize(server);
    const handle = openCellDatabase(url, {
      applicationName: `cellar:${cell.name ?? cell.uuid}`,
      idleTimeoutS: DEFAULT_IDLE_TIMEOUT_S,
      ...this.options.pool,
      max: units,
    });
    const entry: Entry = { uuid: cell.uuid, url, handle, server, units, lastUsed: Date.now(), leases: 0, pinnedUntil: 0, closed: null };
    this.entries.set(cell.uuid, entry);
    server.pools.add(entry);
    server.used += entry.units;
    this.ensureSweeper();
    return entry;
  }

  private lease(entry: Entry): CellLease {
    entry.leases++;
    entry.lastUsed = Date.now();
    let released = false;
    return {
      handle: entry.handle,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        entry.lastUsed = Date.now();
        if (entry.leases === 0 && !entry.closed && entry.server.waiters.length > 0) this.drain(entry.server);
      },
    };
  }

  /**
   * Close a pool, its queries given `graceS` seconds (an idle pool closes at once); its
   * units are free once it has closed.
   */
  private retire(entry: Entry, graceS = 2): Promise<void> {
    if (this.entries.get(entry.uuid) === entry) this.entries.delete(entry.uuid);
    if (entry.closed) return entry.closed;
    const server = entry.server;
    server.freeing += entry.units;
    // Then at once: what is still sent to it comes from work its fan-out gave up on (a
    // deadline), and a graceful end would leave the connection that answers it open (cells75
    // saw 86 connections on a budget of 40 that way); such a query fails CONNECTION_DESTROYED.
    entry.closed = this.quiet(entry, graceS)
      .then(() => entry.handle.sql.end({ timeout: 0 }))
      .catch(() => {})
      .finally(() => {
        server.pools.delete(entry);
        server.used -= entry.units;
        server.freeing -= entry.units;
        this.drain(server);
      });
    return entry.closed;
  }

  /**
   * Wait (at most `graceS`) until the pool has finished what was sent to it, so that ending
   * it closes its connections. postgres.js 3.4's end() with queries still queued or running
   * resolves once they are answered but leaves the connection that answered them open until
   * its idle_timeout: uncounted connections on the server (75 cells on a budget of 40 saw
   * 87). A query sent now is answered after the ones before it on the same connection.
   */
  private async quiet(entry: Entry, graceS: number): Promise<void> {
    const idleMs = (this.options.pool?.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S) * 1000;
    // Unused for longer than its idle timeout: its connections are already closed.
    if (entry.leases === 0 && Date.now() - entry.lastUsed > idleMs) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(Array.from({ length: entry.units }, () => entry.handle.sql`select 1`.catch(() => {}))),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceS * 1000);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Close least recently used idle pools of the server until `units` more are being freed. */
  private makeRoom(server: ServerBudget, units: number): void {
    let wanted = units - server.freeing;
    if (wanted <= 0) return;
    const now = Date.now();
    const idle = [...server.pools].filter((e) => !e.closed && e.leases === 0 && e.pinnedUntil <= now).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const e of idle) {
      if (wanted <= 0) break;
      wanted -= e.units;
      void this.retire(e);
    }
  }

  /** Serve waiters in order: a pool already open at once; a new one while the budget has room; else make room. */
  private drain(server: ServerBudget): void {
    let needed = 0;
    for (let i = 0; i < server.waiters.length; ) {
      const w = server.waiters[i]!;
      const open = this.entries.get(w.cell.uuid);
      if (open && open.url === w.url) {
        server.waiters.splice(i, 1);
        w.resolve(this.lease(open));
        continue;
      }
      // First come, first served: a later waiter that needs a new pool does not overtake.
      if (needed === 0 && this.fits(server)) {
        server.waiters.splice(i, 1);
        if (open) void this.retire(open);
        try {
          w.resolve(this.lease(this.open(w.cell, w.url, server)));
        } catch (e) {
          w.reject(e);
        }
        continue;
      }
      needed += this.poolSize(server);
      i++;
    }
    if (needed > 0) this.makeRoom(server, server.used + needed - server.limit);
  }

  private ensureSweeper() {
    if (this.sweeper) return;
    const forgetAfter = this.options.forgetAfterMs ?? 10 * 60_000;
    this.sweeper = setInterval(
      () => {
        const now = Date.now();
        for (const e of this.entries.values()) {
          if (e.leases === 0 && e.pinnedUntil <= now && now - e.lastUsed > forgetAfter) void this.retire(e);
        }
        if (this.entries.size === 0 && this.sweeper) {
          clearInterval(this.sweeper);
          this.sweeper = undefined;
        }
      },
      Math.min(forgetAfter, 60_000),
    );
    this.sweeper.unref();
  }

  async closeAll(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    const all = [...this.servers.values()].flatMap((s) => {
      for (const w of s.waiters.splice(0)) w.reject(new Error('the cell registry was closed'));
      return [...s.pools];
    });
    this.entries.clear();
    await Promise.all(all.map((e) => this.retire(e)));
  }
}
