/**
 * The background probe of the cell health memory (health-probe.ts), against the real test
 * PostgreSQL: a cell that stops answering is held down; the probe keeps asking it, with a
 * growing wait; once it answers, the probe's success brings it back in every view without
 * restarting anything. Several probes share the work: each due cell is claimed by one.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cellMappings } from '@/db/api/schema';
import { CellHealthMemory } from '@/db/cell-health';
import { openApiDatabase } from '@/db/connect';
import { fanOut } from '@/db/fanout';
import { type CellRef, CellRegistry } from '@/db/registry';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { behindProxy, closedPort, type SwitchableProxy } from '@/db/testing/network';
import type { Deps } from '../deps';
import { type HealthProbe, startHealthProbe } from './health-probe';

const DEADLINE_MS = 800;

let dep: TestDeployment;
let proxy: SwitchableProxy;
let flaky: CellRef;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  const { url } = await dep.createCellDatabase();
  const behind = await behindProxy(url);
  proxy = behind.proxy;
  await dep.addCell({ name: 'flaky', url: behind.url });
  flaky = await cellNamed('flaky');
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await proxy?.close();
  await dep?.close();
});

afterEach(async () => {
  await proxy.set('pass');
  await dep.api.sql`delete from cellar.cell_health`;
});

const cellNamed = (name: string): Promise<CellRef> => dep.cellNamed(name);

/** A console process's view: an api handle, a registry and a memory of its own. */
function view(opts: { backoffStartMs?: number } = {}) {
  const api = openApiDatabase(dep.apiUrl, { max: 3 });
  const memory = new CellHealthMemory(api, opts);
  const registry = new CellRegistry({ baseUrl: dep.apiUrl, health: memory });
  cleanups.push(
    () => registry.closeAll(),
    () => api.close(),
  );
  const deps: Deps = { api, registry, deadlineMs: DEADLINE_MS, serviceDownTimeS: 60, now: () => new Date() };
  const ask = async (cell: CellRef) => {
    const [o] = await fanOut(registry, [cell], async ({ handle }) => handle.sql`select 1`, { deadlineMs: DEADLINE_MS });
    await memory.flush();
    return o!;
  };
  return { deps, memory, registry, ask };
}

