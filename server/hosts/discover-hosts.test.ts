import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { withDatabase } from '@/db/testing/templates';
import { RESTART_NOTICES } from '../cells/caveats';
import { isCellarError } from '../errors';
import { discoverExitCode, discoverHosts } from './discover-hosts';
import { latestDiscoveryRuns } from './discovery-runs';
import { addComputeHosts, closedPort, hostMappingsByHost, mappedFlags, silentServer, testDeps } from './testing';

let dep: TestDeployment;
let cell1: TestCell;
let cell2: TestCell;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  [cell1, cell2] = dep.cells as [TestCell, TestCell];
});
afterAll(async () => {
  await dep?.close();
});

/** Each test starts from no hosts and no mappings, in the same databases. */
afterEach(async () => {
  await dep.api.sql`delete from host_mappings`;
  await dep.api.sql`delete from cellar.discovery_runs`;
  await dep.api.sql`delete from cell_mappings where id not in (${dep.cell0.id}, ${cell1.id}, ${cell2.id})`;
  for (const c of [dep.cell0, cell1, cell2]) {
    await c.handle.sql`delete from compute_nodes`;
    await c.handle.sql`delete from services`;
    await c.handle.sql`delete from instances`;
  }
});

const hostsOf = (items: { host: string }[]) => items.map((i) => i.host).sort();

