import 'server-only';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { CONNECTION_STALLED, DATABASE_NOT_ANSWERING } from './api-unavailable';
import * as apiSchema from './api/schema';
import * as cellSchema from './cell/schema';
import { parseDbUrl } from './url';

export type ApiSchema = typeof apiSchema;
export type CellSchema = typeof cellSchema;

export interface DbHandle<S extends Record<string, unknown>> {
  /** The raw postgres.js client, for set-based SQL drizzle does not express well. */
  sql: postgres.Sql;
  db: PostgresJsDatabase<S>;
  database: string;
  /** The driver URL, credentials included: for maintenance connections, never for display. */
  url: string;
  close(): Promise<void>;
}
export type ApiHandle = DbHandle<ApiSchema>;
export type CellHandle = DbHandle<CellSchema>;

export interface PoolOptions {
  /** Connections at most. Cells get a small pool: 75 cells on one server must fit its limit. */
  max?: number;
  idleTimeoutS?: number;
  connectTimeoutS?: number;
  /** Server-side statement timeout, so a query abandoned by a deadline does not run on. */
  statementTimeoutMs?: number;
  /**
   * The client-side bound: a connection that has sent the server something and heard
   * nothing back for this long is closed, failing its queries with CONNECTION_STALLED
   * (see stallGuard). It catches what statement_timeout cannot, a server that never runs
   * the statement (stopped, frozen, behind a black-holed network); set it above
   * statementTimeoutMs, which makes a slow statement answer first. Unset: no bound.
   */
  stallTimeoutMs?: number;
  applicationName?: string;
}

function open<S extends Record<string, unknown>>(url: string, schema: S, opts: PoolOptions): DbHandle<S> {
  const target = parseDbUrl(url);
  const connection: Record<string, string> = {
    application_name: opts.applicationName ?? 'cellar',
    TimeZone: 'UTC',
  };
  if (opts.statementTimeoutMs) connection.statement_timeout = String(opts.statementTimeoutMs);
  const sql = postgres(target.url, {
    max: opts.max ?? 10,
    idle_timeout: opts.idleTimeoutS ?? 30,
    connect_timeout: opts.connectTimeoutS ?? 10,
    max_lifetime: 60 * 30,
    connection,
    onnotice: () => {},
    // postgres.js's `socket` option (missing from its types): a function returning the socket to use.
    ...(opts.stallTimeoutMs ? { socket: stallGuard(opts.stallTimeoutMs) } : {}),
  });
  const db = drizzle(sql, { schema });
  return {
    sql,
    db,
    database: target.database,
    url: target.url,
    close: () => sql.end({ timeout: 2 }),
  };
}

/** What postgres.js passes its `socket` option: its parsed connection options. */
interface SocketOptions {
  host: string[];
  port: number[];
  path?: string | false;
  keep_alive?: number | null;
}

/** How long after a connection found the server not answering new connections fail at once. */
export const DOWN_RETRY_MS = 1000;

/** A connection error as postgres.js makes its own (code, errno, address, port). */
class GuardError extends Error {
  readonly errno: string;
  constructor(
    readonly code: string,
    message: string,
    readonly address: string,
    readonly port: number | undefined,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ConnectionError';
    this.errno = code;
  }
}

const where = (address: string, port: number | undefined) => (port === undefined ? address : `${address}:${port}`);

/**
 * What the pool's connections have found out about the server: when one last found it
 * not answering (refused, stalled, not ready by the connect timeout), and why; null once
 * one has heard from it since.
 */
interface ServerState {
  downSince: number | null;
  reason: string;
}

/**
 * postgres.js's `socket` option: every connection of the pool on a GuardedSocket. One per
 * pool, so several hosts (`host=a,b`) are taken in turn, as postgres.js does itself.
 *
 * For DOWN_RETRY_MS after a connection found the server not answering, a new connection
 * fails at once with DATABASE_NOT_ANSWERING instead of trying: postgres.js gives each
 * queued query a connection of its own, one after another, so a queue that built up
 * behind a stalled server would otherwise drain at one connect timeout per query and
 * connection. After that, the next query tries again: the pool finds the server back by
 * itself.
 */
