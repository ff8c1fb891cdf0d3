/**
 * Cellar on a deployment nova made (nova 26, Debian's python3-nova): every read shows
 * nova's own rows, and the schema is reported as nova's, never "uninitialised".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVA_TEST_TIMEOUT_MS } from '@/db/testing/nova/nova-deployment';
import { runCli } from '../cli/testing';
import { CELL0_UUID } from '../nova/constants';
import { cellarOnNova, type CellarOnNova } from './testing';

let t: CellarOnNova;
beforeAll(async () => {
  t = await cellarOnNova();
});
afterAll(async () => {
  await t?.close();
});

const names = (uuids: string[]) => uuids.map((u) => t.nova.facts.instances.find((i) => i.uuid === u)!.displayName);

describe('reads on a nova-made deployment', { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it("lists nova's cells with their URLs masked as nova stores them, every one up and its schema nova's", async () => {
    const { cells } = await t.caller.cells.list();
    expect(cells.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2']);
    const stored = { cell0: t.nova.cell0, cell1: t.nova.cell1, cell2: t.nova.cell2 };
    for (const c of cells) {
      expect(c.status).toBe('up');
      const url = new URL(stored[c.name as keyof typeof stored].novaUrl);
      // As stored (the driver kept), the password masked, the rest as it is.
      expect(c.databaseConnection).toBe(`postgresql+psycopg2://${url.username}${url.password ? ':****' : ''}@${url.host}${url.pathname}`);
      if (url.password) expect(JSON.stringify(cells)).not.toContain(url.password);
      expect(c.schema).toMatchObject({ state: 'current', madeBy: 'nova', novaRevision: 'ccb0fa1a2252', release: 'nova 26 Zed', missingColumns: [] });
    }
    const cell1 = cells.find((c) => c.name === 'cell1')!;
    expect(cell1.transportUrl).toBe('rabbit://guest:****@127.0.0.1:5672/');
    expect(cell1.hostMappings).toBe(t.nova.facts.hosts.cell1.length);
  });

  it("shows a cell's compute nodes and services as nova-compute wrote them", async () => {
    const d = await t.caller.cells.detail({ uuid: t.nova.cell1.uuid });
    expect(d.status).toBe('up');
    const json = JSON.stringify(d);
    for (const host of [...t.nova.facts.hosts.cell1, ...t.nova.facts.hosts.unmapped]) expect(json).toContain(host);
  });

  it('lists the host mappings nova made and the compute it has not mapped yet', async () => {
    const m = await t.caller.hosts.mappings({});
    expect(m.rows.map((r) => r.host)).toEqual([...t.nova.facts.hosts.mapped].sort());
    const u = await t.caller.hosts.unmapped();
    expect(u.computes.map((c) => c.host)).toEqual(t.nova.facts.hosts.unmapped);
    expect(u.computes[0]).toMatchObject({ cell: { uuid: t.nova.cell1.uuid }, hypervisorHostname: `${t.nova.facts.hosts.unmapped[0]}.example.org` });
  });

  it('shows the boot nova buried in cell0 with its fault and the flavor of its embedded copy', async () => {
    const { buried } = t.nova.facts;
    const list = await t.caller.triage.cell0.list({});
    expect(list.state).toBe('up');
    if (list.state !== 'up') return;
    expect(list.data.rows.map((r) => r.uuid)).toEqual([buried.uuid]);
    expect(list.data.rows[0]).toMatchObject({
      vmState: 'error',
      taskState: null,
      flavor: { name: buried.flavor },
      fault: { message: buried.fault.message, code: 500 },
    });
    const one = await t.caller.triage.cell0.get({ uuid: buried.uuid });
    expect(one.state === 'up' && one.data).toMatchObject({
      uuid: buried.uuid,
      fault: { message: buried.fault.message },
      actions: [{ action: 'create', message: 'Error' }],
    });
    const groups = await t.caller.triage.cell0.groups({});
    expect(groups.state === 'up' && groups.data.groups.map((g) => [g.key, g.count])).toEqual([[buried.fault.message, 1]]);
  });

  it('shows the pending boot with the flavor from its build request', async () => {
    const { pending } = t.nova.facts;
    const r = await t.caller.triage.buildRequests.list({});
    expect(r.buildRequests.map((b) => [b.instanceUuid, b.name, b.flavor?.name, b.corrupt])).toEqual([
      [pending.buildRequestInstanceUuid, pending.displayName, pending.flavor, null],
    ]);
    expect(r.orphans).toEqual([]);
  });

  it("lists the instances across cells (deleted ones left out) and finds each where nova's mappings say", async () => {
    const r = await t.caller.instances.list({});
    const live = t.nova.facts.instances.filter((i) => !i.deleted);
    expect(r.rows.map((x) => x.uuid).sort()).toEqual(live.map((i) => i.uuid).sort());
    expect(r.rows.find((x) => x.uuid === t.nova.facts.buried.uuid)).toMatchObject({
      cell: { uuid: CELL0_UUID },
      status: 'ERROR',
      flavor: t.nova.facts.buried.flavor,
    });
    for (const uuid of t.nova.facts.byPurpose.live) {
      const l = await t.caller.instances.lookup({ uuid });
      expect(l.kind).toBe('in_cell');
    }
    expect(names(t.nova.facts.byPurpose.unmapped).length).toBe(2);
    for (const uuid of t.nova.facts.byPurpose.unmapped) expect((await t.caller.instances.lookup({ uuid })).kind).not.toBe('in_cell');
  });

  it("runs the checks as this deployment's nova would: Cells v2 a success, no schema finding, Zed's computes supported", async () => {
    const r = await t.caller.checks.run();
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by.cells_v2).toMatchObject({ result: 'success' });
    expect(by.cell_schemas).toMatchObject({ result: 'success' });
    // nova 26's own nova-status: OLDEST_SUPPORTED_SERVICE_VERSION = 'Yoga' (61); its computes report 64.
    expect(by.old_computes).toMatchObject({ result: 'success' });
    expect(r.oldComputes).toMatchObject({ minimumVersion: 64, oldestSupported: { release: 'Yoga', version: 61 } });
    expect((await t.nova.novaStatusCellsV2()).result).toBe('Success');
  });

  it('answers the read verbs of the CLI as nova-manage would, and cellar status does not call the schema uninitialised', async () => {
    const env = { apiUrl: t.nova.api.url };
    const cells = await runCli(['list_cells'], env);
    expect(cells.code).toBe(0);
    expect(cells.stdout).toContain(`postgresql+psycopg2://`);
    expect(cells.stdout).toContain(new URL(t.nova.cell1.novaUrl).pathname);
    const hosts = await runCli(['list_hosts'], env);
    expect(hosts.code).toBe(0);
    for (const h of t.nova.facts.hosts.mapped) expect(hosts.stdout).toContain(h);
    const verify = await runCli(['verify_instance', '--uuid', t.nova.facts.buried.uuid], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`is in cell: cell0 (${CELL0_UUID})`);
    const nova = await t.nova.novaManage(['cell_v2', 'verify_instance', '--uuid', t.nova.facts.buried.uuid]);
    expect(nova.code).toBe(0);
    const status = await runCli(['status'], env);
    expect(status.stdout).not.toContain('uninitialised');
    expect(status.code).toBe(0);
    const dry = await runCli(['discover_hosts', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(t.nova.facts.hosts.unmapped[0]);
  });
});
