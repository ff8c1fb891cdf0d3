import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellMappings } from '@/db/api/schema';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { eq } from 'drizzle-orm';
import type { DemoSummary } from '../demo/seed';
import type { Deps } from '../deps';
import { isCellarError } from '../errors';
import { CELL0_UUID } from '../nova/constants';
import { type Cell0ListInput, listCell0Instances, readCell0Instance } from './cell0-instances';
import { deleteCell0Instances } from './delete-cell0-instances';
import { normaliseFault } from './fault-text';
import { buryInCell0, depsFor, seedDemoInto, takeCell0Down, one } from './testing';

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
let dep: TestDeployment;
let deps: Deps;
let demo: DemoSummary;
/** What nova would show, read independently: live cell0 rows, latest live fault (MAX(id)), flavor name from the embedded copy. */
let truth: Array<{ uuid: string; created_at: string; project_id: string; message: string; flavor: string }>;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = depsFor(dep, { now: () => NOW });
  demo = await seedDemoInto(dep, NOW);
  truth = await dep.cell0.handle.sql`
    select i.uuid, i.created_at::text, i.project_id, f.message,
           (select e.flavor::jsonb #>> '{cur,nova_object.data,name}' from instance_extra e where e.instance_uuid = i.uuid and e.deleted = 0) as flavor
    from instances i
    join (select distinct on (instance_uuid) instance_uuid, message from instance_faults where deleted = 0 order by instance_uuid, id desc) f
      on f.instance_uuid = i.uuid
    where i.deleted = 0
    order by i.created_at desc, i.uuid desc`;
});

afterAll(() => dep?.close());

async function up(input: Cell0ListInput = {}) {
  const r = await listCell0Instances(deps, input);
  if (r.state !== 'up') throw new Error(`cell0 is ${r.state}`);
  return r.data;
}

async function walk(input: Cell0ListInput) {
  const seen: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await up({ ...input, marker });
    pages++;
    seen.push(...page.rows.map((r) => r.uuid));
    if (!page.nextMarker) break;
    expect(page.rows).toHaveLength(input.limit!);
    marker = page.nextMarker;
  }
  return { seen, pages };
}