async function healthRow(uuid: string) {
  const [r] = await dep.api.sql<{ consecutive_failures: number; ok: boolean | null; next_probe_at: string | null }[]>`
    select consecutive_failures, next_probe_at, last_success_at > last_failure_at as ok
    from cellar.cell_health where cell_uuid = ${uuid}`;
  return r;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const started = performance.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the health probe', () => {
  it('keeps asking a cell that stopped answering and brings it back everywhere once it answers, without a restart', async () => {
    const console1 = view({ backoffStartMs: 400 });
    const console2 = view({ backoffStartMs: 400 });
    // The server behind the cell freezes: connections are accepted and never answered.
    await proxy.set('stall');
    expect(await console1.ask(flaky)).toMatchObject({ status: 'down', reason: 'timeout', fromMemory: false });
    expect(await console2.ask(flaky)).toMatchObject({ status: 'down', reason: 'timeout', elapsedMs: 0, fromMemory: true });

    let probe: HealthProbe | undefined = startHealthProbe(console1.deps, { intervalMs: 100 });
    try {
      // The probe asks it again (and again), each time waiting longer.
      const after = await waitFor(
        'the probe to ask the frozen cell again',
        async () => {
          const r = await healthRow(flaky.uuid);
          return r && r.consecutive_failures >= 2 ? r : undefined;
        },
        10_000,
      );
      expect(after.ok).not.toBe(true);
      // Still held down for the pages meanwhile.
      expect(await console2.ask(flaky)).toMatchObject({ status: 'down', fromMemory: true });

      // The server answers again: the probe's first success brings the cell back.
      await proxy.set('pass');
      await waitFor('the probe to find the cell back', async () => (await healthRow(flaky.uuid))?.ok === true, 15_000);
      const row = await healthRow(flaky.uuid);
      expect(row).toMatchObject({ consecutive_failures: 0, next_probe_at: null, ok: true });
      // Both views answer it as up on their next page, nothing restarted.
      await new Promise((r) => setTimeout(r, console2.memory.cacheMs + 50));
      expect(await console1.ask(flaky)).toMatchObject({ status: 'up' });
      expect(await console2.ask(flaky)).toMatchObject({ status: 'up' });
      await probe.stop();
      probe = undefined;
    } finally {
      await probe?.stop();
    }
  }, 40_000);

  it('brings back a cell whose mapping is pointed from a closed port at a real database', async () => {
    const console1 = view({ backoffStartMs: 200 });
    const port = await closedPort();
    const added = (await dep.addCell({ name: 'moved', url: `postgresql://nova:Moved-S3cret@127.0.0.1:${port}/nova_moved` })) as { uuid: string };
    const moved = await cellNamed('moved');
    try {
      expect(await console1.ask(moved)).toMatchObject({ status: 'down', reason: 'refused' });
      const { url } = await dep.createCellDatabase();
      await dep.api.db.update(cellMappings).set({ databaseConnection: url }).where(eq(cellMappings.uuid, added.uuid));
      const probe = startHealthProbe(console1.deps, { intervalMs: 60_000 });
      try {
        await new Promise((r) => setTimeout(r, 250));
        const round = await probe.tick();
        expect(round.asked).toEqual([expect.objectContaining({ cell: { uuid: added.uuid, name: 'moved' }, status: 'up' })]);
      } finally {
        await probe.stop();
      }
      expect(await healthRow(added.uuid)).toMatchObject({ consecutive_failures: 0, ok: true });
      expect(await console1.ask(await cellNamed('moved'))).toMatchObject({ status: 'up' });
    } finally {
      await dep.api.db.delete(cellMappings).where(eq(cellMappings.uuid, added.uuid));
    }
  });

  it('claims each due cell for one probe only, when several consoles run one', async () => {
    const cell1 = await cellNamed('cell1');
    await dep.api.sql`
      insert into cellar.cell_health (cell_uuid, last_failure_at, reason, message, consecutive_failures, down_since, next_probe_at)
      values (${cell1.uuid}, (now() at time zone 'utc') - interval '5 s', 'timeout', 'no answer', 1,
              (now() at time zone 'utc') - interval '5 s', (now() at time zone 'utc') - interval '1 s')`;
    const probes = Array.from({ length: 4 }, () => startHealthProbe(view().deps, { intervalMs: 60_000 }));
    try {
      const rounds = await Promise.all(probes.map((p) => p.tick()));
      const asked = rounds.flatMap((r) => r.asked);
      expect(asked).toEqual([expect.objectContaining({ cell: { uuid: cell1.uuid, name: 'cell1' }, status: 'up' })]);
      expect(await healthRow(cell1.uuid)).toMatchObject({ consecutive_failures: 0, next_probe_at: null, ok: true });
      // Nothing due any more: the next rounds ask nothing.
      expect((await Promise.all(probes.map((p) => p.tick()))).flatMap((r) => r.asked)).toEqual([]);
    } finally {
      await Promise.all(probes.map((p) => p.stop()));
    }
  });

  it('forgets what it remembered of a cell that is no longer mapped', async () => {
    const gone = crypto.randomUUID();
    await dep.api.sql`
      insert into cellar.cell_health (cell_uuid, last_failure_at, reason, consecutive_failures, next_probe_at)
      values (${gone}, (now() at time zone 'utc'), 'refused', 3, (now() at time zone 'utc') - interval '1 s')`;
    const probe = startHealthProbe(view().deps, { intervalMs: 60_000 });
    try {
      expect(await probe.tick()).toEqual({ asked: [], dropped: [gone] });
      expect(await healthRow(gone)).toBeUndefined();
    } finally {
      await probe.stop();
    }
  });
});
