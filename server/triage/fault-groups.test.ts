import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { utcDate } from '@/db/timestamps';
import type { DemoSummary } from '../demo/seed';
import type { Deps } from '../deps';
import { listCell0Instances } from './cell0-instances';
import { foldGroups, listFaultGroups } from './fault-groups';
import { groupPrefilter, NO_FAULT_KEY, normaliseFault } from './fault-text';
import { buryInCell0, depsFor, seedDemoInto, takeCell0Down, one } from './testing';

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
let dep: TestDeployment;
let deps: Deps;
let demo: DemoSummary;
const projectId = (name: string) => demo.projects.find((p) => p.name === name)!.id;

const NVH = 'No valid host was found. There are not enough hosts available.';
const RETRIES = 'Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance <uuid>.';

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = depsFor(dep, { now: () => NOW });
  demo = await seedDemoInto(dep, NOW);
});

afterAll(() => dep?.close());

async function groups(filters = {}) {
  const r = await listFaultGroups(deps, filters);
  if (r.state !== 'up') throw new Error(r.state);
  return r.data;
}

describe('listFaultGroups on the demo', () => {
  it('groups the 16 live failures by normalised text, largest first', async () => {
    const g = await groups();
    expect(g.instances).toBe(demo.cell0.failed);
    expect(g.groups.map((x) => [x.key, x.count])).toEqual([
      [NVH, 8],
      [RETRIES, 3],
      ['No valid host was found.', 2],
      // Equal counts: the most recent first.
      ['Quota exceeded for cores: Requested <n>, but already used <n> of <n> cores', 1],
      ['No valid host was found. No such host - host: cell1-cmp-099.dc1.example.net node: None', 1],
      ['Build of instance <uuid> aborted: Failed to allocate the network(s), not rescheduling.', 1],
    ]);
  });

  it('breaks "not enough hosts" down by flavor (the deleted m1.legacy included), project and image', async () => {
    const nvh = (await groups()).groups.find((x) => x.key === NVH)!;
    expect(nvh.byFlavor).toEqual([
      { label: 'g1.a100.xlarge', count: 3 },
      { label: 'm1.xlarge', count: 3 },
      { label: 'm1.legacy', count: 2 },
    ]);
    const expectedProjects = [
      [projectId('ml-research'), 3],
      [projectId('data-platform'), 2],
      [projectId('billing'), 1],
      [projectId('sandbox'), 1],
      [projectId('web-frontend'), 1],
    ];
    expect(nvh.byProject.map((b) => [b.label, b.count]).sort()).toEqual(expectedProjects.sort());
    expect(nvh.byImage.reduce((s, b) => s + b.count, 0)).toBe(8);
    const images = await dep.cell0.handle.sql<{ image_ref: string; n: number }[]>`
      select i.image_ref, count(*)::int as n from instances i
      where i.deleted = 0 and (select message from instance_faults f where f.instance_uuid = i.uuid and f.deleted = 0 order by id desc limit 1) = ${NVH}
      group by i.image_ref`;
    expect(Object.fromEntries(nvh.byImage.map((b) => [b.label, b.count]))).toEqual(Object.fromEntries(images.map((r) => [r.image_ref, r.n])));
  });

  it('first and last seen are the earliest and latest fault times of the group', async () => {
    const nvh = (await groups()).groups.find((x) => x.key === NVH)!;
    const [t] = await dep.cell0.handle.sql<{ first: string; last: string }[]>`
      select min(f.created_at)::text as first, max(f.created_at)::text as last
      from instances i
      join lateral (select message, created_at from instance_faults where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1) f on true
      where i.deleted = 0 and f.message = ${NVH}`;
    expect(nvh.firstSeen).toEqual(utcDate(t!.first));
    expect(nvh.lastSeen).toEqual(utcDate(t!.last));
    expect(nvh.firstSeen!.getTime()).toBeLessThan(nvh.lastSeen!.getTime());
    // The demo's oldest "not enough hosts" failure is about 13 days old, the newest under 4 hours.
    expect(NOW.getTime() - nvh.firstSeen!.getTime()).toBeGreaterThan(12 * 86_400_000);
    expect(NOW.getTime() - nvh.lastSeen!.getTime()).toBeLessThan(4 * 3_600_000);
  });

  it('clicking a group lists exactly its instances', async () => {
    for (const g of (await groups()).groups) {
      const list = await listCell0Instances(deps, { group: g.key, limit: 200 });
      if (list.state !== 'up') throw new Error(list.state);
      expect(list.data.rows).toHaveLength(g.count);
      for (const r of list.data.rows) expect(normaliseFault(r.fault?.message)).toBe(g.key);
    }
  });

  it('applies the list filters: one flavor, one project', async () => {
    const gpu = await groups({ flavor: 'g1.a100.xlarge' });
    expect(gpu.groups.map((g) => [g.key, g.count])).toEqual([[NVH, 3]]);
    // sandbox: m1.legacy "not enough hosts", m1.medium "No valid host", the m1.large quota failure (its m1.tiny one is deleted).
    const sandbox = await groups({ project: projectId('sandbox') });
    expect(sandbox.groups.map((g) => [g.key, g.count, g.byFlavor[0]!.label])).toEqual([
      ['Quota exceeded for cores: Requested <n>, but already used <n> of <n> cores', 1, 'm1.large'],
      ['No valid host was found.', 1, 'm1.medium'],
      [NVH, 1, 'm1.legacy'],
    ]);
  });

  it("every demo message is matched in PostgreSQL by its group's prefilter", async () => {
    const rows = await dep.cell0.handle.sql<{ message: string }[]>`select distinct message from instance_faults`;
    for (const { message } of rows) {
      const { ok } = await one(dep.cell0.handle.sql<{ ok: boolean }[]>`select ${message} ~ ${groupPrefilter(normaliseFault(message))} as ok`);
      expect(ok, message).toBe(true);
    }
  });

  it('an instance with no live fault forms its own group, and is listed by it', async () => {
    const uuid = await buryInCell0(dep, { projectId: 'p-nofault', faults: [] });
    const g = await groups({ project: 'p-nofault' });
    expect(g.groups).toEqual([expect.objectContaining({ key: NO_FAULT_KEY, count: 1, byFlavor: [{ label: 'm1.small', count: 1 }] })]);
    const list = await listCell0Instances(deps, { project: 'p-nofault', group: NO_FAULT_KEY });
    expect(list.state === 'up' && list.data.rows.map((r) => r.uuid)).toEqual([uuid]);
  });

  it('when cell0 does not answer, says so with the count of its instances', async () => {
    const down = await takeCell0Down(dep);
    try {
      const r = await listFaultGroups(deps);
      expect(r.state).toBe('down');
      expect(r.state === 'down' && r.unknownCount).toBeGreaterThanOrEqual(demo.cell0.failed);
    } finally {
      await down.restore();
    }
  });
});

