/**
 * fanOut and CellRegistry against the real test PostgreSQL, plus cells that are down in
 * the ways real cells go down: a closed port, a server that accepts and never answers,
 * a role the server refuses, a database that does not exist, a MySQL DSN.
 * Every fake server here listens on 127.0.0.1 only.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellMappings } from './api/schema';
import { type CellOutcome, classifyCellError, fanOut } from './fanout';
import { CellRegistry, type CellRef } from './registry';
import { createTestDeployment, type TestDeployment } from './testing/deployment';
import { withDatabase } from './testing/templates';

const DEADLINE_MS = 1500;
const BOUND_MS = DEADLINE_MS * 1.1;

/** Passwords put in the URLs of down cells: no outcome may show them. */
const SECRETS = ['Closed-S3cret', 'Hole-S3cret', 'Mysql-S3cret', 'NoRole-S3cret'];

let dep: TestDeployment;
let blackHole: net.Server;
const blackHoleSockets = new Set<net.Socket>();
let blackHolePort: number;
let closedPort: number;
let templateDatabase: string;
let noRole: string;

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** The userinfo of the test server's URL (the embedded cluster has a password, CI's has none). */
function serverPassword(): string | null {
  const p = new URL(dep.serverUrl).password;
  return p ? decodeURIComponent(p) : null;
}

async function mappedCells(): Promise<CellRef[]> {
  return dep.api.db.select().from(cellMappings).orderBy(asc(cellMappings.id));
}

const cellNamed = (name: string): Promise<CellRef> => dep.cellNamed(name);

beforeAll(async () => {
  dep = await createTestDeployment();

  // A port that was just free: nothing listens on it, so connecting is refused.
  const probe = net.createServer();
  closedPort = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  // Accepts connections, reads whatever is sent, never writes a byte.
  blackHole = net.createServer((socket) => {
    blackHoleSockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => blackHoleSockets.delete(socket));
  });
  blackHolePort = await listen(blackHole);

  const server = new URL(dep.serverUrl);
  noRole = `cellar_no_role_${crypto.randomBytes(4).toString('hex')}`;
  ({ database: templateDatabase } = await dep.createCellDatabase());

  await dep.addCell({ name: 'closed-port', url: `postgresql://nova:${SECRETS[0]}@127.0.0.1:${closedPort}/nova_cell9` });
  await dep.addCell({ name: 'black-hole', url: `postgresql://nova:${SECRETS[1]}@127.0.0.1:${blackHolePort}/nova_cell8` });
  await dep.addCell({ name: 'mysql', url: `mysql+pymysql://nova:${SECRETS[2]}@127.0.0.1/nova_cell7` });
  // A role that does not exist: refused at authentication under trust (28000) and under
  // scram (28P01) alike.
  await dep.addCell({ name: 'no-role', url: `postgresql://${noRole}:${SECRETS[3]}@${server.host}/postgres` });
  await dep.addCell({ name: 'no-database', url: withDatabase(dep.serverUrl, `cellar_missing_${crypto.randomBytes(4).toString('hex')}`) });
  // A nova template URL, expanded from the registry's base URL (the api database's URL).
  await dep.addCell({ name: 'template', url: `{scheme}://{username}:{password}@{hostname}:{port}/${templateDatabase}` });
});

afterAll(async () => {
  // Stop taking connections and drop the ones held, so pools stuck on them end at once.
  const closed = blackHole ? new Promise<void>((resolve) => blackHole.close(() => resolve())) : Promise.resolve();
  for (const socket of blackHoleSockets) socket.destroy();
  await closed;
  await dep?.close();
});

