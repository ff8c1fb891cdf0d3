/**
 * Periodic discovery on two replicas of one api database (each with its own pools, as two
 * console processes have): one run per interval in total, never two at once, the runs in
 * the discovery log with the replica that made them, a pause that stops both, and the
 * lead moving to the other replica when its leader stops beating.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDatabase } from '@/db/connect';
import { CellRegistry } from '@/db/registry';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { readDiscoverySchedule, setDiscoveryPaused } from './discovery-schedule';
import { startPeriodicDiscovery } from './periodic-discovery';
import { addComputeHosts, hostMappingsByHost } from './testing';

let dep: TestDeployment;
const opened: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
});
afterAll(async () => {
  for (const o of opened) await o.close();
  await dep?.close();
});

/** A replica's own pools, as a separate console process would have. */
function replicaDeps(): Deps {
  const api = openApiDatabase(dep.apiUrl, { max: 3 });
  const registry = new CellRegistry({ baseUrl: dep.apiUrl });
  opened.push({
    close: async () => {
      await registry.closeAll();
      await api.close();
    },
  });
  return { api, registry, deadlineMs: 10_000, serviceDownTimeS: 60, now: () => new Date() };
}

interface Run {
  replica: string | null;
  started: number;
  finished: number | null;
}

async function periodicRuns(): Promise<Run[]> {
  const rows = await dep.api.sql<{ replica: string | null; started: number; finished: number | null }[]>`
    select replica, extract(epoch from started_at) * 1000 as started, extract(epoch from finished_at) * 1000 as finished
    from cellar.discovery_runs where actor = 'periodic' order by started_at`;
  return rows.map((r) => ({ replica: r.replica, started: Number(r.started), finished: r.finished === null ? null : Number(r.finished) }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** No periodic run is under way: the last one claimed has its row, and every row has finished. */
async function settled(): Promise<void> {
  for (const until = Date.now() + 30_000; Date.now() < until; await sleep(50)) {
    const [r] = await dep.api.sql<{ quiet: boolean }[]>`
      select not exists (select 1 from cellar.discovery_runs where actor = 'periodic' and finished_at is null)
             and coalesce((select last_run_at from cellar.discovery_schedule where id = 1)
                          <= (select max(started_at) from cellar.discovery_runs where actor = 'periodic'), true) as quiet`;
    if (r!.quiet) return;
  }
  throw new Error('a periodic run did not finish in 30 s');
}

describe('periodic discovery on two replicas', () => {
  it('runs once per interval in total, never on both at once; maps new hosts; a pause stops both; the lead moves when its replica stops', {
    timeout: 120_000,
  }, async () => {
    const a = replicaDeps();
    const b = replicaDeps();
    const intervalS = 1;
    const leaseMs = 2000;
    await addComputeHosts(dep.cells[0]!, [{ host: 'periodic-1' }]);
    const ra = startPeriodicDiscovery(a, { intervalS, replica: 'replica-a', leaseMs });
    const rb = startPeriodicDiscovery(b, { intervalS, replica: 'replica-b', leaseMs });
    let rbStopped = false;
    try {
      const t0 = Date.now();
      await sleep(6500);
      await settled();
      const runs = await periodicRuns();
      // At most one run per interval in total, start to start, whichever replica made them
      // (fewer when the machine is slow and a run takes longer than the interval).
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(runs.length).toBeLessThanOrEqual(Math.floor((Date.now() - t0) / (intervalS * 1000)) + 1);
      for (let i = 1; i < runs.length; i++) {
        // Never at the same time: each starts after the one before finished, and an interval after it started.
        expect(runs[i - 1]!.finished).not.toBeNull();
        expect(runs[i]!.started).toBeGreaterThanOrEqual(runs[i - 1]!.finished!);
        // The runs are claimed an interval apart in the database's time; the log's start is the
        // replica's clock a few queries after its claim, which a busy machine delays unevenly.
        expect(runs[i]!.started - runs[i - 1]!.started).toBeGreaterThanOrEqual(intervalS * 1000 - 300);
      }
      // One replica leads while both are alive: every run is the leader's.
      const leaders = new Set(runs.map((r) => r.replica));
      expect(leaders.size).toBe(1);
      const leader = [...leaders][0]!;
      expect(['replica-a', 'replica-b']).toContain(leader);
      expect((await hostMappingsByHost(dep))['periodic-1']).toBe(dep.cells[0]!.uuid);
      const schedule = await readDiscoverySchedule(a);
      expect(schedule.leader).toBe(leader);
      expect(schedule.leaderIntervalS).toBe(intervalS);
      expect(schedule.recentRuns[0]!.replica).toBe(leader);

      // Paused from anywhere: neither replica starts a run.
      await setDiscoveryPaused(b, { paused: true, actor: 'operator' });
      await settled(); // a run that had already started finishes
      const atPause = (await periodicRuns()).length;
      await sleep(2500);
      expect((await periodicRuns()).length).toBe(atPause);
      expect((await readDiscoverySchedule(a)).paused).toBe(true);
      expect((await readDiscoverySchedule(a)).pausedBy).toBe('operator');
      await setDiscoveryPaused(a, { paused: false, actor: 'operator' });
      await sleep(1500);
      expect((await periodicRuns()).length).toBeGreaterThan(atPause);

      // The leader stops (as a replica that is shut down): the other leads from then on.
      const [stopLeader, other] = leader === 'replica-a' ? [ra, 'replica-b'] : [rb, 'replica-a'];
      if (stopLeader === rb) rbStopped = true;
      await stopLeader.stop();
      const handover = Date.now();
      await sleep(2500);
      const after = (await periodicRuns()).filter((r) => r.started >= handover - 50);
      expect(after.length).toBeGreaterThan(0);
      expect(new Set(after.map((r) => r.replica))).toEqual(new Set([other]));
      expect((await readDiscoverySchedule(a)).leader).toBe(other);
    } finally {
      await ra.stop();
      if (!rbStopped) await rb.stop();
    }
  });
});
