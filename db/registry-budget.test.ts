/**
 * The connection budget per database server (db/registry.ts), on a server of the test's
 * own with stock limits (max_connections 100, db/testing/stock-server.ts): 75 cells on
 * it, fan-outs over all of them from 8 viewers at once, every cell answers, no "too many
 * clients", and pg_stat_activity never shows more cell connections than the budget. Then
 * what the budget does when it is short: fan-outs wait their turn, first come first
 * served, within their deadline; idle pools make room, least recently used first; a
 * handle given to a direct user is not taken from it.
 */
import crypto from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellMappings } from './api/schema';
import { CellHealthMemory } from './cell-health';
import { type ApiHandle, openApiDatabase } from './connect';
import { type CellOutcome, fanOut } from './fanout';
import { type CellRef, CellRegistry, DEFAULT_CONNECTIONS_PER_SERVER } from './registry';
import { startStockServer, type StockServer } from './testing/stock-server';
import { ensureTemplates } from './testing/templates';

const CELLS = 75;
const VIEWERS = 8;
/** Pages each viewer loads, one after another. */
const PAGES = 2;
/**
 * The pages' deadline. Alone on a two-core machine the slowest of these pages takes about
 * 1.5 s, within the default 3 s; the bound leaves room for a busy test run.
 */
const PAGE_DEADLINE_MS = 20_000;

let server: StockServer;
let admin: postgres.Sql;
let api: ApiHandle;
let apiUrl: string;
let cells: CellRef[];

beforeAll(async () => {
  server = await startStockServer({ maxConnections: 100 });
  const templates = await ensureTemplates(server.url('postgres'));
  admin = postgres(server.url('postgres'), { max: 4, onnotice: () => {} });
  await admin.unsafe(`create database budget_api template "${templates.api}"`);
  const names = Array.from({ length: CELLS }, (_, i) => `budget_cell_${String(i).padStart(2, '0')}`);
  // A few at a time: each CREATE DATABASE copies the template.
  for (let i = 0; i < names.length; i += 4) {
    await Promise.all(names.slice(i, i + 4).map((n) => admin.unsafe(`create database "${n}" template "${templates.cell}" strategy file_copy`)));
  }
  apiUrl = server.url('budget_api');
  api = openApiDatabase(apiUrl, { max: 4, applicationName: 'cellar:budget-api' });
  cells = await api.db
    .insert(cellMappings)
    .values(
      names.map((n, i) => ({
        uuid: crypto.randomUUID(),
        name: `budget-${String(i).padStart(2, '0')}`,
        transportUrl: 'rabbit://guest:guest@127.0.0.1:5672/',
        databaseConnection: server.url(n),
      })),
    )
    .returning();
}, 120_000);

afterAll(async () => {
  await api?.close();
  await admin?.end({ timeout: 2 });
  await server?.stop();
});