function stallGuard(stallMs: number): (options: SocketOptions) => GuardedSocket {
  let next = 0;
  const server: ServerState = { downSince: null, reason: '' };
  return (options) => {
    const i = next++ % Math.max(1, options.host.length);
    const address = options.path || options.host[i]!;
    const port = options.path ? undefined : (options.port[i] ?? options.port[0]!);
    if (server.downSince !== null && performance.now() - server.downSince < DOWN_RETRY_MS) {
      const message = `the database server at ${where(address, port)} did not answer a moment ago (${server.reason}); Cellar tries again shortly`;
      return new GuardedSocket(null, stallMs, address, port, server, new GuardError(DATABASE_NOT_ANSWERING, message, address, port));
    }
    const raw = new net.Socket();
    if (port === undefined) raw.connect(address);
    else raw.connect(port, address);
    if (options.keep_alive) raw.setKeepAlive(true, 1000 * options.keep_alive);
    return new GuardedSocket(raw, stallMs, address, port, server);
  };
}

/** How long a connection that ended while in use keeps failing writes before it closes (see GuardedSocket). */
export const IN_USE_CLOSE_MS = 250;

/** PostgreSQL's CancelRequest starts so (length 16, code 80877102): the server answers it by closing. */
const CANCEL_REQUEST = Buffer.from([0, 0, 0, 16, 4, 210, 22, 46]);
/** PostgreSQL's Terminate: the last message of a connection, which the server does not answer. */
const TERMINATE = Buffer.from([88, 0, 0, 0, 4]);

/**
 * A connection's socket with a bound on the server's silence. The PostgreSQL protocol
 * answers every request (a query, a sync, the startup, the SSL request), so "wrote, then
 * heard nothing for stallMs" means the server is not there: the socket is destroyed with
 * CONNECTION_STALLED, postgres.js fails the connection's queries with it, and the next
 * query opens a new connection (which is how the pool recovers by itself). An idle
 * connection, a reserved one between statements, an open transaction waiting on the
 * application: none has anything outstanding, so none is touched.
 *
 * A Duplex over the net.Socket, not the net.Socket itself, so the bound also sees a TLS
 * connection's traffic (sslmode=require): postgres.js puts TLS on top of this stream, and
 * Node runs TLS over a JS stream through it, where over a net.Socket it would take the
 * socket's handle and bypass its events. postgres.js uses what net.Socket offers beyond a
 * Duplex: host, port, readyState, setKeepAlive.
 *
 * The bound measures from the oldest unanswered write: data from the server answers every
 * write before it; a write made while waiting (postgres.js pipelines queries on a busy
 * connection) restarts the wait when earlier data arrives. A server that stops halfway
 * through an answer is not caught (it has answered something), nor one that trickles.
 *
 * When the connection ends (stalled here, or refused, reset or closed by the server),
 * postgres.js is told in two steps, which keeps clear of two faults of postgres.js 3.4
 * (porsager/postgres#1208, #1215): after its socket has closed, a write on the connection
 * (the ROLLBACK sql.begin() sends when its transaction fails; a query or release() on a
 * reserved connection) throws from a timer and leaves the connection unable to connect
 * again; and a close that arrives between a write and the next turn of the event loop,
 * when postgres.js sends its batched writes, does the same. So: first an error, which
 * fails the connection's queries; every write after it is failed the same way at once;
 * the close itself comes two turns later, or, when the connection was in use (it was
 * waiting for an answer, so a transaction or a reserved session may be cleaning up on
 * it), IN_USE_CLOSE_MS later.
 *
 * Without a net.Socket (`raw` null) it is a connection refused before it starts: it fails
 * with `refusal` at once.
 */
class GuardedSocket extends Duplex {
  readonly host: string;
  readonly port: number | undefined;
  readonly #raw: net.Socket | null;
  readonly #stallMs: number;
  readonly #server: ServerState;
  #timer: NodeJS.Timeout | null = null;
  /** Writes so far, and how many of them the running wait covers. */
  #writes = 0;
  #waitingFor = 0;
  #answered = false;
  #cancelRequest = false;
  /** The connection has ended: the error every write from now on fails with. */
  #ending: Error | null = null;

