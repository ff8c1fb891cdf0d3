import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { isCellarError } from '../errors';
import { listHostMappings } from './list-host-mappings';
import { testDeps } from './testing';

let dep: TestDeployment;
let cell1: TestCell;
let cell2: TestCell;
const HOSTS1 = Array.from({ length: 7 }, (_, i) => `cmp-${String(i + 1).padStart(2, '0')}.dc1`);
const HOSTS2 = ['gpu-1.dc2', 'odd_100%.dc2', 'oddX100Y.dc2'];

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  [cell1, cell2] = dep.cells as [TestCell, TestCell];
  await dep.api.sql`insert into host_mappings (cell_id, host)
    select * from unnest(${[...HOSTS1.map(() => cell1.id), ...HOSTS2.map(() => cell2.id)]}::int[], ${[...HOSTS1, ...HOSTS2]}::text[])`;
  // Mapped-since: two ties, one mapping nova wrote without a created_at, microseconds apart.
  await dep.api.sql`update host_mappings set created_at = case host
    when 'cmp-01.dc1' then '2026-01-02 00:00:00.000002'::timestamp
    when 'cmp-02.dc1' then '2026-01-02 00:00:00.000001'::timestamp
    when 'gpu-1.dc2' then null
    when 'cmp-05.dc1' then '2026-01-01 00:00:00'::timestamp
    when 'oddX100Y.dc2' then '2026-01-01 00:00:00'::timestamp
    else created_at end`;
});
afterAll(async () => {
  await dep?.close();
});

type Query = Parameters<typeof listHostMappings>[1];

/** Every page forwards from the first: the hosts in order, and each page's previous marker. */
async function walk(q: Query, limit: number) {
  const seen: string[] = [];
  const markers: (string | null)[] = [];
  let after: string | null = null;
  do {
    const p: Awaited<ReturnType<typeof listHostMappings>> = await listHostMappings(testDeps(dep), { ...q, after, limit });
    expect(p.total).toBe(10);
    expect(p.rows.length).toBeLessThanOrEqual(limit);
    seen.push(...p.rows.map((r) => r.host));
    markers.push(p.prevBefore);
    after = p.nextAfter;
  } while (after);
  return { seen, markers };
}

/** Every page backwards from the last: the pages in list order. */
async function walkBack(q: Query, limit: number) {
  let p = await listHostMappings(testDeps(dep), { ...q, limit });
  while (p.nextAfter) p = await listHostMappings(testDeps(dep), { ...q, after: p.nextAfter, limit });
  const pages = [p.rows.map((r) => r.host)];
  while (p.prevBefore) {
    p = await listHostMappings(testDeps(dep), { ...q, before: p.prevBefore, limit });
    pages.unshift(p.rows.map((r) => r.host));
  }
  return pages;
}