/** Sample pg_stat_activity until stopped: the most cell connections (and connections in all) seen at once. */
function watchConnections(applicationName?: string) {
  let running = true;
  let maxCells = 0;
  let maxAll = 0;
  let samples = 0;
  const loop = (async () => {
    while (running) {
      const [row] = await admin<{ cells: number; all: number }[]>`
        select count(*) filter (
                 where datname like 'budget\\_cell\\_%' and (${applicationName ?? null}::text is null or application_name = ${applicationName ?? null}::text)
               )::int as cells,
               count(*)::int as "all"
        from pg_stat_activity where backend_type = 'client backend'`;
      maxCells = Math.max(maxCells, row!.cells);
      maxAll = Math.max(maxAll, row!.all);
      samples++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { maxCells, maxAll, samples };
    },
  };
}

/** What a cells page asks each cell: a couple of counts, made to hold the connection a little. */
async function pageWork({ handle }: { handle: { sql: postgres.Sql } }) {
  const [row] = await handle.sql<{ live: number; nodes: number }[]>`
    select (select count(*) from instances where deleted = 0)::int as live,
           (select count(*) from compute_nodes where deleted = 0)::int as nodes,
           pg_sleep(0.01)`;
  return row!;
}

describe('the connection budget, 75 cells on one stock server (max_connections 100)', () => {
  it('answers every cell for 8 viewers at once, with no "too many clients" and never more connections than the budget', async () => {
    const memoryErrors: unknown[] = [];
    const memory = new CellHealthMemory(api, { onError: (e) => memoryErrors.push(e) });
    const registry = new CellRegistry({ baseUrl: apiUrl, health: memory });
    expect(registry.connectionsPerServer).toBe(DEFAULT_CONNECTIONS_PER_SERVER);
    const budget = registry.connectionsPerServer;
    const watch = watchConnections();
    let maxUsed = 0;
    let slowest = 0;
    const usage = setInterval(() => {
      maxUsed = Math.max(maxUsed, registry.budgetOf(server.url('budget_cell_00')).used);
    }, 2);
    try {
      const [s0] = await admin<{ n: number }[]>`select sum(sessions)::int as n from pg_stat_database where datname like 'budget\\_cell\\_%'`;
      const started = performance.now();
      // Each viewer loads a few pages, one after another: several fan-outs over all 75 cells.
      const pages = await Promise.all(
        Array.from({ length: VIEWERS }, async () => {
          const mine: CellOutcome<unknown>[][] = [];
          for (let p = 0; p < PAGES; p++) {
            const t = performance.now();
            mine.push(await fanOut(registry, cells, pageWork, { deadlineMs: PAGE_DEADLINE_MS }));
            slowest = Math.max(slowest, performance.now() - t);
          }
          return mine;
        }),
      );
      const took = performance.now() - started;
      const [s1] = await admin<{ n: number }[]>`select sum(sessions)::int as n from pg_stat_database where datname like 'budget\\_cell\\_%'`;
      // Viewers share the pools: far fewer connections made than cells asked.
      expect(s1!.n - s0!.n).toBeLessThan(CELLS * VIEWERS);
      const outcomes = pages.flat(2);
      expect(outcomes).toHaveLength(VIEWERS * PAGES * CELLS);
      const down = outcomes.filter((o) => o.status === 'down');
      expect(down, JSON.stringify(down.slice(0, 3))).toEqual([]);
      expect(JSON.stringify(outcomes)).not.toMatch(/too many clients/i);
      const seen = await watch.stop();
      expect(seen.samples).toBeGreaterThan(5);
      expect(seen.maxCells, `most cell connections seen at once (budget ${budget})`).toBeLessThanOrEqual(budget);
      // It did use the budget, and the server kept room for others.
      expect(seen.maxCells).toBeGreaterThanOrEqual(budget / 2);
      expect(seen.maxAll).toBeLessThan(server.maxConnections);
      expect(maxUsed).toBeLessThanOrEqual(budget);
      expect(slowest).toBeLessThan(PAGE_DEADLINE_MS * 1.1);
      expect(took).toBeLessThan(30_000);
      await memory.flush();
      const [health] = await api.sql<{ ok: number }[]>`
        select count(*)::int as ok from cellar.cell_health where consecutive_failures = 0 and last_success_at is not null`;
      expect(health!.ok).toBe(CELLS);
      expect(memoryErrors).toEqual([]);
    } finally {
      clearInterval(usage);
      await watch.stop();
      await registry.closeAll();
    }
    // Everything closed: nothing left on the server once its backends have seen their sockets close (a moment under load).
    await expect
      .poll(async () => (await admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname like 'budget\\_cell\\_%'`)[0]!.n, {
        timeout: 5000,
      })
      .toBe(0);
  }, 60_000);
});

describe('a short budget', () => {
  it('makes a fan-out over more cells wait its turn, first come first served, and gives up at the deadline saying the budget was full', async () => {
    const memory = new CellHealthMemory(api);
    const registry = new CellRegistry({ baseUrl: apiUrl, connectionsPerServer: 2, pool: { max: 1, applicationName: 'cellar:short-budget' }, health: memory });
    const chosen = cells.slice(10, 20);
    const deadlineMs = 1000;
    const watch = watchConnections('cellar:short-budget');
    try {
      const started = performance.now();
      const outcomes = await fanOut(
        registry,
        chosen,
        async ({ handle }) => {
          await handle.sql`select pg_sleep(0.25)`;
          return 'answered';
        },
        { deadlineMs },
      );
      expect(performance.now() - started).toBeLessThan(deadlineMs * 1.1 + 100);
      const seen = await watch.stop();
      expect(seen.maxCells).toBeLessThanOrEqual(2);

      const up = outcomes.map((o) => o.status === 'up');
      expect(up.filter(Boolean).length).toBeGreaterThanOrEqual(2);
      // First come, first served: the cells that answered are the first ones asked.
      expect(up).toEqual(up.map((_, i) => i < up.filter(Boolean).length));
      const starved = outcomes.filter((o) => o.status === 'down' && /connections to its database server/.test(o.message));
      expect(starved.length).toBeGreaterThanOrEqual(2);
      for (const o of starved) {
        expect(o).toMatchObject({ status: 'down', reason: 'timeout' });
        expect((o as { message: string }).message).toBe(
          `no connection within ${deadlineMs} ms: Cellar's 2 connections to its database server (127.0.0.1:${server.port}) were all in use`,
        );
        expect(o.elapsedMs).toBeLessThanOrEqual(deadlineMs * 1.1 + 100);
      }
      expect(JSON.stringify(outcomes)).not.toContain('stock-test');

      // A cell that waited in vain is not held against it: nothing recorded as a failure.
      await memory.flush();
      const rows = await api.sql<{ cell_uuid: string; consecutive_failures: number }[]>`
        select cell_uuid, consecutive_failures from cellar.cell_health where cell_uuid = any(${starved.map((o) => o.cell.uuid)}::text[])`;
      expect(rows.filter((r) => r.consecutive_failures > 0)).toEqual([]);
      // The starved cells answer the next fan-out.
      const again = await fanOut(registry, starved.map((o) => chosen.find((c) => c.uuid === o.cell.uuid)!).slice(0, 2), async () => 'ok', { deadlineMs });
      expect(again.map((o) => o.status)).toEqual(['up', 'up']);
    } finally {
      await watch.stop();
      await registry.closeAll();
      await api.sql`delete from cellar.cell_health`;
    }
  }, 30_000);

  it('closes the least recently used idle pool to make room, and keeps a pool a direct user holds', async () => {
    const registry = new CellRegistry({ baseUrl: apiUrl, connectionsPerServer: 3, pool: { max: 1 } });
    const [a, b, c, d, e] = cells.slice(30, 35) as [CellRef, CellRef, CellRef, CellRef, CellRef];
    const handleOf = async (cell: CellRef) => {
      const lease = await registry.acquire(cell);
      lease.release();
      return lease.handle;
    };
    const url = server.url('budget_cell_30');
    try {
      const ok = async (list: CellRef[]) =>
        (await fanOut(registry, list, async ({ handle }) => handle.sql`select 1`, { deadlineMs: 2000 })).map((o) => o.status);
      expect(await ok([a, b, c])).toEqual(['up', 'up', 'up']);
      await new Promise((r) => setTimeout(r, 5));
      expect(await ok([a])).toEqual(['up']);
      const handleA = await handleOf(a);
      // b and c are idle and used before a: d's room comes from the least recently used.
      expect(await ok([d])).toEqual(['up']);
      expect(registry.budgetOf(url).used).toBeLessThanOrEqual(3);
      expect(await handleOf(a)).toBe(handleA);
      expect(registry.openCount).toBe(3);

      // A direct user's handle (handleFor) is not closed under it to make room.
      const direct = registry.handleFor(e);
      await direct.sql`select 1`;
      const outcomes = await fanOut(registry, [b, c, d], async ({ handle }) => handle.sql`select 1`, { deadlineMs: 1500 });
      expect(outcomes.map((o) => o.status)).toEqual(['up', 'up', 'up']);
      expect((await direct.sql<{ one: number }[]>`select 1 as one`)[0]!.one).toBe(1);
      expect(registry.handleFor(e)).toBe(direct);
      expect(registry.budgetOf(url).used).toBeLessThanOrEqual(3);
    } finally {
      await registry.closeAll();
    }
    expect(registry.budgetOf(url).used).toBe(0);
  }, 30_000);
  it('leaves no connection open on the server once a pool retired with queries still running has closed', async () => {
    const registry = new CellRegistry({ baseUrl: apiUrl, connectionsPerServer: 2, pool: { max: 1, applicationName: 'cellar:retire-busy' } });
    const open = async () =>
      (await admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where application_name = 'cellar:retire-busy'`)[0]!.n;
    try {
      for (const cell of cells.slice(40, 44)) {
        // Work the fan-out gave up on (a deadline): queries still queued and running when the pool is dropped.
        const lease = await registry.acquire(cell);
        const running = Array.from({ length: 4 }, () => lease.handle.sql`select pg_sleep(0.05), to_regclass('public.instances')`.catch(() => null));
        lease.release();
        await registry.forget(cell.uuid);
        expect(await Promise.all(running), 'the queries it had were answered first').not.toContain(null);
      }
      // Closed means closed: not one idle connection kept until the driver's idle timeout.
      await new Promise((r) => setTimeout(r, 200));
      expect(await open()).toBe(0);
      expect(registry.budgetOf(server.url('budget_cell_40')).used).toBe(0);
    } finally {
      await registry.closeAll();
    }
  }, 30_000);
});
