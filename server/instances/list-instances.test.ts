import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { FAKE_INSTANCE_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { type InstanceListPage, listInstances } from './list-instances';
import type { ListInstancesInput } from './list-instances-input';
import { seedInstances } from './testing';
import { refusal } from '@/server/testing';

let dep: TestDeployment;
let deps: Deps;

const u = (cell: number, n: number) => `${cell}${cell}${cell}${cell}0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

// cell0: two buried instances; cell1 and cell2: a mix, with ties on created_at across cells.
const T = (h: number, us = 0) => `2026-03-01 ${String(h).padStart(2, '0')}:00:00.${String(us).padStart(6, '0')}`;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 1500, serviceDownTimeS: 60, now: () => new Date() };
  const [cell1, cell2] = dep.cells;
  await seedInstances(dep.api, dep.cell0, [
    { uuid: u(0, 1), createdAt: T(9), vmState: 'error', host: null, displayName: 'ci-runner-7', projectId: 'project-b', flavor: 'm1.tiny' },
    { uuid: u(0, 2), createdAt: T(3), vmState: 'error', host: null, displayName: 'web-9', projectId: 'project-a' },
  ]);
  await seedInstances(dep.api, cell1!, [
    { uuid: u(1, 1), createdAt: T(10), displayName: 'web-prod-1', flavor: 'm1.legacy', updatedAt: T(20) },
    { uuid: u(1, 2), createdAt: T(8), displayName: 'Web-Prod-2', vmState: 'stopped', host: 'cmp-2' },
    { uuid: u(1, 3), createdAt: T(8), displayName: 'db-1', vmState: 'soft-delete', projectId: 'project-b' },
    { uuid: u(1, 4), createdAt: T(7), displayName: 'gone', vmState: 'deleted', deleted: true },
    { uuid: u(1, 5), createdAt: T(6), displayName: 'resize-source', hidden: true },
    { uuid: u(1, 6), createdAt: T(5, 500001), displayName: '100%_real', taskState: 'rebooting', updatedAt: T(21) },
    { uuid: FAKE_INSTANCE_UUID, createdAt: T(1), displayName: null, projectId: FAKE_INSTANCE_UUID, vmState: null, host: null },
  ]);
  await seedInstances(dep.api, cell2!, [
    { uuid: u(2, 1), createdAt: T(8), displayName: 'kafka-1', host: 'cmp-3', projectId: 'project-b' },
    { uuid: u(2, 2), createdAt: T(5, 500002), displayName: 'kafka-2', host: 'cmp-3' },
    { uuid: u(2, 3), createdAt: T(2), displayName: 'kafka-3', host: 'cmp-3', vmState: 'paused' },
    { uuid: u(2, 4), createdAt: T(4), displayName: 'kafka-4', host: 'cmp-3', vmState: 'deleted', deleted: true },
    { uuid: u(2, 5), createdAt: T(4), displayName: 'queued-null', host: 'cmp-3', queuedForDelete: null },
  ]);
  // Not instances: the map_instances marker (no cell) and an orphan mapping (no cell, no build request).
  await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete) values
    (${u(9, 1).replace(/-/g, ' ')}, null, ${INSTANCE_MIGRATION_MARKER}, ${INSTANCE_MIGRATION_MARKER}, false),
    (${u(9, 2)}, null, 'project-a', 'user-a', true)`;
});

afterAll(async () => {
  await dep?.close();
});

/** The expected global order, written out by hand: created_at desc, uuid asc. */
const ALL_LIVE = [u(1, 1), u(0, 1), u(1, 2), u(1, 3), u(2, 1), u(2, 2), u(1, 6), u(2, 5), u(0, 2), u(2, 3)];

async function walk(input: ListInstancesInput): Promise<{ pages: InstanceListPage[]; uuids: string[] }> {
  const pages: InstanceListPage[] = [];
  let marker: string | null = null;
  do {
    const page = await listInstances(deps, { ...input, marker });
    pages.push(page);
    marker = page.nextMarker;
    expect(pages.length).toBeLessThan(100);
  } while (marker);
  return { pages, uuids: pages.flatMap((p) => p.rows.map((r) => r.uuid)) };
}

