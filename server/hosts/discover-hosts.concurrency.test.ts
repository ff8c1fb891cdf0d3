/**
 * The acceptance test for race-safety: 8 discover_hosts at once (real `cellar` processes and
 * domain calls mixed) over the same unmapped hosts. host_mappings is held locked until all 8
 * runs have looked at the cells and wait at their INSERT, so they really collide on the
 * unique key instead of happening to run one after another.
 */
import os from 'node:os';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDatabase } from '@/db/connect';
import { CellRegistry } from '@/db/registry';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { spawnCli } from '../cli/testing';
import { type DiscoverResult, discoverHosts } from './discover-hosts';
import { addComputeHosts, hostMappingsByHost } from './testing';

let dep: TestDeployment;
let cell1: TestCell;
let cell2: TestCell;
const HOSTS1 = Array.from({ length: 30 }, (_, i) => `race-a-${i}`);
const HOSTS2 = Array.from({ length: 30 }, (_, i) => `race-b-${i}`);

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  [cell1, cell2] = dep.cells as [TestCell, TestCell];
  // Some hosts with two nodes (ironic-like), some with mapped NULL (pre-Pike rows).
  await addComputeHosts(
    cell1,
    HOSTS1.map((host, i) => ({ host, nodes: i % 5 === 0 ? [`${host}-n1`, `${host}-n2`] : [host], mapped: i % 7 === 0 ? null : 0 })),
  );
  await addComputeHosts(
    cell2,
    HOSTS2.map((host) => ({ host })),
  );
});
afterAll(async () => {
  await dep?.close();
});

/** A domain call with its own pools, as a separate console process would have. */
async function domainRun(n: number): Promise<DiscoverResult> {
  const api = openApiDatabase(dep.apiUrl, { max: 2 });
  const registry = new CellRegistry({ baseUrl: dep.apiUrl });
  try {
    return await discoverHosts({ api, registry, deadlineMs: 60_000, serviceDownTimeS: 60, now: () => new Date() }, { actor: `domain-${n}` });
  } finally {
    await registry.closeAll();
    await api.close();
  }
}

async function cliRun(): Promise<DiscoverResult> {
  const r = await spawnCli(['discover_hosts', '--json'], { apiUrl: dep.apiUrl });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout) as DiscoverResult;
}

describe('8 discover_hosts at once', () => {
  it('create exactly one mapping per host; every run succeeds and reports what it mapped or found already mapped', { timeout: 180_000 }, async () => {
    const all = [...HOSTS1, ...HOSTS2].sort();
    const locker = postgres(dep.apiUrl, { max: 1, onnotice: () => {} });
    const watcher = postgres(dep.apiUrl, { max: 1, onnotice: () => {} });
    let runs: Promise<DiscoverResult>[] = [];
    try {
      await locker.begin(async (tx) => {
        await tx`lock table host_mappings in exclusive mode`;
        runs = [cliRun(), domainRun(1), cliRun(), domainRun(2), cliRun(), domainRun(3), cliRun(), domainRun(4)];
        const until = Date.now() + 150_000;
        for (;;) {
          const [w] = await watcher`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into host_mappings%'`;
          if (w!.n === 8) break;
          if (Date.now() > until) throw new Error(`only ${w!.n} of 8 runs reached their insert`);
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      const results = await Promise.all(runs);

      // Every host newly mapped by exactly one run.
      const newly = results.flatMap((r) => r.newlyMapped.map((h) => h.host));
      expect(newly.sort()).toEqual(all);
      for (const r of results) {
        // Every run looked before anyone inserted, so it reports every host: mapped by
        // itself, or already mapped by someone else (to the right cell, no drift).
        const mine = r.newlyMapped.map((h) => h.host);
        const theirs = r.alreadyMapped.map((h) => h.host);
        expect([...mine, ...theirs].sort()).toEqual(all);
        for (const a of r.alreadyMapped) {
          expect(a.drift).toBe(false);
          expect(a.mappedTo?.uuid).toBe(a.cell.uuid);
        }
        expect(r.skippedCells).toEqual([]);
        expect(r.markFailures).toEqual([]);
      }

      const mappings = await hostMappingsByHost(dep);
      expect(Object.keys(mappings).sort()).toEqual(all);
      for (const h of HOSTS1) expect(mappings[h]).toBe(cell1.uuid);
      for (const h of HOSTS2) expect(mappings[h]).toBe(cell2.uuid);
      const [dupes] = await dep.api.sql`select count(*)::int as n from (select host from host_mappings group by host having count(*) > 1) d`;
      expect(dupes!.n).toBe(0);
      for (const c of [cell1, cell2]) {
        const [left] = await c.handle.sql`select count(*)::int as n from compute_nodes where deleted = 0 and coalesce(mapped, 0) < 1`;
        expect(left!.n).toBe(0);
      }

      const recorded = await dep.api.sql<{ actor: string; outcome: string; finished: boolean; newly: number; already: number }[]>`
        select actor, outcome, finished_at is not null as finished, newly_mapped as newly, already_mapped as already from cellar.discovery_runs`;
      expect(recorded).toHaveLength(8);
      expect(recorded.every((r) => r.finished && r.newly + r.already === all.length)).toBe(true);
      expect(recorded.reduce((s, r) => s + r.newly, 0)).toBe(all.length);
      expect(recorded.filter((r) => r.actor === os.userInfo().username)).toHaveLength(4);
    } finally {
      await Promise.allSettled(runs);
      await Promise.all([locker.end({ timeout: 2 }), watcher.end({ timeout: 2 })]);
    }
  });
});