describe('discoverHosts, per node (nova default)', () => {
  it("writes nova's columns: each host mapping's created_at, each marked node's updated_at", async () => {
    await addComputeHosts(cell1, [{ host: 'cols-a', createdAt: new Date('2020-01-01T00:00:00Z') }]);
    await cell1.handle.sql`update compute_nodes set updated_at = '2020-01-01 00:00:00' where host = 'cols-a'`;
    await discoverHosts(testDeps(dep), { actor: 'alice' });
    const fresh = (col: string) => `${col} between (now() at time zone 'utc') - interval '1 minute' and (now() at time zone 'utc')`;
    const [m] = await dep.api.sql.unsafe(`select ${fresh('created_at')} as fresh, updated_at from host_mappings where host = 'cols-a'`);
    expect(m).toEqual({ fresh: true, updated_at: null });
    const [n] = await cell1.handle.sql.unsafe(`select mapped, ${fresh('updated_at')} as fresh from compute_nodes where host = 'cols-a'`);
    expect(n).toEqual({ mapped: 1, fresh: true });
  });

  it('maps every live unmapped compute host to its cell, sets mapped = 1, says SIGHUP, and records the run', async () => {
    await addComputeHosts(cell1, [{ host: 'c1-a' }, { host: 'c1-b', mapped: null }]);
    await addComputeHosts(cell2, [{ host: 'c2-a' }]);
    const r = await discoverHosts(testDeps(dep), { actor: 'alice' });

    expect(hostsOf(r.newlyMapped)).toEqual(['c1-a', 'c1-b', 'c2-a']);
    expect(r.newlyMapped.find((h) => h.host === 'c2-a')!.cell).toEqual({ uuid: cell2.uuid, name: 'cell2' });
    expect(r.alreadyMapped).toEqual([]);
    expect(r.skippedCells).toEqual([]);
    expect(r.skippedCell0).toBe(true);
    expect(r.cellMappings).toBe(3);
    expect(r.scanned.map((s) => [s.cell.name, s.unmapped])).toEqual([
      ['cell1', 2],
      ['cell2', 1],
    ]);
    expect(r.outcome).toBe('mapped');
    expect(r.restartNotice).toBe(RESTART_NOTICES.hostsMapped);
    expect(discoverExitCode({ ...r, strict: true })).toBe(0);

    expect(await hostMappingsByHost(dep)).toEqual({ 'c1-a': cell1.uuid, 'c1-b': cell1.uuid, 'c2-a': cell2.uuid });
    expect(await mappedFlags(cell1, ['c1-a', 'c1-b'])).toEqual({ 'c1-a': 1, 'c1-b': 1 });
    expect(await mappedFlags(cell2, ['c2-a'])).toEqual({ 'c2-a': 1 });

    const { lastRun } = await latestDiscoveryRuns(testDeps(dep));
    expect(lastRun).toMatchObject({
      id: r.runId,
      actor: 'alice',
      mode: 'per-node',
      dryRun: false,
      strict: false,
      cellUuid: null,
      newlyMapped: 3,
      alreadyMapped: 0,
      skippedCells: 0,
      outcome: 'mapped',
    });
    expect(lastRun!.finishedAt!.getTime()).toBeGreaterThanOrEqual(lastRun!.startedAt.getTime());
  });

  it('maps nothing the second time; --strict then exits 1 and the run says nothing-to-map', async () => {
    await addComputeHosts(cell1, [{ host: 'c1-a' }]);
    await discoverHosts(testDeps(dep), { actor: 't' });
    const again = await discoverHosts(testDeps(dep), { actor: 't', strict: true });
    expect(again.newlyMapped).toEqual([]);
    expect(again.alreadyMapped).toEqual([]);
    expect(again.outcome).toBe('nothing-to-map');
    expect(again.restartNotice).toBeNull();
    expect(discoverExitCode(again)).toBe(1);
    expect(discoverExitCode({ ...again, strict: false })).toBe(0);
    expect((await latestDiscoveryRuns(testDeps(dep))).lastRun).toMatchObject({ strict: true, outcome: 'nothing-to-map', newlyMapped: 0 });
  });

  it('never trusts mapped alone: maps a host whose node says mapped = 1 but has no mapping; ignores deleted nodes', async () => {
    await addComputeHosts(cell1, [
      { host: 'stale-flag', mapped: 1 },
      { host: 'gone', deletedNodes: true },
    ]);
    const r = await discoverHosts(testDeps(dep), { actor: 't' });
    expect(hostsOf(r.newlyMapped)).toEqual(['stale-flag']);
    expect(await hostMappingsByHost(dep)).toEqual({ 'stale-flag': cell1.uuid });
  });

  it('marks the unmapped sibling node of a host already mapped to the same cell, silently (ironic), and leaves it marked', async () => {
    await addComputeHosts(cell2, [{ host: 'bm-1', nodes: ['node-a', 'node-b'] }]);
    await dep.api.sql`insert into host_mappings (cell_id, host) values (${cell2.id}, 'bm-1')`;
    await cell2.handle.sql`update compute_nodes set mapped = 1 where hypervisor_hostname = 'node-a'`;
    const r = await discoverHosts(testDeps(dep), { actor: 't' });
    expect(r.newlyMapped).toEqual([]);
    expect(r.alreadyMapped).toEqual([]);
    expect(r.mappedElsewhere).toEqual([]);
    expect(await mappedFlags(cell2, ['bm-1'])).toEqual({ 'node-a': 1, 'node-b': 1 });
  });

  it('reports a host live in one cell but mapped to another as drift, maps nothing for it and leaves its node unmarked', async () => {
    await addComputeHosts(cell2, [{ host: 'moved' }]);
    await dep.api.sql`insert into host_mappings (cell_id, host) values (${cell1.id}, 'moved')`;
    const r = await discoverHosts(testDeps(dep), { actor: 't' });
    expect(r.newlyMapped).toEqual([]);
    expect(r.mappedElsewhere).toEqual([
      { host: 'moved', cell: { uuid: cell2.uuid, name: 'cell2' }, sourceUuid: expect.any(String), mappedTo: { uuid: cell1.uuid, name: 'cell1' }, drift: true },
    ]);
    expect(await mappedFlags(cell2, ['moved'])).toEqual({ moved: 0 });
    expect((await latestDiscoveryRuns(testDeps(dep))).lastRun!.details.mappedElsewhere).toBe(1);
  });

  it('maps a host live in two cells to the first cell only and reports the second as drift', async () => {
    await addComputeHosts(cell1, [{ host: 'twin' }]);
    await addComputeHosts(cell2, [{ host: 'twin' }]);
    const r = await discoverHosts(testDeps(dep), { actor: 't' });
    expect(r.newlyMapped.map((h) => [h.host, h.cell.name])).toEqual([['twin', 'cell1']]);
    expect(r.mappedElsewhere.map((h) => [h.host, h.cell.name, h.mappedTo?.name])).toEqual([['twin', 'cell2', 'cell1']]);
    expect(await hostMappingsByHost(dep)).toEqual({ twin: cell1.uuid });
    expect(await mappedFlags(cell2, ['twin'])).toEqual({ twin: 0 });
  });
});

describe('discoverHosts --by-service', () => {
  it('maps the hosts of every live nova-compute service, disabled ones included, and never touches mapped', async () => {
    await addComputeHosts(cell1, [
      { host: 'svc-up' },
      { host: 'svc-disabled', service: { disabled: true, disabledReason: 'maintenance' } },
      { host: 'svc-deleted', service: { deleted: true } },
      { host: 'no-service', service: false },
    ]);
    const r = await discoverHosts(testDeps(dep), { actor: 't', byService: true });
    expect(r.mode).toBe('by-service');
    expect(hostsOf(r.newlyMapped)).toEqual(['svc-disabled', 'svc-up']);
    expect(await mappedFlags(cell1, ['svc-up', 'svc-disabled'])).toEqual({ 'svc-up': 0, 'svc-disabled': 0 });
    expect((await latestDiscoveryRuns(testDeps(dep))).lastRun).toMatchObject({ mode: 'by-service', newlyMapped: 2 });
  });
});