  constructor(raw: net.Socket | null, stallMs: number, host: string, port: number | undefined, server: ServerState, refusal?: Error) {
    super({ allowHalfOpen: false, autoDestroy: false });
    this.#raw = raw;
    this.#stallMs = stallMs;
    this.#server = server;
    this.host = host;
    this.port = port;
    if (!raw) {
      // Not at once: postgres.js listens for errors only after a microtask.
      setImmediate(() => this.#end(refusal ?? null));
      return;
    }
    raw.on('data', (chunk: Buffer) => {
      if (this.#ending) return;
      this.#heard();
      if (!this.push(chunk)) raw.pause();
    });
    // The server never half-closes a PostgreSQL connection: its end is the connection's.
    raw.on('end', () => this.#end(null));
    raw.on('error', (e) => this.#end(e));
    raw.on('close', () => this.#end(null));
  }

  get readyState(): string {
    if (this.#ending) return 'closed';
    return this.#raw?.readyState ?? 'closed';
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.#raw?.setKeepAlive(enable, initialDelay);
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.#raw?.setNoDelay(noDelay);
    return this;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#ending || !this.#raw) {
      if (this.#ending) this.#fail(this.#ending);
      callback();
      return;
    }
    if (this.#writes === 0 && chunk.subarray(0, 8).equals(CANCEL_REQUEST)) this.#cancelRequest = true;
    if (!chunk.equals(TERMINATE)) {
      this.#writes++;
      if (this.#timer === null) this.#wait();
    }
    this.#raw.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#raw || this.#ending) callback();
    else this.#raw.end(callback);
  }

  override _read(): void {
    this.#raw?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#stopWaiting();
    if (this.#raw && !this.#ending) this.#noteEnd(error);
    this.#raw?.destroy();
    callback(error);
  }

  /** The connection has ended: cut it, fail what is on it, close it a little later (see the class). */
  #end(error: Error | null): void {
    if (this.#ending || this.destroyed) return;
    const stalled = (error as { code?: string } | null)?.code === CONNECTION_STALLED;
    const inUse = this.#answered && (stalled || this.#timer !== null);
    const ending =
      error ?? new GuardError('CONNECTION_CLOSED', `the database server at ${where(this.host, this.port)} closed the connection`, this.host, this.port);
    this.#ending = ending;
    this.#stopWaiting();
    if (this.#raw) this.#noteEnd(error);
    this.#raw?.destroy();
    this.#fail(ending);
    const close = () => this.destroy();
    if (!inUse) setImmediate(() => setImmediate(close));
    else {
      setTimeout(() => {
        // Queries waiting for a connection get this one now: while the server is still
        // not answering, they fail at once rather than trying it one by one.
        if (this.#server.downSince !== null) this.#server.downSince = performance.now();
        close();
      }, IN_USE_CLOSE_MS).unref();
    }
  }

  /** Tell postgres.js (or the TLS socket over this one) on the next tick: it fails the connection's queries. */
  #fail(error: Error): void {
    process.nextTick(() => {
      if (!this.destroyed && this.listenerCount('error') > 0) this.emit('error', error);
    });
  }

  /**
   * Closed without a word from the server (refused, unreachable, not ready by the connect
   * timeout) or stalled: the server is not answering, and new connections fail at once
   * for a moment.
   */
  #noteEnd(error: Error | null): void {
    const code = (error as { code?: string } | null)?.code;
    const stalled = code === CONNECTION_STALLED;
    if (!stalled && (this.#answered || this.#cancelRequest)) return;
    this.#server.downSince = performance.now();
    this.#server.reason = stalled ? `no answer in ${this.#stallMs} ms` : (code ?? 'no answer while connecting');
  }

  /** Start (or restart) the wait for an answer to every write so far. */
  #wait(): void {
    this.#waitingFor = this.#writes;
    if (this.#timer) this.#timer.refresh();
    else {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#end(
          new GuardError(
            CONNECTION_STALLED,
            `the database server at ${where(this.host, this.port)} did not answer in ${this.#stallMs} ms`,
            this.host,
            this.port,
          ),
        );
      }, this.#stallMs);
      this.#timer.unref();
    }
  }

  #heard(): void {
    this.#answered = true;
    this.#server.downSince = null;
    if (this.#timer === null) return;
    if (this.#writes > this.#waitingFor) this.#wait();
    else this.#stopWaiting();
  }

  #stopWaiting(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

export function openApiDatabase(url: string, opts: PoolOptions = {}): ApiHandle {
  return open(url, apiSchema, { max: 10, ...opts });
}

export function openCellDatabase(url: string, opts: PoolOptions = {}): CellHandle {
  return open(url, cellSchema, { max: 3, idleTimeoutS: 20, ...opts });
}

/** A short-lived maintenance connection (CREATE DATABASE and the like). */
export function openAdmin(url: string): postgres.Sql {
  return postgres(parseDbUrl(url).url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
}