describe('listCell0Instances on the demo', () => {
  it('lists every live cell0 instance, newest first, with its latest fault and its embedded flavor', async () => {
    const page = await up();
    expect(page.rows.map((r) => r.uuid)).toEqual(truth.map((t) => t.uuid));
    expect(page.rows).toHaveLength(demo.cell0.failed);
    expect(page.nextMarker).toBeNull();
    for (const r of page.rows) {
      const t = truth.find((x) => x.uuid === r.uuid)!;
      expect(r.fault?.message).toBe(t.message);
      expect(r.flavor?.name).toBe(t.flavor);
      expect(r.vmState).toBe('error');
      expect(r.createdAt!.getTime()).toBeLessThan(NOW.getTime());
    }
    expect(page.rows.map((r) => r.uuid)).not.toContain(demo.cell0.deletedUuid);
  });

  it('shows the LATEST fault (MAX(id) among live faults) of an instance with two', async () => {
    const row = (await up()).rows.find((r) => r.uuid === demo.cell0.twoFaultsUuid)!;
    const [latest] = await dep.cell0.handle
      .sql`select id, message, code from instance_faults where instance_uuid = ${demo.cell0.twoFaultsUuid} and deleted = 0 order by id desc limit 1`;
    expect(row.fault).toMatchObject({ id: latest!.id, code: 500 });
    expect(row.fault!.message).toMatch(/^Exceeded maximum number of retries/);
    expect(row.fault!.details).toMatch(/^Traceback \(most recent call last\):/);
  });

  it('a later soft-deleted fault is not the latest', async () => {
    const uuid = await buryInCell0(dep, {
      createdAt: new Date(NOW.getTime() - 20 * 86_400_000),
      faults: [{ message: 'first, live' }, { message: 'second, soft-deleted', deleted: true }],
    });
    try {
      const row = (await up({ project: 'p-triage' })).rows.find((r) => r.uuid === uuid)!;
      expect(row.fault!.message).toBe('first, live');
    } finally {
      await deleteCell0Instances(deps, [uuid]);
    }
  });

  it('shows the deleted flavor m1.legacy from the embedded copy, and filters by it', async () => {
    const legacy = await up({ flavor: 'm1.legacy' });
    expect(legacy.rows.length).toBe(truth.filter((t) => t.flavor === 'm1.legacy').length);
    expect(legacy.rows.length).toBeGreaterThanOrEqual(2);
    for (const r of legacy.rows) expect(r.flavor).toMatchObject({ name: 'm1.legacy', vcpus: 2, memoryMb: 3072 });
    const { n } = await one(dep.api.sql<{ n: number }[]>`select count(*)::int as n from flavors where name = 'm1.legacy'`);
    expect(n).toBe(0);
  });

  it('filters by fault text (case-insensitive substring), by project, and by a normalised group', async () => {
    const byText = await up({ fault: 'NOT ENOUGH HOSTS' });
    expect(byText.rows.map((r) => r.uuid).sort()).toEqual(
      truth
        .filter((t) => t.message.includes('not enough hosts'))
        .map((t) => t.uuid)
        .sort(),
    );

    const ml = demo.projects.find((p) => p.name === 'ml-research')!.id;
    const byProject = await up({ project: ml });
    expect(byProject.rows.map((r) => r.uuid).sort()).toEqual(
      truth
        .filter((t) => t.project_id === ml)
        .map((t) => t.uuid)
        .sort(),
    );
    expect(byProject.rows.length).toBe(3);

    const key = 'Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance <uuid>.';
    const byGroup = await up({ group: key });
    expect(byGroup.rows.map((r) => r.uuid).sort()).toEqual(
      truth
        .filter((t) => normaliseFault(t.message) === key)
        .map((t) => t.uuid)
        .sort(),
    );
    expect(byGroup.rows).toHaveLength(3);

    const combined = await up({ group: 'No valid host was found. There are not enough hosts available.', flavor: 'g1.a100.xlarge' });
    expect(combined.rows).toHaveLength(3);
    for (const r of combined.rows) expect(r.flavor!.name).toBe('g1.a100.xlarge');

    expect((await up({ fault: 'no such failure anywhere' })).rows).toEqual([]);
  });

  it('pages with keyset markers: every row exactly once, in order, both ways', async () => {
    const newest = await walk({ limit: 5 });
    expect(newest.seen).toEqual(truth.map((t) => t.uuid));
    expect(newest.pages).toBe(Math.ceil(truth.length / 5));
    const oldest = await walk({ limit: 4, sort: '-age' });
    expect(oldest.seen).toEqual([...truth].reverse().map((t) => t.uuid));
  });

  it('pages back from the last page to the first, each page as it was going forwards, in either order', async () => {
    for (const sort of ['age', '-age'] as const) {
      const forwards: string[][] = [];
      let page = await up({ limit: 3, sort });
      expect(page.prevMarker).toBeNull();
      forwards.push(page.rows.map((r) => r.uuid));
      while (page.nextMarker) {
        page = await up({ limit: 3, sort, marker: page.nextMarker });
        expect(page.prevMarker).toBe(page.rows[0]?.uuid ?? null);
        forwards.push(page.rows.map((r) => r.uuid));
      }
      const backwards: string[][] = [page.rows.map((r) => r.uuid)];
      while (page.prevMarker) {
        const before: string = page.prevMarker;
        page = await up({ limit: 3, sort, marker: before, back: true });
        // The page before always has a page after it: the one we came from.
        expect(page.nextMarker).toBe(page.rows.at(-1)!.uuid);
        backwards.unshift(page.rows.map((r) => r.uuid));
      }
      expect(backwards).toEqual(forwards);
      expect(forwards.flat()).toEqual(sort === 'age' ? truth.map((t) => t.uuid) : [...truth].reverse().map((t) => t.uuid));
    }
  });

  it('keeps its place when the marker row is deleted between pages', async () => {
    const at = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
    const [a, b, c] = [
      await buryInCell0(dep, { projectId: 'p-marker', createdAt: at(1) }),
      await buryInCell0(dep, { projectId: 'p-marker', createdAt: at(2) }),
      await buryInCell0(dep, { projectId: 'p-marker', createdAt: at(3) }),
    ];
    try {
      const first = await up({ project: 'p-marker', limit: 1 });
      expect(first.rows.map((r) => r.uuid)).toEqual([a]);
      expect(first.nextMarker).toBe(a);
      // Support deletes what they just saw before asking for the next page.
      await deleteCell0Instances(deps, [a!]);
      const second = await up({ project: 'p-marker', limit: 1, marker: a });
      expect(second.rows.map((r) => r.uuid)).toEqual([b]);
      const third = await up({ project: 'p-marker', limit: 1, marker: second.nextMarker! });
      expect(third.rows.map((r) => r.uuid)).toEqual([c]);
      expect(third.nextMarker).toBeNull();
    } finally {
      await deleteCell0Instances(deps, [a!, b!, c!]);
    }
  });

  it('refuses a marker cell0 does not know, rather than returning an empty page', async () => {
    const marker = crypto.randomUUID();
    await expect(listCell0Instances(deps, { marker })).rejects.toSatisfy(
      (e: unknown) => isCellarError(e) && e.kind === 'not_found' && e.message.includes(`Marker ${marker} was not found in cell0`),
    );
  });

  it('when cell0 does not answer: state down, the reason, and the count of its instances from the api database', async () => {
    const down = await takeCell0Down(dep);
    try {
      const r = await listCell0Instances(deps);
      expect(r.state).toBe('down');
      if (r.state !== 'down') return;
      expect(r.down).toEqual([expect.objectContaining({ uuid: CELL0_UUID, name: 'cell0', reason: 'refused' })]);
      const { n } = await one(
        dep.api.sql<{ n: number }[]>`select count(*)::int as n from instance_mappings where cell_id = ${dep.cell0.id} and queued_for_delete is not true`,
      );
      expect(r.unknownCount).toBe(n);
      expect(r.unknownCount).toBe(demo.cell0.failed);
      expect(JSON.stringify(r)).not.toContain('s3cret');
    } finally {
      await down.restore();
    }
  });
});

