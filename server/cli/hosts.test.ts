import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instances } from '@/db/cell/schema';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { RESTART_NOTICES } from '../cells/caveats';
import { addComputeHosts, closedPort, hostMappingsByHost, mappedFlags } from '../hosts/testing';
import { runCli, spawnCli } from './testing';

let dep: TestDeployment;
let cell1: TestCell;
let cell2: TestCell;
const UNKNOWN = '9d0c0b7e-0000-4000-8000-000000000000';
const cli = (args: string[]) => runCli(args, { apiUrl: dep.apiUrl });

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  [cell1, cell2] = dep.cells as [TestCell, TestCell];
});
afterAll(async () => {
  await dep?.close();
});
beforeEach(async () => {
  await dep.api.sql`delete from host_mappings`;
  await dep.api.sql`delete from cell_mappings where id not in (${dep.cell0.id}, ${cell1.id}, ${cell2.id})`;
  for (const c of [cell1, cell2]) {
    await c.handle.sql`delete from compute_nodes`;
    await c.handle.sql`delete from services`;
    await c.handle.sql`delete from instances`;
  }
});

describe('cellar list_hosts', () => {
  beforeEach(async () => {
    await dep.api.sql`insert into host_mappings (cell_id, host) values
      (${cell2.id}, 'b-host'), (${cell1.id}, 'c-host'), (${cell1.id}, 'a-host')`;
  });

  it("prints nova's table (Cell Name, Cell UUID, Hostname) sorted by host", async () => {
    const r = await cli(['list_hosts']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^\| Cell Name \|\s+Cell UUID\s+\| Hostname \|$/);
    expect(
      lines.slice(3, 6).map((l) =>
        l
          .split('|')
          .map((s) => s.trim())
          .slice(1, 4),
      ),
    ).toEqual([
      ['cell1', cell1.uuid, 'a-host'],
      ['cell2', cell2.uuid, 'b-host'],
      ['cell1', cell1.uuid, 'c-host'],
    ]);
  });

  it('filters by --cell_uuid and prints JSON with --json', async () => {
    const r = await cli(['list_hosts', '--cell_uuid', cell1.uuid, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { cellName: 'cell1', cellUuid: cell1.uuid, host: 'a-host' },
      { cellName: 'cell1', cellUuid: cell1.uuid, host: 'c-host' },
    ]);
  });

  it("refuses an unknown cell with nova's message and exit code 1", async () => {
    const r = await cli(['list_hosts', '--cell_uuid', UNKNOWN]);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: `Cell with uuid ${UNKNOWN} was not found.` });
  });

  it('refuses a --cell_uuid that is not a uuid before asking anything, exit 1 (list_hosts, delete_host, discover_hosts)', async () => {
    for (const args of [['list_hosts'], ['delete_host', '--host', 'cmp-1'], ['discover_hosts']]) {
      expect(await cli([...args, '--cell_uuid', 'not-a-uuid'])).toMatchObject({
        code: 1,
        stdout: '',
        stderr: 'a cell uuid looks like 8-4-4-4-12 hexadecimal digits',
      });
    }
  });
});

describe('cellar delete_host', () => {
  beforeEach(async () => {
    await addComputeHosts(cell1, [
      { host: 'cmp-1', mapped: 1 },
      { host: 'busy', mapped: 1 },
    ]);
    await dep.api.sql`insert into host_mappings (cell_id, host) values (${cell1.id}, 'cmp-1'), (${cell1.id}, 'busy')`;
    await cell1.handle.db.insert(instances).values({ uuid: '11111111-1111-4111-8111-000000000001', projectId: 'p', host: 'busy', vmState: 'active' });
  });

  it('deletes the mapping, resets mapped = 0 and prints the SIGHUP notice (exit 0)', async () => {
    const r = await cli(['delete_host', '--cell_uuid', cell1.uuid, '--host', 'cmp-1']);
    expect(r).toMatchObject({ code: 0, stdout: RESTART_NOTICES.hostMappingDeleted, stderr: '' });
    expect(await hostMappingsByHost(dep)).toEqual({ busy: cell1.uuid });
    expect(await mappedFlags(cell1, ['cmp-1'])).toEqual({ 'cmp-1': 0 });
  });

  it.each([
    ['an unknown cell', 1, () => [UNKNOWN, 'cmp-1'], () => `Cell with uuid ${UNKNOWN} was not found.`],
    ['a host with no mapping', 2, () => [cell1.uuid, 'ghost'], () => 'The host ghost was not found.'],
    ['a host mapped to another cell', 3, () => [cell2.uuid, 'cmp-1'], () => `The host cmp-1 was not found in the cell ${cell2.uuid}.`],
    ['a host with instances', 4, () => [cell1.uuid, 'busy'], () => 'There are instances on the host busy.'],
  ])("refuses %s with exit code %i and nova's message, deleting nothing", async (_what, code, args, message) => {
    const [cellUuid, host] = args();
    const r = await cli(['delete_host', '--cell_uuid', cellUuid!, '--host', host!]);
    expect(r).toMatchObject({ code, stdout: '', stderr: message() });
    expect(await hostMappingsByHost(dep)).toEqual({ 'cmp-1': cell1.uuid, busy: cell1.uuid });
  });

  it('refuses a blank --host plainly, and a missing one through commander (exit 1)', async () => {
    const blank = await cli(['delete_host', '--cell_uuid', cell1.uuid, '--host', '  ']);
    expect(blank).toMatchObject({ code: 1, stderr: '--host needs a host name' });
    const missing = await spawnCli(['delete_host', '--cell_uuid', cell1.uuid], { apiUrl: dep.apiUrl });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--host <host>' not specified");
  });
});

