import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as apiSchema from '@/db/api/schema';
import { cellMappings, hostMappings } from '@/db/api/schema';
import type { ApiHandle } from '@/db/connect';
import type { CellOutcome } from '@/db/fanout';
import { closedPort } from '@/db/testing/network';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { cellCapacity } from '../boot/capacity';
import { runChecksFor } from '../checks/run-checks';
import { addCompute } from '../checks/testing';
import type { Deps } from '../deps';
import { listUnmappedComputes } from '../hosts/unmapped-computes';
import { listInstances } from '../instances/list-instances';
import { listFaultGroups } from '../triage/fault-groups';
import { readCellDetail } from './cell-detail';
import { FIGURE_KINDS, recallFigures, rememberFigures } from './last-known';
import { listCells } from './list-cells';

let dep: TestDeployment;
let deps: Deps;
let refused: number;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 1500, serviceDownTimeS: 60, now: () => new Date() };
  refused = await closedPort();
});
afterAll(async () => {
  await dep?.close();
});

const cell = (n: number) => ({ uuid: `00000000-0000-4000-8000-00000000000${n}`, name: `lk-${n}` });
const up = <T>(n: number, value: T): CellOutcome<T> => ({ cell: cell(n), status: 'up', value, elapsedMs: 3 });
const down = <T>(n: number): CellOutcome<T> => ({ cell: cell(n), status: 'down', reason: 'timeout', message: 'no answer within 1500 ms', elapsedMs: 1500 });

/** The deployment's api database through a drizzle client that counts the statements it sends. */
function countingDeps(): { deps: Deps; statements: string[] } {
  const statements: string[] = [];
  const db = drizzle(dep.api.sql, { schema: apiSchema, logger: { logQuery: (q) => void statements.push(q) } });
  return { deps: { ...deps, api: { ...dep.api, db } as ApiHandle }, statements };
}