describe('readCell0Instance', () => {
  it('gives the latest fault, the request with its embedded flavor, and the create action with its failed event', async () => {
    const r = await readCell0Instance(deps, demo.cell0.twoFaultsUuid);
    expect(r.state).toBe('up');
    if (r.state !== 'up') return;
    const d = r.data;
    expect(d.fault!.message).toMatch(/^Exceeded maximum number of retries/);
    expect(d.fault!.host).toMatch(/^ctl-/);
    expect(d.faultCount).toBe(2);
    expect(d.flavor!.name).toBe('m1.small');
    expect(d.deleted).toBe(false);
    expect(d.mapping.queuedForDelete).toBe(false);
    expect(d.actions).toHaveLength(1);
    expect(d.actions[0]).toMatchObject({ action: 'create', message: 'Error' });
    expect(d.actions[0]!.events).toEqual([expect.objectContaining({ event: 'conductor_schedule_and_build_instances', result: 'Error', host: d.fault!.host })]);
  });

  it('shows an already deleted instance as deleted, with its (soft-deleted) fault and the delete action', async () => {
    const r = await readCell0Instance(deps, demo.cell0.deletedUuid);
    if (r.state !== 'up') throw new Error(r.state);
    expect(r.data.deleted).toBe(true);
    expect(r.data.vmState).toBe('deleted');
    expect(r.data.fault!.message).toBe('No valid host was found. There are not enough hosts available.');
    expect(r.data.actions.map((a) => a.action)).toEqual(['create', 'delete']);
    expect(r.data.mapping.queuedForDelete).toBe(true);
  });

  it('refuses, saying where it is, an instance that is not in cell0', async () => {
    const [inCell1] = await dep.api.sql<{ instance_uuid: string }[]>`
      select instance_uuid from instance_mappings where cell_id = ${dep.cells[0]!.id} and project_id <> ${CELL0_UUID} limit 1`;
    await expect(readCell0Instance(deps, inCell1!.instance_uuid)).rejects.toThrow(`is not in cell0: it is mapped to cell cell1.`);
    await expect(readCell0Instance(deps, demo.buildRequests.stuck[0]!)).rejects.toThrow('has not been scheduled yet');
    await expect(readCell0Instance(deps, crypto.randomUUID())).rejects.toThrow(/was not found\.$/);
  });
});

describe('without a cell0 mapping', () => {
  it('lists nothing and says so; a delete is refused', async () => {
    const bare = await createTestDeployment({ cells: [] });
    try {
      await bare.api.db.delete(cellMappings).where(eq(cellMappings.uuid, CELL0_UUID));
      const d = depsFor(bare);
      expect((await listCell0Instances(d)).state).toBe('unmapped');
      await expect(deleteCell0Instances(d, [crypto.randomUUID()])).rejects.toThrow(/cell0 is not mapped/);
    } finally {
      await bare.close();
    }
  });
});

describe('flavor and group filters narrowed in SQL, decided exactly, across many batches', () => {
  it('fills pages from a cell0 where matches are rare, and walks them to the end', async () => {
    const many = await createTestDeployment({ cells: [] });
    try {
      const d = depsFor(many);
      const rare: string[] = [];
      // 250 common rows written in one statement; three rare ones spread among them.
      await many.cell0.handle.sql`
        insert into instances (uuid, project_id, vm_state, created_at)
        select gen_random_uuid()::text, 'bulk', 'error', now() - (g || ' minutes')::interval from generate_series(1, 250) g`;
      await many.cell0.handle.sql`
        insert into instance_extra (instance_uuid, flavor)
        select uuid, ${JSON.stringify({ cur: { 'nova_object.name': 'Flavor', 'nova_object.data': { name: 'm1.common', vcpus: 1, memory_mb: 512 } } })} from instances`;
      for (const minutes of [5, 140, 245]) {
        rare.push(await buryInCell0(many, { flavor: 'm1.rare', createdAt: new Date(Date.now() - minutes * 60_000 - 30_000), projectId: 'bulk' }));
      }
      // A flavor whose name only appears elsewhere in the JSON must not match.
      await buryInCell0(many, {
        flavorJson: JSON.stringify({
          cur: { 'nova_object.name': 'Flavor', 'nova_object.data': { name: 'm1.other', vcpus: 1, memory_mb: 1, description: '"name": "m1.rare"' } },
        }),
      });
      const pages: string[][] = [];
      let marker: string | undefined;
      do {
        const r = await listCell0Instances(d, { flavor: 'm1.rare', limit: 2, marker });
        if (r.state !== 'up') throw new Error(r.state);
        pages.push(r.data.rows.map((x) => x.uuid));
        marker = r.data.nextMarker ?? undefined;
      } while (marker);
      expect(pages).toEqual([rare.slice(0, 2), rare.slice(2)]);
    } finally {
      await many.close();
    }
  });
});