describe('fanOut', () => {
  it('answers from healthy cells and reports down cells with a reason, all within the deadline', async () => {
    const cells = await mappedCells();
    expect(cells.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2', 'closed-port', 'black-hole', 'mysql', 'no-role', 'no-database', 'template']);

    const started = performance.now();
    const outcomes = await fanOut(dep.registry, cells, async ({ handle }) => (await handle.sql<{ one: number }[]>`select 1 as one`)[0]!.one, {
      deadlineMs: DEADLINE_MS,
    });
    const wallMs = performance.now() - started;

    expect(wallMs).toBeLessThanOrEqual(BOUND_MS);
    expect(outcomes.map((o) => o.cell.uuid)).toEqual(cells.map((c) => c.uuid));
    expect(outcomes.map((o) => o.cell.name)).toEqual(cells.map((c) => c.name));

    const byName = new Map(outcomes.map((o) => [o.cell.name, o]));
    for (const name of ['cell0', 'cell1', 'cell2', 'template']) {
      expect(byName.get(name), name).toMatchObject({ status: 'up', value: 1 });
    }
    expect(byName.get('closed-port')).toMatchObject({ status: 'down', reason: 'refused' });
    expect(byName.get('black-hole')).toMatchObject({ status: 'down', reason: 'timeout' });
    expect(byName.get('no-role')).toMatchObject({ status: 'down', reason: 'auth' });
    expect(byName.get('no-database')).toMatchObject({ status: 'down', reason: 'error' });
    expect(byName.get('mysql')).toMatchObject({ status: 'down', reason: 'error' });
    const mysql = byName.get('mysql') as Extract<CellOutcome<number>, { status: 'down' }>;
    expect(mysql.message).toMatch(/mysql\+pymysql:\/\/ URLs are not supported/);
    expect(mysql.message).toMatch(/PostgreSQL/);
    const noDatabase = byName.get('no-database') as Extract<CellOutcome<number>, { status: 'down' }>;
    expect(noDatabase.message).toMatch(/does not exist/);

    for (const o of outcomes) {
      expect(o.elapsedMs, `${o.cell.name} elapsedMs`).toBeGreaterThanOrEqual(0);
      if (o.status === 'down') expect(o.elapsedMs, `${o.cell.name} elapsedMs`).toBeLessThanOrEqual(BOUND_MS);
      const shown = JSON.stringify(o);
      for (const secret of SECRETS) expect(shown).not.toContain(secret);
      const pw = serverPassword();
      if (pw) expect(shown).not.toContain(pw);
    }
  });

  it('reaches each cell in its own database, templates expanded through the registry base URL', async () => {
    const cells = await mappedCells();
    const wanted = ['cell0', 'cell1', 'cell2', 'template'];
    const chosen = cells.filter((c) => wanted.includes(c.name!));
    const outcomes = await fanOut(dep.registry, chosen, async ({ handle }) => (await handle.sql<{ db: string }[]>`select current_database() as db`)[0]!.db, {
      deadlineMs: DEADLINE_MS,
    });
    expect(outcomes.map((o) => (o.status === 'up' ? o.value : o.message))).toEqual([
      dep.cell0.database,
      dep.cells[0]!.database,
      dep.cells[1]!.database,
      templateDatabase,
    ]);
  });

  it('never throws: a work function that throws synchronously or rejects makes only that cell an error', async () => {
    const [cell0, cell1, cell2] = [await cellNamed('cell0'), await cellNamed('cell1'), await cellNamed('cell2')];
    const outcomes = await fanOut(
      dep.registry,
      [cell0, cell1, cell2],
      ({ cell, handle }) => {
        if (cell.uuid === cell0.uuid) throw new Error('thrown before any promise');
        if (cell.uuid === cell1.uuid) return Promise.reject(new Error('rejected later'));
        return handle.sql<{ n: number }[]>`select 2 as n`.then((r) => r[0]!.n);
      },
      { deadlineMs: DEADLINE_MS },
    );
    expect(outcomes).toEqual([
      expect.objectContaining({ cell: { uuid: cell0.uuid, name: 'cell0' }, status: 'down', reason: 'error', message: 'thrown before any promise' }),
      expect.objectContaining({ cell: { uuid: cell1.uuid, name: 'cell1' }, status: 'down', reason: 'error', message: 'rejected later' }),
      expect.objectContaining({ cell: { uuid: cell2.uuid, name: 'cell2' }, status: 'up', value: 2 }),
    ]);
  });

  it('does not throw when a work function returns a plain value instead of a promise', async () => {
    const cell1 = await cellNamed('cell1');
    const work = (() => 7) as unknown as () => Promise<number>;
    const outcomes = await fanOut(dep.registry, [cell1], work, { deadlineMs: DEADLINE_MS });
    expect(outcomes).toEqual([expect.objectContaining({ status: 'up', value: 7 })]);
  });

  it('reports a cell whose query outlives the deadline as a timeout, aborts its signal and drops the late answer', async () => {
    const [cell1, cell2] = [await cellNamed('cell1'), await cellNamed('cell2')];
    const deadline = 1000;
    let signal: AbortSignal | undefined;
    const started = performance.now();
    const outcomes = await fanOut(
      dep.registry,
      [cell1, cell2],
      async ({ cell, handle, signal: s }) => {
        if (cell.uuid === cell1.uuid) {
          signal = s;
          await handle.sql`select pg_sleep(4)`;
          return 'late';
        }
        return 'prompt';
      },
      { deadlineMs: deadline },
    );
    expect(performance.now() - started).toBeLessThanOrEqual(deadline * 1.1);
    expect(outcomes[0]).toMatchObject({ status: 'down', reason: 'timeout', message: `no answer within ${deadline} ms` });
    expect((outcomes[0] as { elapsedMs: number }).elapsedMs).toBeLessThanOrEqual(deadline * 1.1);
    expect(outcomes[1]).toMatchObject({ status: 'up', value: 'prompt' });
    expect(signal?.aborted).toBe(true);
  });

  it('returns an empty list for no cells', async () => {
    expect(await fanOut(dep.registry, [], async () => 1, { deadlineMs: DEADLINE_MS })).toEqual([]);
  });

  it('reports a cell with no database_connection as an error', async () => {
    const cell: CellRef = { id: 0, uuid: crypto.randomUUID(), name: 'empty', databaseConnection: null };
    const [outcome] = await fanOut(dep.registry, [cell], async () => 1, { deadlineMs: DEADLINE_MS });
    expect(outcome).toMatchObject({ status: 'down', reason: 'error', message: 'Cell empty has no database_connection.' });
  });
});

describe('classifyCellError', () => {
  it.each([
    [{ code: '28P01', message: 'password authentication failed for user "nova"' }, 'auth'],
    [{ code: '28000', message: 'role "nova" does not exist' }, 'auth'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'refused'],
    [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, 'refused'],
    [{ code: 'CONNECT_TIMEOUT', message: 'write CONNECT_TIMEOUT 10.0.0.9:5432' }, 'timeout'],
    [{ code: '57014', message: 'canceling statement due to statement timeout' }, 'timeout'],
    [{ code: '3D000', message: 'database "nova_cell9" does not exist' }, 'error'],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db9' }, 'error'],
    [{ name: 'DbUrlError', message: 'mysql:// URLs are not supported' }, 'error'],
    [new Error('something else'), 'error'],
  ])('classifies %j as %s', (err, reason) => {
    expect(classifyCellError(err).reason).toBe(reason);
  });

  it('keeps the message of an authentication failure', () => {
    expect(classifyCellError({ code: '28P01', message: 'password authentication failed for user "x"' })).toEqual({
      reason: 'auth',
      message: 'password authentication failed for user "x"',
    });
  });

  it('masks passwords of URLs inside messages, even ones holding "@" or "/"', () => {
    for (const pw of ['hunter2', 'p@ss', 'a/b@c', 'x:y']) {
      const { message } = classifyCellError(new Error(`could not connect to postgresql://nova:${pw}@db1:5432/nova_cell1 (gave up)`));
      expect(message).toBe('could not connect to postgresql://nova:****@db1:5432/nova_cell1 (gave up)');
    }
  });

  it('survives values that are not errors', () => {
    expect(classifyCellError(undefined)).toEqual({ reason: 'error', message: 'unknown error' });
    expect(classifyCellError('plain string')).toEqual({ reason: 'error', message: 'plain string' });
  });
});

describe('CellRegistry', () => {
  it('reuses the handle of a cell while its URL stays the same', async () => {
    const cell1 = await cellNamed('cell1');
    const registry = new CellRegistry({ baseUrl: dep.apiUrl });
    try {
      const a = registry.handleFor(cell1);
      const b = registry.handleFor({ ...cell1 });
      expect(b).toBe(a);
      expect(registry.openCount).toBe(1);
      expect((await a.sql<{ one: number }[]>`select 1 as one`)[0]!.one).toBe(1);
    } finally {
      await registry.closeAll();
    }
  });

  it('opens a new handle and closes the old one when a cell mapping changes its URL', async () => {
    const cell1 = await cellNamed('cell1');
    const registry = new CellRegistry({ baseUrl: dep.apiUrl });
    try {
      const before = registry.handleFor(cell1);
      expect((await before.sql<{ db: string }[]>`select current_database() as db`)[0]!.db).toBe(dep.cells[0]!.database);

      const moved = { ...cell1, databaseConnection: dep.cells[1]!.url };
      const after = registry.handleFor(moved);
      expect(after).not.toBe(before);
      expect(registry.openCount).toBe(1);
      expect((await after.sql<{ db: string }[]>`select current_database() as db`)[0]!.db).toBe(dep.cells[1]!.database);

      // The old pool ends once it has answered what was sent to it (db/registry.ts, quiet).
      await expect
        .poll(
          () =>
            before.sql`select 1`.then(
              () => 'open',
              (e: { code?: string }) => e.code,
            ),
          { timeout: 5000 },
        )
        .toBe('CONNECTION_ENDED');
    } finally {
      await registry.closeAll();
    }
  });

  it('gives a new handle for the same URL after forget(), and forget() closes the old one', async () => {
    const cell2 = await cellNamed('cell2');
    const registry = new CellRegistry({ baseUrl: dep.apiUrl });
    try {
      const first = registry.handleFor(cell2);
      await first.sql`select 1`;
      await registry.forget(cell2.uuid);
      expect(registry.openCount).toBe(0);
      await expect(first.sql`select 1`).rejects.toMatchObject({ code: 'CONNECTION_ENDED' });
      const second = registry.handleFor(cell2);
      expect(second).not.toBe(first);
      expect((await second.sql<{ one: number }[]>`select 1 as one`)[0]!.one).toBe(1);
      // Forgetting an unknown cell is a no-op.
      await registry.forget(crypto.randomUUID());
      expect(registry.openCount).toBe(1);
    } finally {
      await registry.closeAll();
    }
    expect(registry.openCount).toBe(0);
  });

  it('expands template URLs from its base URL, and refuses them without one', async () => {
    const template = await cellNamed('template');
    const withBase = new CellRegistry({ baseUrl: dep.apiUrl });
    const withoutBase = new CellRegistry({});
    try {
      const base = new URL(dep.apiUrl);
      expect(withBase.resolveUrl(template)).toBe(`postgresql://${base.username}:${base.password}@${base.hostname}:${base.port}/${templateDatabase}`);
      expect(() => withoutBase.handleFor(template)).toThrow(/CELLAR_DATABASE_URL is not set/);
      expect(withoutBase.openCount).toBe(0);
    } finally {
      await withBase.closeAll();
      await withoutBase.closeAll();
    }
  });

  it('never puts a password in its error messages', async () => {
    const registry = new CellRegistry({ baseUrl: 'postgresql://nova:Base-S3cret@127.0.0.1:1/nova_api' });
    const cells: CellRef[] = [
      { id: 1, uuid: crypto.randomUUID(), name: 'mysql', databaseConnection: 'mysql+pymysql://nova:Cell-S3cret@db/nova' },
      { id: 2, uuid: crypto.randomUUID(), name: 'unknown', databaseConnection: 'postgresql://{username}:{password}@{host}/nova' },
      { id: 3, uuid: crypto.randomUUID(), name: 'nodb', databaseConnection: 'postgresql://nova:Cell-S3cret@db1' },
      { id: 4, uuid: crypto.randomUUID(), name: 'sqlite', databaseConnection: 'sqlite:///Cell-S3cret.db' },
    ];
    try {
      for (const cell of cells) {
        let message = '';
        try {
          registry.handleFor(cell);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message, cell.name!).not.toBe('');
        expect(message).not.toContain('Base-S3cret');
        expect(message).not.toContain('Cell-S3cret');
      }
      expect(registry.openCount).toBe(0);
    } finally {
      await registry.closeAll();
    }
  });
});
