/**
 * The checks on real PostgreSQL: nova-status's Cells v2 and N-1 conditions, and every
 * drift list, each arranged in real cell databases the way nova leaves them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedMigrations } from '@/db/migrate';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { CELL0_UUID } from '../nova/constants';
import { CELLS_V2_MESSAGES } from './cells-v2-check';
import type { CheckId } from './result';
import { type ChecksReport, runChecks } from './run-checks';
import { addCompute, mapHost } from './testing';

// Port 1 on loopback: nothing listens, the connection is refused at once.
const DEAD_URL = 'postgresql://nova:s3cret-dead@127.0.0.1:1/nova_dead';

function depsOf(dep: TestDeployment): Deps {
  // A generous deadline: two shared cores; a cell that is down here refuses, it never hangs.
  return { api: dep.api, registry: dep.registry, deadlineMs: 15_000, serviceDownTimeS: 60, now: () => new Date() };
}

const checkOf = (r: ChecksReport, id: CheckId) => r.checks.find((c) => c.id === id)!;

async function withDeployment<T>(cells: string[], fn: (dep: TestDeployment) => Promise<T>): Promise<T> {
  const dep = await createTestDeployment({ cells });
  try {
    return await fn(dep);
  } finally {
    await dep.close();
  }
}

describe('Cells v2 (nova-status)', () => {
  it("fails with nova's message when cell0 is the only cell mapping", async () => {
    await withDeployment([], async (dep) => {
      const r = await runChecks(depsOf(dep));
      expect(checkOf(r, 'cells_v2')).toEqual({ id: 'cells_v2', name: 'Cells v2', result: 'failure', details: CELLS_V2_MESSAGES.fewerThanTwo });
      expect(CELLS_V2_MESSAGES.fewerThanTwo).toBe(
        "There needs to be at least two cell mappings, one for cell0 and one for your first cell. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
      );
      expect(r.result).toBe('failure');
      expect(r.exitCode).toBe(2);
    });
  });

  it("fails with nova's message when two cells are mapped but none is cell0", async () => {
    await withDeployment(['cell1', 'cell2'], async (dep) => {
      await dep.api.sql`delete from cell_mappings where uuid = ${CELL0_UUID}`;
      const r = await runChecks(depsOf(dep));
      expect(checkOf(r, 'cells_v2')).toMatchObject({
        result: 'failure',
        details: "No cell0 mapping found. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
      });
      expect(r.exitCode).toBe(2);
    });
  });

  it('fails when there are no host mappings but a cell has a live compute node', async () => {
    await withDeployment(['cell1', 'cell2'], async (dep) => {
      await addCompute(dep.cells[1]!.handle, 'cmp-1.example.net');
      const r = await runChecks(depsOf(dep));
      expect(checkOf(r, 'cells_v2')).toMatchObject({
        result: 'failure',
        details: "No host mappings found but there are compute nodes. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
      });
      expect(r.exitCode).toBe(2);
    });
  });

  it("succeeds with nova's reminder when there are neither host mappings nor live compute nodes (soft-deleted nodes and cell0 do not count)", async () => {
    await withDeployment(['cell1'], async (dep) => {
      await addCompute(dep.cells[0]!.handle, 'gone-1.example.net', { deleted: true });
      // cell0 is not where nova-status looks for computes; its service is a finding of its own.
      await addCompute(dep.cell0.handle, 'misconfigured.example.net');
      const r = await runChecks(depsOf(dep));
      expect(checkOf(r, 'cells_v2')).toEqual({
        id: 'cells_v2',
        name: 'Cells v2',
        result: 'success',
        details:
          "No host mappings or compute nodes were found. Remember to run command 'nova-manage cell_v2 discover_hosts' when new compute hosts are deployed.",
      });
      expect(r.drift.cell0ComputeServices.map((s) => s.host)).toEqual(['misconfigured.example.net']);
    });
  });

  it('warns (not succeeds) when there are no host mappings and a cell that could hold compute nodes did not answer', async () => {
    await withDeployment(['cell1'], async (dep) => {
      await dep.addCell({ name: 'dead', url: DEAD_URL });
      const r = await runChecks(depsOf(dep));
      const c = checkOf(r, 'cells_v2');
      expect(c.result).toBe('warning');
      expect(c.details).toContain('No host mappings found, and dead did not answer');
      expect(r.exitCode).toBe(1);
    });
  });

  it('succeeds with nothing to say once hosts are mapped, and the whole run is clean', async () => {
    await withDeployment(['cell1'], async (dep) => {
      await addCompute(dep.cells[0]!.handle, 'cmp-1.example.net');
      await mapHost(dep.api, dep.cells[0]!.id, 'cmp-1.example.net');
      const r = await runChecks(depsOf(dep));
      expect(checkOf(r, 'cells_v2')).toEqual({ id: 'cells_v2', name: 'Cells v2', result: 'success', details: null });
      expect(r.checks.map((c) => [c.name, c.result])).toEqual([
        ['Cells v2', 'success'],
        ['Older than N-1 computes', 'success'],
        ['Cells answering', 'success'],
        ['Cell schemas', 'success'],
        ['Stale host mappings', 'success'],
        ['Host mappings to the wrong cell', 'success'],
        ['Hosts in more than one cell', 'success'],
        ['Compute services in cell0', 'success'],
      ]);
      expect(r.result).toBe('success');
      expect(r.exitCode).toBe(0);
      expect(r.cells).toEqual({ answered: 2, total: 2 });
      expect(r.drift.unmappedComputeHosts).toEqual({ total: 0, byCell: [] });
    });
  });
});

describe('Older than N-1 computes (nova-status)', () => {
  it("fails with nova's TooOldComputeService message when a compute is older than Gazpacho (72), and lists it", async () => {
    await withDeployment(['cell1', 'cell2'], async (dep) => {
      const [c1, c2] = dep.cells as [TestCell, TestCell];
      await addCompute(c1.handle, 'new.example.net', { version: 73 });
      await addCompute(c2.handle, 'old.example.net', { version: 71 });
      await mapHost(dep.api, c1.id, 'new.example.net');
      await mapHost(dep.api, c2.id, 'old.example.net');
      const r = await runChecks(depsOf(dep));
      expect(checkOf(r, 'old_computes')).toEqual({
        id: 'old_computes',
        name: 'Older than N-1 computes',
        result: 'failure',
        details:
          'Current Nova version does not support computes older than Gazpacho but the minimum compute service level in your system is 71 and the oldest supported service level is 72.',
      });
      expect(r.oldComputes).toMatchObject({ minimumVersion: 71, oldestSupported: { release: 'Gazpacho', version: 72 }, current: 73 });
      expect(r.oldComputes.tooOld).toEqual([{ cell: { uuid: c2.uuid, name: 'cell2' }, host: 'old.example.net', version: 71, forcedDown: false }]);
      expect(r.exitCode).toBe(2);
    });
  });

  it('counts as nova does: forced-down, deleted and unversioned (0) services are left out; 72 is supported', async () => {
    await withDeployment(['cell1'], async (dep) => {
      const c1 = dep.cells[0]!;
      await addCompute(c1.handle, 'n1.example.net', { version: 72 });
      await addCompute(c1.handle, 'forced.example.net', { version: 60, forcedDown: true });
      await addCompute(c1.handle, 'deleted.example.net', { version: 50, deleted: true });
      await addCompute(c1.handle, 'ancient-row.example.net', { version: 0 });
      // Down by heartbeat is still counted by nova (only forced_down is skipped): at 73 it changes nothing.
      await addCompute(c1.handle, 'quiet.example.net', { version: 73, lastSeenAgoS: 7200 });
      for (const h of ['n1', 'forced', 'ancient-row', 'quiet']) await mapHost(dep.api, c1.id, `${h}.example.net`);
      const r = await runChecks(depsOf(dep));
      expect(checkOf(r, 'old_computes')).toMatchObject({ result: 'success', details: null });
      expect(r.oldComputes.minimumVersion).toBe(72);
      expect(r.oldComputes.tooOld).toEqual([]);
    });
  });

  it('is a success with no computes at all (a fresh install), and names the cells it could not count', async () => {
    await withDeployment(['cell1'], async (dep) => {
      await dep.addCell({ name: 'dead', url: DEAD_URL });
      const r = await runChecks(depsOf(dep));
      expect(r.oldComputes.minimumVersion).toBeNull();
      expect(checkOf(r, 'old_computes')).toMatchObject({ result: 'success' });
      expect(checkOf(r, 'old_computes').details).toContain('The nova-compute services of dead were not counted');
    });
  });
});

describe('drift', () => {
  let dep: TestDeployment;
  let cell1: TestCell;
  let cell2: TestCell;
  let dead: { uuid: string; name: string | null };
  let r: ChecksReport;

  beforeAll(async () => {
    dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
    [cell1, cell2] = dep.cells as [TestCell, TestCell];
    // Healthy controls: never reported.
    await addCompute(cell1.handle, 'c1-ok.example.net');
    await mapHost(dep.api, cell1.id, 'c1-ok.example.net');
    await addCompute(cell1.handle, 'c1-ironic.example.net', { serviceOnly: true });
    await mapHost(dep.api, cell1.id, 'c1-ironic.example.net');
    await addCompute(cell2.handle, 'c2-ok.example.net');
    await mapHost(dep.api, cell2.id, 'c2-ok.example.net');
    await dep.cell0.handle.sql`insert into services (host, "binary", topic, version, last_seen_up)
      values ('ctl-1.example.net', 'nova-conductor', 'conductor', 73, now() at time zone 'utc')`;

    // Stale: the host is in no cell (never there, or its service and node were deleted).
    await mapHost(dep.api, cell1.id, 'ghost.example.net');
    await addCompute(cell2.handle, 'deleted.example.net', { deleted: true });
    await mapHost(dep.api, cell2.id, 'deleted.example.net');
    await mapHost(dep.api, dep.cell0.id, 'in-cell0.example.net');
    // Wrong cell: mapped to cell1, live in cell2.
    await addCompute(cell2.handle, 'moved.example.net');
    await mapHost(dep.api, cell1.id, 'moved.example.net');
    // The same host live in two cells: one mapped (to one of them), one not.
    await addCompute(cell1.handle, 'twin-a.example.net');
    await addCompute(cell2.handle, 'twin-a.example.net');
    await mapHost(dep.api, cell1.id, 'twin-a.example.net');
    await addCompute(cell1.handle, 'twin-b.example.net', { nodeOnly: true });
    await addCompute(cell2.handle, 'twin-b.example.net', { serviceOnly: true });
    // A nova-compute in cell0.
    await addCompute(dep.cell0.handle, 'cmp-in-cell0.example.net', { serviceOnly: true, lastSeenAgoS: 3600 });
    // Unmapped (not drift): counted.
    await addCompute(cell2.handle, 'c2-new.example.net');
    // A cell that refuses, with a mapping that cannot be compared.
    dead = await dep.addCell({ name: 'dead', url: DEAD_URL });
    const [deadRow] = await dep.api.sql<{ id: number }[]>`select id from cell_mappings where uuid = ${dead.uuid}`;
    await mapHost(dep.api, deadRow!.id, 'behind-dead.example.net');

    r = await runChecks(depsOf(dep));
  });
  afterAll(() => dep?.close());

  const ref = (c: { uuid: string; name: string | null }) => ({ uuid: c.uuid, name: c.name });

  it("lists host mappings whose host no cell has (stale), a mapping to cell0 included; a down cell's mappings are not judged", () => {
    expect(r.drift.staleHostMappings.map((m) => [m.host, m.cell.name])).toEqual([
      ['deleted.example.net', 'cell2'],
      ['ghost.example.net', 'cell1'],
      ['in-cell0.example.net', 'cell0'],
    ]);
    for (const m of r.drift.staleHostMappings) expect(m.createdAt).toBeInstanceOf(Date);
    const c = checkOf(r, 'stale_host_mappings');
    expect(c.result).toBe('warning');
    expect(c.details).toContain('3 host mappings name hosts that no cell that answered has a live compute node or nova-compute service for');
    expect(c.details).toContain('ghost.example.net (cell1)');
  });

  it('lists a host mapping that points at a cell without the host while another cell has it (wrong cell)', () => {
    expect(r.drift.misplacedHostMappings).toEqual([{ cell: ref(cell1), host: 'moved.example.net', foundIn: [ref(cell2)] }]);
    expect(checkOf(r, 'misplaced_host_mappings').details).toContain('moved.example.net (mapped to cell1, found in cell2)');
  });

  it('lists a host live in two cells, with the cell its mapping names (or none)', () => {
    expect(r.drift.hostsInSeveralCells).toEqual([
      { host: 'twin-a.example.net', cells: [ref(cell1), ref(cell2)], mappedTo: ref(cell1) },
      { host: 'twin-b.example.net', cells: [ref(cell1), ref(cell2)], mappedTo: null },
    ]);
    expect(checkOf(r, 'hosts_in_several_cells').result).toBe('warning');
  });

  it("lists nova-compute services in cell0 with nova's log line, and not the control-plane services there", () => {
    expect(r.drift.cell0ComputeServices).toEqual([
      expect.objectContaining({ cell: { uuid: CELL0_UUID, name: 'cell0' }, host: 'cmp-in-cell0.example.net', version: 73, state: 'down', disabled: false }),
    ]);
    expect(checkOf(r, 'cell0_compute_services').details).toMatch(/^Found compute service cmp-in-cell0\.example\.net in cell0; This should never happen!/);
  });

  it('lists the cell that does not answer, with its reason and the mappings that could not be compared, and still checks the others', () => {
    expect(r.drift.downCells).toEqual([
      {
        uuid: dead.uuid,
        name: 'dead',
        reason: 'refused',
        message: 'connection refused',
        elapsedMs: expect.any(Number),
        hostMappingsNotCompared: 1,
        lastKnown: null,
      },
    ]);
    expect(checkOf(r, 'cells_answering').details).toBe('dead did not answer (refused: connection refused); 1 host mapping to it not compared.');
    expect(JSON.stringify(r)).not.toContain('s3cret-dead');
    expect(r.cells).toEqual({ answered: 3, total: 4 });
  });

  it('counts unmapped compute-node hosts per cell (not drift, no warning), never the healthy or service-only ones', () => {
    // cell1: twin-b's node; cell2: c2-new. twin-b has only a service in cell2, which discover_hosts (per node) would not map.
    expect(r.drift.unmappedComputeHosts).toEqual({
      total: 2,
      byCell: [
        { cell: ref(cell1), count: 1 },
        { cell: ref(cell2), count: 1 },
      ],
    });
  });

  it("makes every drift kind a warning, nova's checks unaffected, and the run a warning (exit 1)", () => {
    expect(Object.fromEntries(r.checks.map((c) => [c.id, c.result]))).toEqual({
      cells_v2: 'success',
      old_computes: 'success',
      cells_answering: 'warning',
      cell_schemas: 'success',
      stale_host_mappings: 'warning',
      misplaced_host_mappings: 'warning',
      hosts_in_several_cells: 'warning',
      cell0_compute_services: 'warning',
    });
    expect(r.exitCode).toBe(1);
  });
});

describe('drift: cell schemas', () => {
  it('lists cells whose schema is uninitialised, behind or ahead, and still compares the hosts of those it can read', async () => {
    await withDeployment(['cell1'], async (dep) => {
      const empty = await dep.addCell({ name: 'empty', url: (await dep.createCellDatabase({ migrated: false })).url });
      const behindDb = await dep.createCellDatabase({ migrated: true });
      const behind = await dep.addCell({ name: 'behind', url: behindDb.url });
      const aheadDb = await dep.createCellDatabase({ migrated: true });
      const ahead = await dep.addCell({ name: 'ahead', url: aheadDb.url });
      // addCell with a url returns no handle; open the databases through the deployment's registry.
      const open = (cell: { id: number; uuid: string; name: string | null; url: string }) =>
        dep.registry.handleFor({ id: cell.id, uuid: cell.uuid, name: cell.name, databaseConnection: cell.url });
      await open(behind).sql`delete from cellar.schema_migrations`;
      await open(ahead).sql`insert into cellar.schema_migrations (hash, created_at) values ('from-a-newer-cellar', 99999999999999)`;
      await addCompute(open(behind), 'on-behind.example.net');
      await mapHost(dep.api, behind.id, 'on-behind.example.net');
      await mapHost(dep.api, empty.id, 'on-empty.example.net');

      const r = await runChecks(depsOf(dep));
      const byName = Object.fromEntries(r.drift.schemas.map((s) => [s.cell.name, s]));
      expect(Object.keys(byName).sort()).toEqual(['ahead', 'behind', 'empty']);
      const expected = expectedMigrations('cell').count;
      expect(byName.empty).toMatchObject({ state: 'uninitialised', applied: 0, expected, unreadable: expect.stringContaining('could not be read') });
      expect(byName.behind).toMatchObject({ state: 'behind', unreadable: null });
      expect(byName.ahead).toMatchObject({ state: 'ahead', unreadable: null });
      const c = checkOf(r, 'cell_schemas');
      expect(c.result).toBe('warning');
      expect(c.details).toContain(`empty: no Cellar schema (0 of ${expected} migrations applied)`);
      expect(c.details).toContain('behind: schema is behind');
      // The behind cell's tables are still read, so its mapped host is fine; the empty cell's mapping is not judged.
      expect(r.drift.staleHostMappings).toEqual([]);
      expect(r.drift.downCells).toEqual([]);
      expect(r.exitCode).toBe(1);
    });
  });
});