describe('rememberFigures', () => {
  it('writes the figures of every cell that answered in one statement, and reads the down cells in one query', async () => {
    const { deps: counted, statements } = countingDeps();
    await rememberFigures(counted, 'cell-figures', [up(1, { n: 1 }), up(2, { n: 2 }), up(3, { n: 3 })], (v) => v);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^insert into "cellar"\."cell_figures"/);
    expect(statements[0]).toMatch(/on conflict/);

    statements.length = 0;
    await rememberFigures(counted, 'cell-figures', [up(1, { n: 10 }), down(2), up(3, { n: 30 }), down(4)], (v) => v);
    expect(statements).toHaveLength(2);
    expect(statements.filter((s) => s.startsWith('insert'))).toHaveLength(1);
    expect(statements.filter((s) => s.startsWith('select'))).toHaveLength(1);

    // Nothing answered and nothing down: nothing asked of the api database.
    statements.length = 0;
    await rememberFigures(counted, 'cell-figures', [], (v) => v);
    expect(statements).toHaveLength(0);
  });

  it('writes the figures of the calls of one moment in one statement and reads theirs in one query (a page asking cell by cell)', async () => {
    const { deps: counted, statements } = countingDeps();
    // Cells of their own: the other tests count the rows of theirs.
    const own = (n: number) => ({ uuid: `00000000-0000-4000-8000-0000000001${n}0`, name: `lk-1${n}` });
    const answered = (n: number): CellOutcome<{ n: number }> => ({ cell: own(n), status: 'up', value: { n }, elapsedMs: 3 });
    const silent = (n: number): CellOutcome<{ n: number }> => ({ ...down<{ n: number }>(n), cell: own(n) });
    const recalled = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => rememberFigures(counted, 'cell-detail', [n % 3 === 0 ? silent(n) : answered(n)], (v) => v)),
    );
    expect(statements.filter((s) => s.startsWith('insert'))).toHaveLength(1);
    expect(statements.filter((s) => s.startsWith('select'))).toHaveLength(1);
    // Each call got its own cells' last values: cell 3 was never seen, so none.
    expect(recalled.every((m) => m.size === 0)).toBe(true);
    const later = await rememberFigures(counted, 'cell-detail', [silent(4), silent(5)], (v) => v);
    expect([...later.values()].map((l) => l.value)).toEqual([{ n: 4 }, { n: 5 }]);
  });

  it('keeps the newest of two answers of one cell written at one moment (one upsert may not touch a row twice)', async () => {
    const older = new Date('2026-04-01T10:00:00Z');
    const newer = new Date('2026-04-01T10:00:01Z');
    await Promise.all([
      rememberFigures({ ...deps, now: () => newer }, 'unmapped-computes', [up(9, { v: 'newer' })], (v) => v),
      rememberFigures({ ...deps, now: () => older }, 'unmapped-computes', [up(9, { v: 'older' })], (v) => v),
    ]);
    expect((await recallFigures(deps, 'unmapped-computes', [cell(9).uuid])).get(cell(9).uuid)).toEqual({ value: { v: 'newer' }, observedAt: newer });
    await dep.api.db.delete(apiSchema.cellFigures).where(eq(apiSchema.cellFigures.cellUuid, cell(9).uuid));
  });

  it('gives a down cell its last value and the time it was seen; dates come back as dates; a cell never seen has none', async () => {
    const seenAt = new Date('2026-03-01T09:11:58.000Z');
    const heartbeat = new Date('2026-03-01T09:11:30.123Z');
    await rememberFigures({ ...deps, now: () => seenAt }, 'capacity', [up(5, { free: 12, heartbeat })], (v) => v);
    // Later the cell does not answer: its last value, with the time of that answer.
    const later = await rememberFigures<{ free: number; heartbeat: Date }, { free: number; heartbeat: Date }>(
      { ...deps, now: () => new Date('2026-03-01T09:20:00Z') },
      'capacity',
      [down(5), down(6)],
      (v) => v,
    );
    expect(later.get(cell(5).uuid)).toEqual({ value: { free: 12, heartbeat }, observedAt: seenAt });
    expect(later.get(cell(5).uuid)!.value.heartbeat).toBeInstanceOf(Date);
    expect(later.has(cell(6).uuid)).toBe(false);
    // A later answer replaces it (one row per cell and kind).
    const next = new Date('2026-03-01T09:30:00Z');
    await rememberFigures({ ...deps, now: () => next }, 'capacity', [up(5, { free: 7, heartbeat })], (v) => v);
    expect((await recallFigures(deps, 'capacity', [cell(5).uuid])).get(cell(5).uuid)).toEqual({ value: { free: 7, heartbeat }, observedAt: next });
    const rows = await dep.api.db
      .select()
      .from(apiSchema.cellFigures)
      .where(eq(apiSchema.cellFigures.cellUuid, cell(5).uuid));
    expect(rows).toHaveLength(1);
  });

  it('keeps nothing when pick says there is nothing worth keeping', async () => {
    await rememberFigures(deps, 'cell0-counts', [up(7, { n: 1 })], () => null);
    expect((await recallFigures(deps, 'cell0-counts', [cell(7).uuid])).size).toBe(0);
  });

  it('keeps every kind apart: each is remembered and recalled on its own', async () => {
    for (const [i, kind] of FIGURE_KINDS.entries()) {
      await rememberFigures(deps, kind, [up(8, { kind, i })], (v) => v);
    }
    for (const [i, kind] of FIGURE_KINDS.entries()) {
      const recalled = await rememberFigures(deps, kind, [down(8)], (v) => v);
      expect(recalled.get(cell(8).uuid)?.value).toEqual({ kind, i });
    }
  });

  it('never fails the page when the memory cannot be written or read', async () => {
    const dead = postgres(`postgresql://nova:pw@127.0.0.1:${refused}/api`, { max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      const broken = { ...deps, api: { ...dep.api, sql: dead, db: drizzle(dead, { schema: apiSchema }) } as ApiHandle };
      const recalled = await rememberFigures(broken, 'cell-figures', [up(1, { n: 1 }), down(2)], (v) => v);
      expect(recalled.size).toBe(0);
    } finally {
      await dead.end({ timeout: 1 });
    }
  });
});

