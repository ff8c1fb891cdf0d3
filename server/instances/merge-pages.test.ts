import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { listInstances } from './list-instances';
import { mergeCellPages, mergedPageTrimmer } from './merge-pages';
import type { SortDir, SortKey } from './sort-order';
import { seedInstances } from './testing';

let dep: TestDeployment;
let deps: Deps;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 3000, serviceDownTimeS: 60, now: () => new Date() };
  // Interleaved ages and names across the cells, ties on created_at and microseconds included.
  for (const [c, cell] of dep.cells.entries()) {
    await seedInstances(
      dep.api,
      cell,
      Array.from({ length: 9 }, (_, i) => ({
        uuid: `${c + 1}${c + 1}${c + 1}${c + 1}0000-0000-4000-8000-00000000000${i}`,
        displayName: `vm-${(i * 7 + c) % 10}`,
        vmState: 'active',
        createdAt: `2026-01-01 00:00:0${Math.floor((i * 2 + c) / 3)}.00000${c}`,
        updatedAt: `2026-01-02 00:00:0${i}`,
      })),
    );
  }
});
afterAll(async () => {
  await dep?.close();
});

describe('mergeCellPages', () => {
  it("merges each cell's own page into exactly the page the server merges, page after page, in every order", async () => {
    const cells = [dep.cell0, ...dep.cells].map((c) => c.uuid);
    for (const sort of ['created_at', 'updated_at', 'display_name'] as SortKey[]) {
      for (const dir of ['desc', 'asc'] as SortDir[]) {
        let marker: string | null = null;
        for (let page = 0; page < 5; page++) {
          const input = { limit: 4, sort, dir, marker };
          const whole = await listInstances(deps, input);
          const parts = await Promise.all(cells.map((u) => listInstances(deps, { ...input, cellUuids: [u] })));
          const merged = mergeCellPages(parts, { limit: 4, sort: { key: sort, dir }, asOf: new Date(0) });
          expect(merged.rows.map((r) => r.uuid)).toEqual(whole.rows.map((r) => r.uuid));
          expect(merged.nextMarker).toBe(whole.nextMarker);
          expect(merged).toMatchObject({ answered: whole.answered, total: whole.total });
          if (!whole.nextMarker) break;
          marker = whole.nextMarker;
        }
      }
    }
  });

  it('gives the same merged page from the trimmed pages, in whatever order the cells answer, and sends fewer rows', async () => {
    const cells = [dep.cell0, ...dep.cells].map((c) => c.uuid);
    const orders = [cells, [...cells].reverse(), [cells[1]!, cells[0]!, cells[2]!]];
    let dropped = 0;
    for (const sort of ['created_at', 'display_name'] as SortKey[]) {
      for (const dir of ['desc', 'asc'] as SortDir[]) {
        let marker: string | null = null;
        for (let page = 0; page < 5; page++) {
          const input = { limit: 4, sort, dir, marker };
          const spec = { limit: 4, sort: { key: sort, dir } };
          const parts = new Map(await Promise.all(cells.map(async (u) => [u, await listInstances(deps, { ...input, cellUuids: [u] })] as const)));
          const whole = mergeCellPages([...parts.values()], { ...spec, asOf: new Date(0) });
          for (const order of orders) {
            const trim = mergedPageTrimmer(spec);
            const trimmed = order.map((u) => trim(parts.get(u)!));
            const merged = mergeCellPages(trimmed, { ...spec, asOf: new Date(0) });
            expect(merged.rows.map((r) => r.uuid)).toEqual(whole.rows.map((r) => r.uuid));
            expect(merged.nextMarker).toBe(whole.nextMarker);
            dropped += [...parts.values()].reduce((n, p) => n + p.rows.length, 0) - trimmed.reduce((n, p) => n + p.rows.length, 0);
            // A trimmed page says there is more after its last row, as the cell would.
            for (const [i, t] of trimmed.entries()) {
              const original = parts.get(order[i]!)!;
              if (t.rows.length < original.rows.length) expect(t.nextMarker).toBe(t.rows[t.rows.length - 1]!.uuid);
            }
          }
          if (!whole.nextMarker) break;
          marker = whole.nextMarker;
        }
      }
    }
    expect(dropped).toBeGreaterThan(0);
  });

  it('merges and trims previous pages (before) into the page the server merges, back to the first page', async () => {
    const cells = [dep.cell0, ...dep.cells].map((c) => c.uuid);
    const orders = [cells, [...cells].reverse()];
    let dropped = 0;
    for (const sort of ['created_at', 'updated_at', 'display_name'] as SortKey[]) {
      for (const dir of ['desc', 'asc'] as SortDir[]) {
        // Start at the end of the list, then go back while there is a way back.
        let marker: string | null = null;
        let lastFull: string | null = null;
        for (;;) {
          const page = await listInstances(deps, { limit: 4, sort, dir, marker });
          if (page.rows.length > 0) lastFull = page.rows[0]!.uuid;
          if (!page.nextMarker) break;
          marker = page.nextMarker;
        }
        let before: string | null = lastFull;
        let steps = 0;
        while (before) {
          const input = { limit: 4, sort, dir, before };
          const spec = { limit: 4, sort: { key: sort, dir }, backward: true };
          const whole = await listInstances(deps, input);
          const parts = new Map(await Promise.all(cells.map(async (u) => [u, await listInstances(deps, { ...input, cellUuids: [u] })] as const)));
          const merged = mergeCellPages([...parts.values()], { ...spec, asOf: new Date(0) });
          expect(merged.rows.map((r) => r.uuid)).toEqual(whole.rows.map((r) => r.uuid));
          expect([merged.prevMarker, merged.nextMarker]).toEqual([whole.prevMarker, whole.nextMarker]);
          for (const order of orders) {
            const trim = mergedPageTrimmer(spec);
            const trimmed = order.map((u) => trim(parts.get(u)!));
            const again = mergeCellPages(trimmed, { ...spec, asOf: new Date(0) });
            expect(again.rows.map((r) => r.uuid)).toEqual(whole.rows.map((r) => r.uuid));
            expect(again.prevMarker).toBe(whole.prevMarker);
            dropped += [...parts.values()].reduce((n, p) => n + p.rows.length, 0) - trimmed.reduce((n, p) => n + p.rows.length, 0);
          }
          before = whole.prevMarker;
          expect(++steps).toBeLessThan(10);
        }
        expect(steps).toBeGreaterThan(2);
      }
    }
    expect(dropped).toBeGreaterThan(0);
  });
});