describe('listHostMappings', () => {
  it('lists every mapping with its cell, sorted by host (nova list_hosts)', async () => {
    const p = await listHostMappings(testDeps(dep));
    expect(p.rows.map((r) => r.host)).toEqual([...HOSTS1, ...HOSTS2].sort());
    expect(p.total).toBe(10);
    expect(p.rows.find((r) => r.host === 'gpu-1.dc2')!.cell).toEqual({ uuid: cell2.uuid, name: 'cell2', isCell0: false });
    expect(p.rows[0]!.createdAt).toBeInstanceOf(Date);
    expect([p.nextAfter, p.prevBefore]).toEqual([null, null]);
  });

  it("filters by cell, and refuses an unknown cell with nova's message", async () => {
    const p = await listHostMappings(testDeps(dep), { cellUuid: cell2.uuid });
    expect(p.rows.map((r) => r.host)).toEqual([...HOSTS2].sort());
    const e = await listHostMappings(testDeps(dep), { cellUuid: '9d0c0b7e-0000-4000-8000-000000000000' }).catch((x) => x);
    expect(isCellarError(e) && [e.message, e.exitCode]).toEqual(['Cell with uuid 9d0c0b7e-0000-4000-8000-000000000000 was not found.', 1]);
  });

  it('filters by host text, case-insensitively, with % and _ matching themselves', async () => {
    expect((await listHostMappings(testDeps(dep), { hostContains: 'CMP-0' })).total).toBe(7);
    expect((await listHostMappings(testDeps(dep), { hostContains: '_100%' })).rows.map((r) => r.host)).toEqual(['odd_100%.dc2']);
  });

  it('walks keyset pages forwards and back without gaps or repeats', async () => {
    const all = (await listHostMappings(testDeps(dep))).rows.map((r) => r.host);
    const { seen, markers } = await walk({}, 3);
    expect(seen).toEqual(all);
    expect(markers[0]).toBeNull();

    // Back from the last page: the page before the last row is the three before it.
    const last = await listHostMappings(testDeps(dep), { after: (await listHostMappings(testDeps(dep), { limit: 9 })).nextAfter, limit: 3 });
    expect(last.rows.map((r) => r.host)).toEqual(all.slice(9));
    const back = await listHostMappings(testDeps(dep), { before: last.prevBefore, limit: 3 });
    expect(back.rows.map((r) => r.host)).toEqual(all.slice(6, 9));
    expect(back.nextAfter).not.toBeNull();
    const again = await listHostMappings(testDeps(dep), { after: back.nextAfter, limit: 3 });
    expect(again.rows.map((r) => r.host)).toEqual(all.slice(9));
    // The page before the fourth row is the first three.
    const first = await listHostMappings(testDeps(dep), { before: (await listHostMappings(testDeps(dep), { limit: 4 })).nextAfter, limit: 3 });
    expect(first.rows.map((r) => r.host)).toEqual(all.slice(0, 3));
    expect(first.prevBefore).toBeNull();
  });

  it('sorts by cell and by mapped-since, either way, as the database orders them, and pages each order without gaps', async () => {
    const expected = async (orderBy: string) =>
      (
        await dep.api.sql.unsafe<{ host: string }[]>(`
          select h.host from host_mappings h join cell_mappings c on c.id = h.cell_id order by ${orderBy}`)
      ).map((r) => r.host);
    const cases = [
      { sort: { key: 'cell', dir: 'asc' }, orderBy: `coalesce(c.name, c.uuid) collate "C", h.host collate "C"` },
      { sort: { key: 'cell', dir: 'desc' }, orderBy: `coalesce(c.name, c.uuid) collate "C" desc, h.host collate "C" desc` },
      { sort: { key: 'created_at', dir: 'asc' }, orderBy: `h.created_at nulls last, h.host collate "C"` },
      { sort: { key: 'created_at', dir: 'desc' }, orderBy: `h.created_at desc nulls last, h.host collate "C" desc` },
      { sort: { key: 'host', dir: 'desc' }, orderBy: `h.host collate "C" desc` },
    ] as const;
    for (const c of cases) {
      const want = await expected(c.orderBy);
      expect((await listHostMappings(testDeps(dep), { sort: c.sort })).rows.map((r) => r.host)).toEqual(want);
      expect((await walk({ sort: c.sort }, 4)).seen).toEqual(want);
      // And back: every page before the last, in order.
      const pages = await walkBack({ sort: c.sort }, 4);
      expect(pages.flat()).toEqual(want);
    }
  });

  it('refuses a marker made under another order, or one it did not make, in plain words', async () => {
    const byHost = await listHostMappings(testDeps(dep), { limit: 3 });
    const e = await listHostMappings(testDeps(dep), { sort: { key: 'created_at', dir: 'desc' }, after: byHost.nextAfter, limit: 3 }).catch((x) => x);
    expect(isCellarError(e) && e.kind).toBe('invalid');
    expect(e.message).toBe('This page marker was made for the list sorted by host, A to Z, not by mapped since, newest first: open the first page again.');
    const forged = (parts: string[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    const byTime = { key: 'created_at', dir: 'asc' } as const;
    for (const [sort, bad] of [
      [undefined, 'cmp-03.dc1'],
      [undefined, 'W10='],
      [undefined, forged(['nope', 'asc', 'x'])],
      [undefined, forged(['host', 'up', 'x'])],
      // Not a date in any calendar: refused before PostgreSQL is asked to cast it.
      [byTime, forged(['created_at', 'asc', '2026-02-30 00:00:00', 'x'])],
      [byTime, forged(['created_at', 'asc', "now'); drop table x; --", 'x'])],
    ] as const) {
      const x = await listHostMappings(testDeps(dep), { sort, after: bad, limit: 3 }).catch((err) => err);
      expect(isCellarError(x) && x.message).toBe('This page marker is not one this list made: open the first page again.');
    }
  });

  it('pages within a filter', async () => {
    const p1 = await listHostMappings(testDeps(dep), { cellUuid: cell1.uuid, hostContains: 'cmp', limit: 5 });
    expect(p1.rows.map((r) => r.host)).toEqual(HOSTS1.slice(0, 5));
    const p2 = await listHostMappings(testDeps(dep), { cellUuid: cell1.uuid, hostContains: 'cmp', after: p1.nextAfter, limit: 5 });
    expect(p2.rows.map((r) => r.host)).toEqual(HOSTS1.slice(5));
    expect(p2.nextAfter).toBeNull();
    expect(p2.total).toBe(7);
  });

  it('is empty, not an error, when nothing matches', async () => {
    const p = await listHostMappings(testDeps(dep), { hostContains: 'no-such-host', limit: 25 });
    expect(p).toEqual({ rows: [], total: 0, nextAfter: null, prevBefore: null });
  });
});
