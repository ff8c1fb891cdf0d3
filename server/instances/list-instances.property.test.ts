/**
 * THE property of the cross-cell list, on real PostgreSQL: for random instances (random
 * uuids, created_at drawn from a handful of values so ties are common, some NULL sort
 * keys, some deleted or hidden rows) spread over 2–5 random cells, the merged list equals
 * the single sorted list of all live rows, and walking it page by page with markers
 * (random limit 1–30) returns every row exactly once, forward with markers and back with
 * `before`.
 *
 * One deployment serves every run: cells are emptied with TRUNCATE, the chosen cells are
 * mapped again, and each cell's rows go in with one INSERT.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { type InstanceListPage, listInstances } from './list-instances';
import { SORT_DIRS, SORT_KEYS, type SortDir, type SortKey } from './sort-order';

let dep: TestDeployment;
let deps: Deps;
let all: TestCell[];

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2', 'cell3', 'cell4'] });
  all = [dep.cell0, ...dep.cells];
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
});

afterAll(async () => {
  await dep?.close();
});

interface Row {
  uuid: string;
  cell: number;
  createdAt: string;
  updatedAt: string | null;
  name: string | null;
  deleted: boolean;
  hidden: boolean;
}

// A handful of instants, two of them a microsecond apart: ties everywhere, and precision a Date would lose.
const INSTANTS = ['2026-01-01 00:00:00', '2026-01-01 00:00:00.000001', '2026-01-01 00:00:01', '2026-01-02 12:30:00.5', '2025-12-31 23:59:59.999999'];
const NAMES = [null, 'web', 'Web', 'web-1', 'ä-node', '😀', 'z'];

const rowArb = (cells: number) =>
  fc.record({
    uuid: fc.uuid().map((s) => s.toLowerCase()),
    cell: fc.integer({ min: 0, max: cells - 1 }),
    createdAt: fc.constantFrom(...INSTANTS),
    updatedAt: fc.option(fc.constantFrom(...INSTANTS), { nil: null, freq: 3 }),
    name: fc.constantFrom(...NAMES),
    deleted: fc.constantFrom(false, false, false, true),
    hidden: fc.constantFrom(false, false, false, false, true),
  });

const scenarioArb = fc
  .record({
    cellIdx: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 2, maxLength: 5 }),
    limit: fc.integer({ min: 1, max: 30 }),
    key: fc.constantFrom<SortKey>(...SORT_KEYS, 'created_at', 'created_at'),
    dir: fc.constantFrom<SortDir>(...SORT_DIRS, 'desc'),
    minBatch: fc.constantFrom(1, 100),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      rows: fc.uniqueArray(rowArb(s.cellIdx.length), { minLength: 0, maxLength: 40, selector: (r) => r.uuid }),
    }),
  );

/** Independent of the code under test: microseconds as integers, names and uuids as UTF-8 bytes. */
function micros(ts: string): bigint {
  const [date, time] = ts.split(' ');
  const [hms, frac = ''] = time!.split('.');
  return BigInt(Date.parse(`${date}T${hms}Z`)) * 1000n + BigInt(frac.padEnd(6, '0'));
}
function expectedOrder(rows: Row[], key: SortKey, dir: SortDir): string[] {
  const value = (r: Row) => (key === 'created_at' ? r.createdAt : key === 'updated_at' ? r.updatedAt : r.name);
  const cmpValue = (a: string | null, b: string | null): number => {
    if (a === b) return 0;
    if (a === null) return -1;
    if (b === null) return 1;
    if (key === 'display_name') return Buffer.compare(Buffer.from(a), Buffer.from(b));
    const d = micros(a) - micros(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  };
  return rows
    .filter((r) => !r.deleted && !r.hidden)
    .sort((a, b) => {
      const c = cmpValue(value(a), value(b));
      if (c !== 0) return dir === 'desc' ? -c : c;
      return Buffer.compare(Buffer.from(a.uuid), Buffer.from(b.uuid));
    })
    .map((r) => r.uuid);
}

async function arrange(cells: TestCell[], rows: Row[]) {
  await Promise.all(all.map((c) => c.handle.sql`truncate instances, instance_extra`));
  await dep.api.sql`truncate instance_mappings`;
  await dep.api.sql`delete from cell_mappings`;
  await dep.api.sql`insert into cell_mappings ${dep.api.sql(
    cells.map((c) => ({ id: c.id, uuid: c.uuid, name: c.name, database_connection: c.url, transport_url: 'none:///' })),
  )}`;
  await Promise.all(
    cells.map((c, i) => {
      const mine = rows.filter((r) => r.cell === i);
      if (mine.length === 0) return null;
      return c.handle.sql`insert into instances ${c.handle.sql(
        mine.map((r, n) => ({
          uuid: r.uuid,
          created_at: r.createdAt,
          updated_at: r.updatedAt,
          display_name: r.name,
          project_id: 'p',
          vm_state: r.deleted ? 'deleted' : 'active',
          hidden: r.hidden,
          deleted: r.deleted ? n + 1 : 0,
        })),
      )}`;
    }),
  );
  if (rows.length) {
    await dep.api.sql`insert into instance_mappings ${dep.api.sql(
      rows.map((r) => ({ instance_uuid: r.uuid, cell_id: cells[r.cell]!.id, project_id: 'p', queued_for_delete: r.deleted })),
    )}`;
  }
}

describe('cross-cell list (property)', () => {
  it('equals the single sorted list of all rows, and a walk by markers, and back by before, returns each row exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ s, rows }) => {
        const cells = s.cellIdx.map((i) => all[i]!);
        await arrange(cells, rows);
        const expected = expectedOrder(rows, s.key, s.dir);
        const opts = { minBatch: s.minBatch };
        const base = { sort: s.key, dir: s.dir };

        const whole = await listInstances(deps, { ...base, limit: 1000 }, opts);
        expect(whole.rows.map((r) => r.uuid)).toEqual(expected);
        expect(whole.nextMarker).toBeNull();
        expect(whole.down).toEqual([]);

        const pages: InstanceListPage[] = [];
        let marker: string | null = null;
        do {
          const page: InstanceListPage = await listInstances(deps, { ...base, limit: s.limit, marker }, opts);
          pages.push(page);
          marker = page.nextMarker;
          if (pages.length > expected.length + 2) throw new Error('the walk does not end');
        } while (marker);
        const walked = pages.flatMap((p) => p.rows.map((r) => r.uuid));
        expect(walked).toEqual(expected);
        expect(new Set(walked).size).toBe(walked.length);
        for (const p of pages.slice(0, -1)) expect(p.rows).toHaveLength(s.limit);
        expect(pages.at(-1)!.rows.length).toBeLessThanOrEqual(s.limit);

        // And back from the last row with `before`: every row before it exactly once, in order, the first page last.
        if (expected.length > 0) {
          const end = expected.at(-1)!;
          let before: string | null = end;
          let back: string[] = [];
          let steps = 0;
          while (before) {
            const page: InstanceListPage = await listInstances(deps, { ...base, limit: s.limit, before }, opts);
            expect(page.rows.length).toBe(page.prevMarker ? s.limit : page.rows.length);
            back = [...page.rows.map((r) => r.uuid), ...back];
            before = page.prevMarker;
            if (++steps > expected.length + 2) throw new Error('the walk back does not end');
          }
          expect(back).toEqual(expected.slice(0, -1));
        }
      }),
      { numRuns: 30 },
    );
  }, 180_000);
});
