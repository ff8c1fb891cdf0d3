import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coalesced, loaderOn } from './coalesce';
import { serverUrl } from './testing/deployment';

let sql: postgres.Sql;
let writer: postgres.Sql;
const table = `coalesce_${process.pid}`;

beforeAll(async () => {
  sql = postgres(serverUrl(), { max: 4, onnotice: () => {} });
  writer = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`create table ${table} (n int)`);
});
afterAll(async () => {
  await sql?.unsafe(`drop table if exists ${table}`);
  await sql?.end({ timeout: 2 });
  await writer?.end({ timeout: 2 });
});

const counting = () => {
  let reads = 0;
  const read = async () => {
    reads++;
    return (await sql.unsafe<{ n: number }[]>(`select n from ${table} order by n`)).map((r) => r.n);
  };
  return { read, reads: () => reads };
};

describe('coalesced', () => {
  it('answers every call of one moment with one read', async () => {
    const scope = {};
    const { read, reads } = counting();
    const answers = await Promise.all(Array.from({ length: 75 }, () => coalesced(scope, 'numbers', read)));
    expect(reads()).toBe(1);
    expect(new Set(answers).size).toBe(1);
  });

  it('never answers a call with a read that started before it: a write committed before the call is seen', async () => {
    const scope = {};
    const { read, reads } = counting();
    const first = coalesced(scope, 'numbers', read);
    // The first read is under way when the write commits and the second call is made.
    await new Promise((r) => setImmediate(r));
    await writer.unsafe(`insert into ${table} values (7)`);
    const second = coalesced(scope, 'numbers', read);
    expect(await first).not.toContain(7);
    expect(await second).toContain(7);
    expect(reads()).toBe(2);
  });

  it('fails every call of a read that fails, and the next call reads again', async () => {
    const scope = {};
    let tries = 0;
    const read = async () => {
      tries++;
      return tries === 1 ? sql.unsafe('select * from no_such_table_here') : sql.unsafe('select 1 as one');
    };
    const failed = await Promise.allSettled([coalesced(scope, 'flaky', read), coalesced(scope, 'flaky', read)]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(await coalesced(scope, 'flaky', read)).toEqual([{ one: 1 }]);
  });

  it('keeps scopes and names apart', async () => {
    const { read, reads } = counting();
    await Promise.all([coalesced({}, 'numbers', read), coalesced({}, 'numbers', read)]);
    const scope = {};
    await Promise.all([coalesced(scope, 'numbers', read), coalesced(scope, 'other', read)]);
    expect(reads()).toBe(4);
  });
});

describe('loaderOn', () => {
  it('asks for the keys of one moment in one query, each call getting its own answer', async () => {
    const scope = {};
    const batches: number[][] = [];
    const squares = () =>
      loaderOn<number, number>(scope, 'squares', async (keys) => {
        batches.push([...keys]);
        const rows = await sql<{ k: number; sq: number }[]>`select k, k * k as sq from unnest(${[...keys]}::int[]) as k`;
        const of = new Map(rows.map((r) => [r.k, r.sq]));
        return keys.map((k) => of.get(k)!);
      });
    const answers = await Promise.all([3, 1, 3, 2].map((k) => squares().load(k)));
    expect(answers).toEqual([9, 1, 9, 4]);
    expect(batches).toHaveLength(1);
    // windowMs gathers calls made a little apart.
    const windowed = loaderOn<number, number>(scope, 'windowed', async (keys) => keys.map((k) => k + 1), { windowMs: 30 });
    const late = new Promise<number>((r) => setTimeout(() => r(windowed.load(2)), 5));
    expect(await Promise.all([windowed.load(1), late])).toEqual([2, 3]);
  });
});