describe('every per-cell figure a page shows is kept for a down cell', () => {
  it('cells list, capacity, cell page, unmapped computes, checks, instances: the last answer, marked with its time', async () => {
    const cell1 = dep.cells[0]!;
    await addCompute(cell1.handle, 'lk-cmp-1');
    await addCompute(cell1.handle, 'lk-cmp-2');
    await dep.api.db.insert(hostMappings).values({ cellId: cell1.id, host: 'lk-cmp-1' });
    // Every cell answers: each page keeps its figures.
    const [list0, capacity0, detail0, unmapped0] = await Promise.all([
      listCells(deps),
      cellCapacity(deps),
      readCellDetail(deps, cell1.uuid),
      listUnmappedComputes(deps),
      runChecksFor(deps, {}),
    ]);
    const t0 = new Date();
    expect(list0.cells.find((c) => c.uuid === cell1.uuid)?.status).toBe('up');

    await dep.api.db
      .update(cellMappings)
      .set({ databaseConnection: `postgresql://nova:pw@127.0.0.1:${refused}/nova_cell1` })
      .where(eq(cellMappings.uuid, cell1.uuid));
    try {
      const [list, capacity, detail, unmapped, checks, instances] = await Promise.all([
        listCells(deps),
        cellCapacity(deps),
        readCellDetail(deps, cell1.uuid),
        listUnmappedComputes(deps),
        runChecksFor(deps, {}),
        listInstances(deps, {}),
      ]);
      const stale = (at: Date | undefined) => {
        expect(at).toBeInstanceOf(Date);
        expect(at!.getTime()).toBeLessThanOrEqual(t0.getTime());
      };

      const row = list.cells.find((c) => c.uuid === cell1.uuid)!;
      expect(row.status).toBe('down');
      expect(row.lastKnown?.value.figures).toEqual(list0.cells.find((c) => c.uuid === cell1.uuid)!.figures);
      expect(row.lastKnown?.value.figures?.computeNodes).toBe(2);
      stale(row.lastKnown?.observedAt);

      const cap = capacity.cells.find((c) => c.cell.uuid === cell1.uuid)!;
      expect(cap.status).toBe('down');
      expect(cap.lastKnown?.value).toEqual(capacity0.cells.find((c) => c.cell.uuid === cell1.uuid)!.figures);
      stale(cap.lastKnown?.observedAt);

      expect(detail.status).toBe('down');
      expect(detail.liveInstances).toBeNull();
      expect(detail.lastKnown?.value.computeNodes?.map((n) => n.host)).toEqual(detail0.computeNodes?.map((n) => n.host));
      expect(detail.lastKnown?.value.computeNodes?.[0]?.service?.lastSeenUp).toBeInstanceOf(Date);
      expect(detail.lastKnown?.value.capacity).toEqual(detail0.capacity);
      expect(detail.lastKnown?.value.liveInstances).toBe(detail0.liveInstances);
      stale(detail.lastKnown?.observedAt);

      const gone = unmapped.down.find((c) => c.uuid === cell1.uuid)!;
      expect(gone.lastKnown?.value.map((u) => u.host)).toEqual(unmapped0.computes.filter((u) => u.cell.uuid === cell1.uuid).map((u) => u.host));
      expect(gone.lastKnown?.value.map((u) => u.host)).toEqual(['lk-cmp-2']);
      stale(gone.lastKnown?.observedAt);

      const notAnswering = checks.drift.downCells.find((c) => c.uuid === cell1.uuid)!;
      expect(notAnswering.lastKnown?.value).toMatchObject({ computeNodes: 2, computeServices: 2 });
      stale(notAnswering.lastKnown?.observedAt);

      const instancesDown = instances.down.find((c) => c.uuid === cell1.uuid)!;
      expect(instancesDown.lastKnown?.value.liveInstances).toBe(list0.cells.find((c) => c.uuid === cell1.uuid)!.figures?.liveInstances);
    } finally {
      await dep.api.db.update(cellMappings).set({ databaseConnection: cell1.url }).where(eq(cellMappings.uuid, cell1.uuid));
    }
  });

  it("cell0's counts: kept from its unfiltered fault groups, shown while it does not answer", async () => {
    const groups = await listFaultGroups(deps, {});
    expect(groups.state).toBe('up');
    await listFaultGroups(deps, { fault: 'anything' }); // a filtered view keeps nothing
    const cell0 = dep.cell0;
    await dep.api.db
      .update(cellMappings)
      .set({ databaseConnection: `postgresql://nova:pw@127.0.0.1:${refused}/nova_cell0` })
      .where(eq(cellMappings.uuid, cell0.uuid));
    try {
      const downGroups = await listFaultGroups(deps, {});
      expect(downGroups.state).toBe('down');
      if (downGroups.state !== 'down') return;
      expect(downGroups.lastKnown?.value).toEqual({ instances: 0, groups: 0, top: [] });
      expect(downGroups.lastKnown?.observedAt).toBeInstanceOf(Date);
    } finally {
      await dep.api.db.update(cellMappings).set({ databaseConnection: cell0.url }).where(eq(cellMappings.uuid, cell0.uuid));
    }
  });
});
