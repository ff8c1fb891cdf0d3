import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installation } from '@/db/api/schema';
import { services } from '@/db/cell/schema';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { serviceState } from '../nova/service-state';
import { reportDemoServices } from './heartbeat';
import { seedDemo } from './seed';

let dep: TestDeployment;
let deps: Deps;
const seededAt = new Date(Date.now() - 30 * 60_000); // the demo was generated half an hour ago

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 2000, serviceDownTimeS: 60, now: () => new Date() };
  const [c1, c2] = dep.cells;
  await seedDemo({ api: dep.api, cells: { cell0: dep.cell0, cell1: c1!, cell2: c2! }, now: seededAt });
});
afterAll(async () => dep?.close());

async function states() {
  const rows = (await Promise.all([dep.cell0, ...dep.cells].map((c) => c.handle.db.select().from(services)))).flat();
  return rows.map((r) => ({ host: r.host, binary: r.binary, state: serviceState(r, new Date(), 60) }));
}

describe('demo heartbeat', () => {
  it('does nothing outside the embedded demo', async () => {
    expect(await reportDemoServices(deps)).toBeNull();
  });

  it("keeps the services that were alive reporting, and the demo's down service down", async () => {
    // Half an hour after generation, without reports, every service is down.
    expect((await states()).every((s) => s.state === 'down')).toBe(true);
    await dep.api.db.insert(installation).values({ id: 1, demoSeededAt: seededAt });
    const r = await reportDemoServices(deps);
    expect(r!.reported).toBeGreaterThan(10);
    const after = await states();
    const down = after.filter((s) => s.state === 'down');
    // Exactly the one service the demo made down stays down (it was last seen hours before generation).
    expect(down).toHaveLength(1);
    expect(down[0]!.binary).toBe('nova-compute');
    expect(after.filter((s) => s.state === 'up').length).toBe(r!.reported);
  });
});

describe('demo heartbeat on a deployment nova made', () => {
  it("does nothing there, even with a demo installation row: reporting in is nova-compute's job", async () => {
    const before = await dep.cells[0]!.handle.sql<{ id: number; last_seen_up: string | null; report_count: number }[]>`
      select id, last_seen_up::text, report_count from services order by id`;
    // nova's alembic_version table is what makes an api database nova's (db/schema-owner.ts).
    await dep.api.sql`create table public.alembic_version (version_num varchar(32) not null primary key)`;
    try {
      expect(await reportDemoServices(deps)).toBeNull();
      const after = await dep.cells[0]!.handle.sql`select id, last_seen_up::text, report_count from services order by id`;
      expect(after).toEqual(before);
    } finally {
      await dep.api.sql`drop table public.alembic_version`;
    }
  });
});
