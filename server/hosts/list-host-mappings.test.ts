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
});
afterAll(async () => {
  await dep?.close();
});

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
    const seen: string[] = [];
    let after: string | null = null;
    const markers: (string | null)[] = [];
    do {
      const p: Awaited<ReturnType<typeof listHostMappings>> = await listHostMappings(testDeps(dep), { after, limit: 3 });
      expect(p.total).toBe(10);
      expect(p.rows.length).toBeLessThanOrEqual(3);
      seen.push(...p.rows.map((r) => r.host));
      markers.push(p.prevBefore);
      after = p.nextAfter;
    } while (after);
    expect(seen).toEqual(all);
    expect(markers[0]).toBeNull();

    // Back from the last page: the page before `all[9]` is all[6..8].
    const back = await listHostMappings(testDeps(dep), { before: all[9], limit: 3 });
    expect(back.rows.map((r) => r.host)).toEqual(all.slice(6, 9));
    expect(back.nextAfter).toBe(all[8]);
    expect(back.prevBefore).toBe(all[6]);
    const first = await listHostMappings(testDeps(dep), { before: all[3], limit: 3 });
    expect(first.rows.map((r) => r.host)).toEqual(all.slice(0, 3));
    expect(first.prevBefore).toBeNull();
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