describe('listInstances', () => {
  it('merges every cell, cell0 included, newest first with uuid breaking ties; live rows only', async () => {
    const page = await listInstances(deps, {});
    expect(page.rows.map((r) => r.uuid)).toEqual(ALL_LIVE);
    expect(page.nextMarker).toBeNull();
    expect(page).toMatchObject({ answered: 3, total: 3, down: [], unknown: [] });
    const byUuid = new Map(page.rows.map((r) => [r.uuid, r]));
    expect(byUuid.get(u(1, 1))).toMatchObject({ name: 'web-prod-1', status: 'ACTIVE', flavor: 'm1.legacy', cell: { name: 'cell1' }, host: 'cmp-1' });
    expect(byUuid.get(u(1, 1))!.createdAt!.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(byUuid.get(u(0, 1))).toMatchObject({ status: 'ERROR', cell: { name: 'cell0' }, host: null, flavor: 'm1.tiny' });
    expect(byUuid.get(u(1, 2))!.status).toBe('SHUTOFF');
    expect(byUuid.get(u(1, 3))!.status).toBe('SOFT_DELETED');
    expect(byUuid.get(u(1, 6))!.status).toBe('REBOOT');
    expect(byUuid.get(u(2, 3))!.status).toBe('PAUSED');
  });

  it('walks page by page with markers and returns every row exactly once', async () => {
    for (const limit of [1, 2, 3, 4]) {
      const { uuids, pages } = await walk({ limit });
      expect(uuids).toEqual(ALL_LIVE);
      expect(pages.at(-1)!.nextMarker).toBeNull();
    }
  });

  it('goes back page by page with before: the same pages, the first one saying it is the first', async () => {
    for (const sort of ['created_at', 'updated_at', 'display_name'] as const) {
      for (const dir of ['desc', 'asc'] as const) {
        for (const limit of [1, 3, 4]) {
          const { pages } = await walk({ limit, sort, dir });
          expect(pages[0]!.prevMarker).toBeNull();
          // A list that ends on a full page ends with an empty one: back from it is back from its marker.
          const last = pages.at(-1)!;
          if (last.rows.length === 0) expect(last.prevMarker).toBe(pages.at(-2)!.nextMarker);
          const full = pages.filter((p) => p.rows.length > 0);
          let page = full.at(-1)!;
          for (let i = full.length - 2; i >= 0; i--) {
            expect(page.prevMarker).toBe(page.rows[0]!.uuid);
            page = await listInstances(deps, { limit, sort, dir, before: page.prevMarker });
            expect(page.backward).toBe(true);
            expect(page.rows.map((r) => r.uuid)).toEqual(full[i]!.rows.map((r) => r.uuid));
            // Forward again from a previous page: where it came from.
            expect(page.nextMarker).toBe(full[i]!.rows.at(-1)!.uuid);
          }
          expect(page.prevMarker).toBeNull();
        }
      }
    }
  });

  it('refuses marker and before together, and a before nobody knows', async () => {
    const both = await refusal(listInstances(deps, { marker: u(1, 1), before: u(1, 2) }));
    expect(both.kind).toBe('invalid');
    expect(both.message).toBe('Give either marker (the page after a row) or before (the page before a row), not both.');
    expect((await refusal(listInstances(deps, { before: u(7, 7) }))).message).toBe(`Marker ${u(7, 7)} could not be found.`);
  });

  it('sorts oldest first, by last update (never-updated rows last) and by name, uuid always the last tie-break', async () => {
    // microseconds matter: 1111…6 (05:00:00.500001) is older than 2222…2 (05:00:00.500002)
    expect((await walk({ dir: 'asc', limit: 3 })).uuids).toEqual([u(2, 3), u(0, 2), u(2, 5), u(1, 6), u(2, 2), u(1, 2), u(1, 3), u(2, 1), u(0, 1), u(1, 1)]);
    const byUpdate = (await walk({ sort: 'updated_at', dir: 'desc', limit: 2 })).uuids;
    expect(byUpdate.slice(0, 2)).toEqual([u(1, 6), u(1, 1)]);
    expect(byUpdate.slice(2)).toEqual([...ALL_LIVE].filter((x) => x !== u(1, 6) && x !== u(1, 1)).sort());
    const byName = await walk({ sort: 'display_name', dir: 'asc', limit: 4 });
    // code point order: digits, then upper case, then lower case
    expect(byName.pages.flatMap((p) => p.rows.map((r) => r.name))).toEqual([
      '100%_real',
      'Web-Prod-2',
      'ci-runner-7',
      'db-1',
      'kafka-1',
      'kafka-2',
      'kafka-3',
      'queued-null',
      'web-9',
      'web-prod-1',
    ]);
  });

  it('filters by project, vm_state, host and a name substring (case-insensitive, % and _ taken literally)', async () => {
    expect((await listInstances(deps, { projectId: 'project-b' })).rows.map((r) => r.uuid)).toEqual([u(0, 1), u(1, 3), u(2, 1)]);
    expect((await listInstances(deps, { vmState: 'stopped' })).rows.map((r) => r.uuid)).toEqual([u(1, 2)]);
    expect((await listInstances(deps, { host: 'cmp-3' })).rows.map((r) => r.uuid)).toEqual([u(2, 1), u(2, 2), u(2, 5), u(2, 3)]);
    expect((await listInstances(deps, { name: 'web-PROD' })).rows.map((r) => r.uuid)).toEqual([u(1, 1), u(1, 2)]);
    expect((await listInstances(deps, { name: '0%_' })).rows.map((r) => r.name)).toEqual(['100%_real']);
    expect((await listInstances(deps, { name: '0_' })).rows).toEqual([]);
    const paged = await walk({ host: 'cmp-3', limit: 1 });
    expect(paged.uuids).toEqual([u(2, 1), u(2, 2), u(2, 5), u(2, 3)]);
  });

  it('refuses a marker nobody knows with "marker not found", not an empty page', async () => {
    for (const marker of [u(7, 7), u(9, 2), u(1, 5).replace(/5$/, '9')]) {
      const e = await refusal(listInstances(deps, { marker }));
      expect(e.kind).toBe('not_found');
      expect(e.message).toBe(`Marker ${marker} could not be found.`);
    }
    // mapped, but the cell has no row (archived)
    await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id) values (${u(1, 99)}, ${dep.cells[0]!.id}, 'project-a')`;
    expect((await refusal(listInstances(deps, { marker: u(1, 99) }))).message).toBe(`Marker ${u(1, 99)} could not be found.`);
  });

  it('continues from a marker that was deleted after the page was read', async () => {
    const first = await listInstances(deps, { limit: 3 });
    expect(first.nextMarker).toBe(u(1, 2));
    await dep.cells[0]!.handle.sql`update instances set deleted = id where uuid = ${u(1, 2)}`;
    try {
      const next = await listInstances(deps, { limit: 3, marker: first.nextMarker });
      expect(next.rows.map((r) => r.uuid)).toEqual([u(1, 3), u(2, 1), u(2, 2)]);
    } finally {
      await dep.cells[0]!.handle.sql`update instances set deleted = 0 where uuid = ${u(1, 2)}`;
    }
  });

  it('rejects bad input plainly', async () => {
    await expect(listInstances(deps, { limit: 0 })).rejects.toThrow();
    await expect(listInstances(deps, { limit: 1001 })).rejects.toThrow();
    await expect(listInstances(deps, { marker: 'not-a-uuid' })).rejects.toThrow(/instance uuid/);
  });
});

describe('listInstances with a cell that does not answer', () => {
  let closed: number;
  beforeAll(async () => {
    closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
  });

  async function withCell2Down<T>(fn: () => Promise<T>): Promise<T> {
    const cell2 = dep.cells[1]!;
    await dep.api.sql`update cell_mappings set database_connection = ${`postgresql://nova:s3cret@127.0.0.1:${closed}/nova_cell2`} where uuid = ${cell2.uuid}`;
    try {
      return await fn();
    } finally {
      await dep.api.sql`update cell_mappings set database_connection = ${cell2.url} where uuid = ${cell2.uuid}`;
    }
  }

  it('shows a notice and the UNKNOWN rows the api database knows, and pages the other cells correctly', async () => {
    await withCell2Down(async () => {
      const { pages, uuids } = await walk({ limit: 2 });
      expect(uuids).toEqual(ALL_LIVE.filter((x) => !x.startsWith('2222')));
      const first = pages[0]!;
      expect(first.answered).toBe(2);
      expect(first.total).toBe(3);
      expect(first.down).toHaveLength(1);
      expect(first.down[0]).toMatchObject({ name: 'cell2', reason: 'refused', onRefill: false, mappedInstances: 4, unknownOmittedByFilters: false });
      // At most a page of them per cell, newest first.
      expect(first.unknown.map((r) => r.uuid)).toEqual([u(2, 1), u(2, 2)]);
      expect(first.unknown.every((r) => r.status === 'UNKNOWN' && r.cell.name === 'cell2')).toBe(true);
      expect(first.unknown[0]).toMatchObject({ projectId: 'project-b', userId: 'user-a' });
      expect(first.unknown[0]!.createdAt!.toISOString()).toBe('2026-03-01T08:00:00.000Z');
      // Only the first page carries them, so they never repeat while paging.
      for (const p of pages.slice(1)) {
        expect(p.unknown).toEqual([]);
        expect(p.down.map((d) => d.name)).toEqual(['cell2']);
      }
      expect(JSON.stringify(pages)).not.toContain('s3cret');
      // Back to the start: the cells that answer, without the UNKNOWN rows (the first page, without before, has them).
      const back = await listInstances(deps, { limit: 2, before: pages[1]!.rows[0]!.uuid });
      expect(back.rows.map((r) => r.uuid)).toEqual(first.rows.map((r) => r.uuid));
      expect(back).toMatchObject({ unknown: [], prevMarker: null });
      expect(back.down.map((d) => d.name)).toEqual(['cell2']);
      // queued_for_delete true (the deleted kafka-4) is left out; NULL counts as not deleted.
      const whole = await listInstances(deps, {});
      expect(whole.unknown.map((r) => r.uuid)).toEqual([u(2, 1), u(2, 2), u(2, 5), u(2, 3)]);
    });
  });

  it('filters UNKNOWN rows by project, and leaves them out (saying so) for filters the api database cannot check', async () => {
    await withCell2Down(async () => {
      const byProject = await listInstances(deps, { projectId: 'project-b' });
      expect(byProject.unknown.map((r) => r.uuid)).toEqual([u(2, 1)]);
      expect(byProject.down[0]!.mappedInstances).toBe(1);
      expect(byProject.rows.map((r) => r.uuid)).toEqual([u(0, 1), u(1, 3)]);
      const byState = await listInstances(deps, { vmState: 'active' });
      expect(byState.unknown).toEqual([]);
      expect(byState.down[0]).toMatchObject({ unknownOmittedByFilters: true, mappedInstances: 4 });
    });
  });

  it('says plainly that a marker in a cell that does not answer cannot be continued from', async () => {
    await withCell2Down(async () => {
      const e = await refusal(listInstances(deps, { marker: u(2, 1) }));
      expect(e.kind).toBe('unavailable');
      expect(e.message).toMatch(/^Cell cell2 does not answer \(refused: .*\); the page marker /);
      expect(e.message).toContain(`the page marker ${u(2, 1)} is one of its instances, so the list cannot continue from it until the cell answers.`);
      expect(e.message).not.toContain('s3cret');
    });
  });
});

describe('listInstances batches like nova', () => {
  it('asks each cell for max(limit / cells × 1.1, 100) rows and refills only the cell that runs dry', async () => {
    const extra = await dep.addCell({ name: 'cell-busy' });
    if (!('handle' in extra)) throw new Error('expected a database for the new cell');
    const rows = Array.from({ length: 230 }, (_, i) => ({
      uuid: `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`,
      createdAt: `2026-04-01 00:00:00.${String(i).padStart(6, '0')}`,
    }));
    await seedInstances(dep.api, extra, rows);
    try {
      // 4 cells: 400 / 4 × 1.1 = 110
      const page = await listInstances(deps, { limit: 400 });
      expect(page.batchSize).toBe(110);
      // cell-busy holds the 230 newest: its buffer runs dry twice (110, 220); the others never.
      expect(page.rounds).toBe(3);
      expect(page.rows.slice(0, 230).map((r) => r.uuid)).toEqual(rows.map((r) => r.uuid).reverse());
      expect(page.rows.slice(230).map((r) => r.uuid)).toEqual(ALL_LIVE);
      expect(page.nextMarker).toBeNull();
      const small = await listInstances(deps, { limit: 50 });
      expect(small.batchSize).toBe(50);
      expect(small.rounds).toBe(1);
    } finally {
      await dep.api.sql`delete from instance_mappings where cell_id = ${extra.id}`;
      await dep.api.sql`delete from cell_mappings where id = ${extra.id}`;
    }
  });
});