describe('cellar discover_hosts', () => {
  it("maps and, with --verbose, prints nova's messages and the SIGHUP notice", async () => {
    await addComputeHosts(cell1, [{ host: 'new-1' }]);
    await addComputeHosts(cell2, [{ host: 'new-2', nodes: ['new-2'] }]);
    const [node] = await cell1.handle.sql<{ uuid: string }[]>`select uuid from compute_nodes where host = 'new-1'`;
    const r = await cli(['discover_hosts', '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'Found 3 cell mappings.',
      'Skipping cell0 since it does not contain hosts.',
      `Getting computes from cell 'cell1': ${cell1.uuid}`,
      `Found 1 unmapped computes in cell: ${cell1.uuid}`,
      `Getting computes from cell 'cell2': ${cell2.uuid}`,
      `Found 1 unmapped computes in cell: ${cell2.uuid}`,
      `Creating host mapping for compute host 'new-1': ${node!.uuid}`,
      expect.stringMatching(/^Creating host mapping for compute host 'new-2': [0-9a-f-]{36}$/),
      'Mapped 2 hosts.',
      RESTART_NOTICES.hostsMapped,
    ]);
    expect(await hostMappingsByHost(dep)).toEqual({ 'new-1': cell1.uuid, 'new-2': cell2.uuid });
  });

  it('is quiet without --verbose but for the notice; --strict exits 1 once nothing is left to map', async () => {
    await addComputeHosts(cell1, [{ host: 'new-1' }]);
    expect(await cli(['discover_hosts', '--strict'])).toMatchObject({ code: 0, stdout: RESTART_NOTICES.hostsMapped });
    expect(await cli(['discover_hosts'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await cli(['discover_hosts', '--strict'])).toMatchObject({ code: 1, stdout: '', stderr: '' });
  });

  it('--dry-run lists what would be mapped and writes nothing', async () => {
    await addComputeHosts(cell2, [{ host: 'dry-1' }]);
    const r = await cli(['discover_hosts', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `Would create host mapping for compute host 'dry-1' in cell 'cell2' (${cell2.uuid}).`,
      'Dry run: 1 host would be mapped; nothing was written.',
    ]);
    expect(await hostMappingsByHost(dep)).toEqual({});
    expect(await mappedFlags(cell2, ['dry-1'])).toEqual({ 'dry-1': 0 });
  });

  it("--by-service --cell_uuid maps only that cell's compute services, and --json prints the result", async () => {
    await addComputeHosts(cell1, [{ host: 'svc-1', service: { disabled: true } }]);
    await addComputeHosts(cell2, [{ host: 'svc-2' }]);
    const r = await cli(['discover_hosts', '--by-service', '--cell_uuid', cell1.uuid, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ mode: 'by-service', cellUuid: cell1.uuid, outcome: 'mapped' });
    expect(out.newlyMapped.map((h: { host: string }) => h.host)).toEqual(['svc-1']);
    expect(await hostMappingsByHost(dep)).toEqual({ 'svc-1': cell1.uuid });
    expect(await mappedFlags(cell1, ['svc-1'])).toEqual({ 'svc-1': 0 });
  });

  it('skips a cell that does not answer, names it on stderr, maps the others and exits 0 (a real process)', async () => {
    await addComputeHosts(cell1, [{ host: 'ok-1' }]);
    const down = await dep.addCell({ name: 'dead', url: `postgresql://nova:s3cret@127.0.0.1:${await closedPort()}/nova` });
    const r = await spawnCli(['discover_hosts', '--strict'], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(RESTART_NOTICES.hostsMapped);
    expect(r.stderr).toBe(
      `Skipped cell 'dead' (${down.uuid}): it did not answer (refused: connection refused). Its hosts were not looked at; run discover_hosts again when it is back.`,
    );
    expect(await hostMappingsByHost(dep)).toEqual({ 'ok-1': cell1.uuid });
  });

  it('reports a host someone else maps meanwhile as already mapped, not an error (nova would exit 2)', async () => {
    await addComputeHosts(cell1, [{ host: 'contested' }, { host: 'free' }]);
    const locker = postgres(dep.apiUrl, { max: 1, onnotice: () => {} });
    const watcher = postgres(dep.apiUrl, { max: 1, onnotice: () => {} });
    try {
      let run!: ReturnType<typeof cli>;
      await locker.begin(async (tx) => {
        await tx`lock table host_mappings in exclusive mode`;
        run = cli(['discover_hosts']);
        for (let i = 0; ; i++) {
          const [w] = await watcher`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into host_mappings%'`;
          if (w!.n === 1) break;
          if (i > 400) throw new Error('the run never reached its insert');
          await new Promise((r) => setTimeout(r, 50));
        }
        await tx`insert into host_mappings (cell_id, host) values (${cell2.id}, 'contested')`;
      });
      const r = await run;
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')).toEqual([
        `Host 'contested' was already mapped by someone else meanwhile, to cell 'cell2' (${cell2.uuid}), but its compute is in cell 'cell1' (${cell1.uuid}): drift, resolve it by hand. Not an error.`,
        RESTART_NOTICES.hostsMapped,
      ]);
      expect(await hostMappingsByHost(dep)).toEqual({ contested: cell2.uuid, free: cell1.uuid });
    } finally {
      await Promise.all([locker.end({ timeout: 2 }), watcher.end({ timeout: 2 })]);
    }
  });

  it('warns on stderr about a host live in one cell but mapped to another, every run', async () => {
    await addComputeHosts(cell2, [{ host: 'moved' }]);
    await dep.api.sql`insert into host_mappings (cell_id, host) values (${cell1.id}, 'moved')`;
    const r = await cli(['discover_hosts']);
    expect(r).toMatchObject({
      code: 0,
      stdout: '',
      stderr: `Host 'moved' is live in cell 'cell2' (${cell2.uuid}) but mapped to cell 'cell1' (${cell1.uuid}); not mapped again: a host belongs to one cell only.`,
    });
  });

  it("refuses an unknown --cell_uuid with nova's list_hosts message and exit code 1", async () => {
    expect(await cli(['discover_hosts', '--cell_uuid', UNKNOWN])).toMatchObject({ code: 1, stdout: '', stderr: `Cell with uuid ${UNKNOWN} was not found.` });
  });

  it('says in its help that a race is not an error', async () => {
    const r = await cli(['discover_hosts', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('A duplicate-key race is not an error');
    expect(r.stdout).toContain('nova exits 2');
    expect(r.stdout).toContain('--dry-run');
  });
});

describe('cellar discover_hosts --schedule', () => {
  it('pauses and resumes periodic discovery for every replica, says its state, audits the change, and refuses an unknown action', async () => {
    const status = await cli(['discover_hosts', '--schedule', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Periodic discovery is not paused.');
    expect(status.stdout).toContain('Leader: none');

    const paused = await cli(['discover_hosts', '--schedule', 'pause']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^Periodic discovery is paused \(by \S+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): no replica starts a run\./);
    const [row] = await dep.api.sql<{ paused: boolean }[]>`select paused from cellar.discovery_schedule where id = 1`;
    expect(row!.paused).toBe(true);
    const json = await cli(['discover_hosts', '--schedule', 'status', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ paused: true, leader: null, recentRuns: [] });

    expect((await cli(['discover_hosts', '--schedule', 'resume'])).stdout).toContain('Periodic discovery is not paused.');
    expect((await dep.api.sql<{ paused: boolean }[]>`select paused from cellar.discovery_schedule where id = 1`)[0]!.paused).toBe(false);
    const audit = await dep.api.sql<{ outcome: string }[]>`
      select outcome from cellar.audit_log where action = 'discover_hosts' and input::text like '%"schedule"%' order by id`;
    expect(audit.map((a) => a.outcome)).toEqual(['done', 'done', 'done', 'done']);

    const bad = await cli(['discover_hosts', '--schedule', 'sometimes']);
    expect(bad).toMatchObject({ code: 1, stderr: '--schedule: is one of pause, resume, status.' });
    const mixed = await cli(['discover_hosts', '--schedule', 'pause', '--dry-run']);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('--schedule runs no discovery itself');
    expect((await dep.api.sql<{ paused: boolean }[]>`select paused from cellar.discovery_schedule where id = 1`)[0]!.paused).toBe(false);
  });
});
