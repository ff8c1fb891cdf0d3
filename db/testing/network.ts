/**
 * Stand-ins for cells that fail at the network level, on 127.0.0.1 only (tests never
 * point at any other address), and a proxy that makes a real database fail so. Plain
 * Node, so both vitest and Playwright use them.
 */
import net from 'node:net';
import tls from 'node:tls';

/** A port on 127.0.0.1 nothing listens on: connections are refused at once. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A TCP server that accepts connections and never answers: a cell that hangs. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export type ProxyMode = 'pass' | 'stall' | 'refuse';

export interface SwitchableProxy {
  /** The port on 127.0.0.1 to connect to instead of the target's. */
  readonly port: number;
  readonly mode: ProxyMode;
  /**
   * - pass: new connections go through to the target;
   * - stall: the server stops answering: new connections are accepted and held, and the
   *   connections already through forward nothing more, either way, ever again (as when a
   *   server freezes or the network black-holes a flow);
   * - refuse: the port refuses connections and the connections through are cut (a stopped
   *   server).
   * Back to pass, only new connections go through: a stalled one stays stalled.
   */
  set(mode: ProxyMode): Promise<void>;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections that went through with TLS (the proxy's `tls` option). */
  readonly secured: number;
  close(): Promise<void>;
}

/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL, for the tests of a
 * database that stops answering), switchable between pass, stall and refuse. With `tls`
 * it also ends TLS as a PostgreSQL server would (it answers the SSLRequest with 'S' and
 * speaks TLS with that key and certificate), and talks plain to the target: a server that
 * requires TLS, in front of one that has none.
 */
export async function switchableProxy(target: { host: string; port: number }, opts: { tls?: { key: string; cert: string } } = {}): Promise<SwitchableProxy> {
  let mode: ProxyMode = 'pass';
  let accepted = 0;
  let secured = 0;
  type Pair = { client: net.Socket; upstream: net.Socket | null; frozen: boolean };
  const pairs = new Set<Pair>();
  /** Forward between the client's side (plain, or TLS ended here) and the target, until frozen. */
  const forward = (pair: Pair, near: net.Socket, first?: Buffer) => {
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    near.on('error', () => pair.client.destroy());
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => {
      if (!pair.frozen) pair.client.destroy();
    });
    if (first) upstream.write(first);
    near.on('data', (d) => {
      if (!pair.frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.frozen) near.write(d);
    });
  };
  const server = net.createServer((client) => {
    accepted++;
    const pair: Pair = { client, upstream: null, frozen: mode !== 'pass' };
    pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (pair.frozen) return;
    const { tls: keys } = opts;
    if (!keys) return forward(pair, client);
    client.once('data', (first) => {
      if (pair.frozen) return;
      if (!first.subarray(0, 8).equals(SSL_REQUEST)) return forward(pair, client, first);
      client.write('S');
      secured++;
      forward(pair, new tls.TLSSocket(client, { isServer: true, key: keys.key, cert: keys.cert }));
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const cutAll = () => {
    for (const p of pairs) {
      p.client.destroy();
      p.upstream?.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    get secured() {
      return secured;
    },
    async set(next) {
      const previous = mode;
      if (next === previous) return;
      mode = next;
      if (previous === 'refuse') await listen(port);
      if (next === 'stall') for (const p of pairs) p.frozen = true;
      if (next === 'refuse') {
        await new Promise<void>((r) => {
          server.close(() => r());
          cutAll();
        });
      }
    },
    async close() {
      cutAll();
      if (mode !== 'refuse') await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * A database URL (postgresql://…@host:port/db?…) behind a switchable proxy: the proxy,
 * and the same URL pointing at it.
 */
export async function behindProxy(url: string, opts: { tls?: { key: string; cert: string } } = {}): Promise<{ proxy: SwitchableProxy; url: string }> {
  const u = new URL(url.replace(/^[a-z][a-z0-9+._-]*:/i, 'http:'));
  const proxy = await switchableProxy({ host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(u.port || 5432) }, opts);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return { proxy, url: u.toString().replace(/^http:/, 'postgresql:') };
}