describe('discoverHosts --dry-run', () => {
  it("lists what would be mapped and writes nothing to nova's tables; the dry run itself is recorded", async () => {
    await addComputeHosts(cell1, [{ host: 'dry-a' }]);
    await addComputeHosts(cell2, [{ host: 'dry-b' }]);
    const r = await discoverHosts(testDeps(dep), { actor: 't', dryRun: true, strict: true });
    expect(r.outcome).toBe('dry-run');
    expect(hostsOf(r.wouldMap)).toEqual(['dry-a', 'dry-b']);
    expect(r.newlyMapped).toEqual([]);
    expect(r.restartNotice).toBeNull();
    expect(discoverExitCode(r)).toBe(0);
    expect(await hostMappingsByHost(dep)).toEqual({});
    expect(await mappedFlags(cell1, ['dry-a'])).toEqual({ 'dry-a': 0 });
    const runs = await latestDiscoveryRuns(testDeps(dep));
    expect(runs.lastDryRun).toMatchObject({ dryRun: true, wouldMap: 2, newlyMapped: 0, outcome: 'dry-run' });
    expect(runs.lastRun).toBeNull();
  });

  it('with --strict and nothing to map exits 1', async () => {
    const r = await discoverHosts(testDeps(dep), { actor: 't', dryRun: true, strict: true });
    expect(r.wouldMap).toEqual([]);
    expect(discoverExitCode(r)).toBe(1);
  });
});

describe('discoverHosts --cell_uuid', () => {
  it('looks only in the cell named', async () => {
    await addComputeHosts(cell1, [{ host: 'only-1' }]);
    await addComputeHosts(cell2, [{ host: 'only-2' }]);
    const r = await discoverHosts(testDeps(dep), { actor: 't', cellUuid: cell2.uuid });
    expect(hostsOf(r.newlyMapped)).toEqual(['only-2']);
    expect(r.skippedCell0).toBe(false);
    expect(r.cellMappings).toBe(1);
    expect(await hostMappingsByHost(dep)).toEqual({ 'only-2': cell2.uuid });
    expect((await latestDiscoveryRuns(testDeps(dep))).lastRun!.cellUuid).toBe(cell2.uuid);
  });

  it('skips cell0 as nova does, even when compute nodes were wrongly written there', async () => {
    await addComputeHosts(dep.cell0, [{ host: 'in-cell0' }]);
    const r = await discoverHosts(testDeps(dep), { actor: 't', cellUuid: dep.cell0.uuid });
    expect(r.skippedCell0).toBe(true);
    expect(r.scanned).toEqual([]);
    expect(r.newlyMapped).toEqual([]);
    expect(await hostMappingsByHost(dep)).toEqual({});
  });

  it("refuses an unknown cell with nova's message and exit code 1, and records no run", async () => {
    const err = await discoverHosts(testDeps(dep), { actor: 't', cellUuid: '9d0c0b7e-0000-4000-8000-000000000000' }).catch((e) => e);
    expect(isCellarError(err)).toBe(true);
    expect(err.message).toBe('Cell with uuid 9d0c0b7e-0000-4000-8000-000000000000 was not found.');
    expect(err.exitCode).toBe(1);
    expect(await latestDiscoveryRuns(testDeps(dep))).toEqual({ lastRun: null, lastDryRun: null });
  });
});