describe('foldGroups', () => {
  it('adds up folded rows, keeps the earliest first and latest last, and names an unreadable flavor', () => {
    const g = foldGroups([
      { flavor: null, message: 'Boom 1', project_id: 'p', image_ref: '', n: 2, first_seen: '2030-01-02 00:00:00', last_seen: '2030-01-05 00:00:00' },
      {
        flavor: '{"cur": {"nova_object.name": "Flavor", "nova_object.data": {"name": "f1", "vcpus": 1, "memory_mb": 1}}}',
        message: 'Boom 22',
        project_id: 'q',
        image_ref: 'img',
        n: 3,
        first_seen: '2030-01-01 00:00:00',
        last_seen: '2030-01-03 00:00:00',
      },
    ]);
    expect(g).toEqual([
      {
        key: 'Boom <n>',
        count: 5,
        firstSeen: new Date('2030-01-01T00:00:00Z'),
        lastSeen: new Date('2030-01-05T00:00:00Z'),
        byFlavor: [
          { label: 'f1', count: 3 },
          { label: '(flavor unreadable)', count: 2 },
        ],
        byProject: [
          { label: 'q', count: 3 },
          { label: 'p', count: 2 },
        ],
        byImage: [
          { label: 'img', count: 3 },
          { label: '(boot from volume)', count: 2 },
        ],
      },
    ]);
  });
});