describe('discoverHosts when a cell does not answer', () => {
  it('skips a cell that refuses connections and one that hangs past the deadline, and maps the others', async () => {
    await addComputeHosts(cell1, [{ host: 'ok-1' }]);
    await addComputeHosts(cell2, [{ host: 'ok-2' }]);
    const silent = await silentServer();
    const refused = await dep.addCell({ name: 'refusing', url: `postgresql://nova:s3cret@127.0.0.1:${await closedPort()}/nova` });
    const hung = await dep.addCell({ name: 'hanging', url: `postgresql://nova:s3cret@127.0.0.1:${silent.port}/nova` });
    try {
      const r = await discoverHosts(testDeps(dep, 800), { actor: 't' });
      expect(hostsOf(r.newlyMapped)).toEqual(['ok-1', 'ok-2']);
      expect(r.outcome).toBe('mapped');
      const skipped = Object.fromEntries(r.skippedCells.map((s) => [s.name, s]));
      expect(skipped.refusing).toMatchObject({ uuid: refused.uuid, reason: 'refused' });
      expect(skipped.hanging).toMatchObject({ uuid: hung.uuid, reason: 'timeout' });
      expect(JSON.stringify(r)).not.toContain('s3cret');
      expect(discoverExitCode({ ...r, strict: true })).toBe(0);
      const { lastRun } = await latestDiscoveryRuns(testDeps(dep));
      expect(lastRun).toMatchObject({ skippedCells: 2, newlyMapped: 2, outcome: 'mapped' });
      expect(lastRun!.details.skipped!.map((s) => s.name).sort()).toEqual(['hanging', 'refusing']);
    } finally {
      await silent.close();
    }
  });

  it('maps the hosts even when their cell goes away before mapped = 1 can be set, and says so', async () => {
    await addComputeHosts(cell1, [{ host: 'late' }]);
    // Hold host_mappings so the run stops at its insert, then close cell1's database to it.
    const admin = postgres(withDatabase(dep.serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
    const locker = postgres(dep.apiUrl, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const lockHeld = new Promise<void>((held) => {
      void locker.begin(async (tx) => {
        await tx`lock table host_mappings in exclusive mode`;
        held();
        await released;
      });
    });
    try {
      await lockHeld;
      const run = discoverHosts(testDeps(dep), { actor: 't', cellUuid: cell1.uuid });
      await waitFor(async () => {
        const [w] = await admin`select count(*)::int as n from pg_stat_activity
          where datname = ${dep.apiUrl.split('/').pop()!} and wait_event_type = 'Lock' and query ilike '%insert into host_mappings%'`;
        return w!.n === 1;
      });
      await admin.unsafe(`alter database "${cell1.database}" allow_connections false`);
      await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${cell1.database} and pid <> pg_backend_pid()`;
      release();
      const r = await run;
      expect(hostsOf(r.newlyMapped)).toEqual(['late']);
      expect(r.markFailures.map((f) => f.uuid)).toEqual([cell1.uuid]);
      expect(await hostMappingsByHost(dep)).toEqual({ late: cell1.uuid });
    } finally {
      release();
      await admin.unsafe(`alter database "${cell1.database}" allow_connections true`);
      await Promise.all([admin.end({ timeout: 2 }), locker.end({ timeout: 2 })]);
      await dep.registry.forget(cell1.uuid);
    }
    await cell1.handle.sql`select 1`;
    // The next run finds the host mapped to its own cell and marks its node.
    await discoverHosts(testDeps(dep), { actor: 't' });
    expect(await mappedFlags(cell1, ['late'])).toEqual({ late: 1 });
  });
});

describe('discoverHosts racing someone else', () => {
  it('reports a host mapped by someone else between its look and its insert as already mapped, with drift when to another cell', async () => {
    await addComputeHosts(cell1, [{ host: 'race-same' }, { host: 'race-other' }, { host: 'mine' }]);
    const locker = postgres(dep.apiUrl, { max: 1, onnotice: () => {} });
    const admin = postgres(dep.apiUrl, { max: 1, onnotice: () => {} });
    let run: ReturnType<typeof discoverHosts> | undefined;
    try {
      await locker.begin(async (tx) => {
        await tx`lock table host_mappings in exclusive mode`;
        run = discoverHosts(testDeps(dep), { actor: 't' });
        await waitFor(async () => {
          const [w] = await admin`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into host_mappings%'`;
          return w!.n === 1;
        });
        // "Someone else" maps two of the hosts while the run waits at its insert.
        await tx`insert into host_mappings (cell_id, host) values (${cell1.id}, 'race-same'), (${cell2.id}, 'race-other')`;
      });
      const r = await run!;
      expect(hostsOf(r.newlyMapped)).toEqual(['mine']);
      const already = Object.fromEntries(r.alreadyMapped.map((a) => [a.host, a]));
      expect(already['race-same']).toMatchObject({ cell: { uuid: cell1.uuid }, mappedTo: { uuid: cell1.uuid, name: 'cell1' }, drift: false });
      expect(already['race-other']).toMatchObject({ cell: { uuid: cell1.uuid }, mappedTo: { uuid: cell2.uuid, name: 'cell2' }, drift: true });
      expect(r.outcome).toBe('mapped');
      // Mapped to its own cell by someone else: marked; mapped elsewhere: left for drift checks.
      expect(await mappedFlags(cell1, ['race-same', 'race-other', 'mine'])).toEqual({ 'race-same': 1, 'race-other': 0, mine: 1 });
      expect((await latestDiscoveryRuns(testDeps(dep))).lastRun).toMatchObject({ newlyMapped: 1, alreadyMapped: 2 });
    } finally {
      await Promise.all([locker.end({ timeout: 2 }), admin.end({ timeout: 2 })]);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
