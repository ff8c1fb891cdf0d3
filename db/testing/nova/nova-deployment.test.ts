/**
 * The nova fixture itself, read back with nova's own tools: nova-manage (Debian's
 * python3-nova), nova-status's Cells v2 check and pg_dump.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNovaDeployment, type NovaDeployment } from './nova-deployment';

/** The data rows of a prettytable, as arrays of trimmed cells. */
function tableRows(out: string): string[][] {
  const lines = out.split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(1).map((l) =>
    l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

async function query<T extends object>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end({ timeout: 2 });
  }
}

describe('nova deployment fixture', () => {
  let a: NovaDeployment;
  let b: NovaDeployment;
  let freshDumps: [Record<string, string>, Record<string, string>];

  beforeAll(async () => {
    [a, b] = await Promise.all([createNovaDeployment(), createNovaDeployment()]);
    // Before any test writes: the schemas of two fresh clones.
    freshDumps = await Promise.all([a.dumpPublicSchemas(), b.dumpPublicSchemas()]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('nova-manage cell_v2 list_cells lists cell0, cell1 and cell2 at the clone’s databases', async () => {
    const r = await a.novaManage(['cell_v2', 'list_cells']);
    expect(r.code, r.stderr).toBe(0);
    const rows = tableRows(r.stdout);
    expect(rows.map((row) => row[0])).toEqual(['cell0', 'cell1', 'cell2']);
    for (const cell of [a.cell0, a.cell1, a.cell2]) {
      const row = rows.find((x) => x[0] === cell.name)!;
      expect(row[1]).toBe(cell.uuid);
      // Database Connection (passwords masked by nova): the clone's own database.
      expect(row[3]).toMatch(/^postgresql\+psycopg2:\/\//);
      expect(row[3]!.endsWith(`/${cell.database}`)).toBe(true);
      expect(row[4]).toBe('False');
    }
    expect(rows.find((x) => x[0] === 'cell0')![2]).toBe('none:/'); // nova masks none:/// so
    expect(r.stdout).not.toContain('cellar_nova_tpl_');
    expect(r.stdout).not.toContain(b.cell1.database);
  });

  it('nova-manage cell_v2 list_hosts shows the three mapped hosts and not the unmapped compute', async () => {
    const r = await a.novaManage(['cell_v2', 'list_hosts']);
    expect(r.code, r.stderr).toBe(0);
    expect(tableRows(r.stdout)).toEqual([
      ['cell1', a.cell1.uuid, 'cmp1-1'],
      ['cell1', a.cell1.uuid, 'cmp1-2'],
      ['cell2', a.cell2.uuid, 'cmp2-1'],
    ]);
    expect(r.stdout).not.toContain('cmp1-unmapped');
    expect(a.facts.hosts.unmapped).toEqual(['cmp1-unmapped']);
  });

  it('nova-manage cell_v2 verify_instance finds the buried boot in cell0', async () => {
    const uuid = a.facts.byPurpose.buried;
    const r = await a.novaManage(['cell_v2', 'verify_instance', '--uuid', uuid]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Instance ${uuid} is in cell: cell0 (${a.cell0.uuid})`);
    // What _bury_in_cell0 left in cell0, read back from the clone.
    const [inst] = await query<{ vm_state: string; task_state: string | null; host: string | null; node: string | null; flavor: string }>(
      a.cell0.url,
      `select i.vm_state, i.task_state, i.host, i.node, e.flavor from instances i join instance_extra e on e.instance_uuid = i.uuid where i.uuid = '${uuid}'`,
    );
    expect(inst).toMatchObject({ vm_state: 'error', task_state: null, host: null, node: null });
    expect(JSON.parse(inst!.flavor).cur['nova_object.data'].name).toBe(a.facts.buried.flavor);
    const faults = await query<{ code: number; message: string; details: string }>(
      a.cell0.url,
      `select code, message, details from instance_faults where instance_uuid = '${uuid}'`,
    );
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ code: 500, message: a.facts.buried.fault.message });
    expect(faults[0]!.details).toContain('NoValidHost');
    expect(a.facts.buried.fault.message).toBe('No valid host was found. There are not enough hosts available.');
    const br = await query(a.api.url, `select 1 from build_requests where instance_uuid = '${uuid}'`);
    expect(br).toHaveLength(0);
  });

  it('nova-manage cell_v2 verify_instance of the pending boot: not mapped to a cell (exit 2)', async () => {
    const uuid = a.facts.byPurpose.pending;
    const r = await a.novaManage(['cell_v2', 'verify_instance', '--uuid', uuid]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`Instance ${uuid} is not mapped to a cell`);
    const br = await query<{ project_id: string }>(a.api.url, `select project_id from build_requests where instance_uuid = '${uuid}'`);
    expect(br).toEqual([{ project_id: a.facts.pending.projectId }]);
  });

  it('nova-status: the Cells v2 check succeeds', async () => {
    expect(await a.novaStatusCellsV2()).toEqual({ result: 'Success', details: null });
  });

  it('the cell databases are at nova 26’s heads', async () => {
    const [api] = await query<{ version_num: string }>(a.api.url, 'select version_num from alembic_version');
    expect(api!.version_num).toBe('b30f573d3377');
    for (const cell of [a.cell0, a.cell1, a.cell2]) {
      const [v] = await query<{ version_num: string }>(cell.url, 'select version_num from alembic_version');
      expect(v!.version_num).toBe('ccb0fa1a2252');
    }
  });

  it('pg_dump of the public schemas of two fresh clones are identical', () => {
    const [da, db] = freshDumps;
    for (const role of ['api', 'cell0', 'cell1', 'cell2'] as const) {
      // pg_dump's text, or the catalog dump's for a server newer than the machine's pg_dump.
      expect(da[role]).toMatch(
        role === 'api' ? /CREATE TABLE public\.cell_mappings|column cell_mappings\.uuid / : /CREATE TABLE public\.instances|column instances\.uuid /,
      );
      expect(da[role]).not.toContain(a[role].database);
      expect(da[role] === db[role], `${role} dumps differ`).toBe(true);
    }
    expect(da.cell0).toBe(da.cell1);
  });

  it('two clones are independent: nova-manage discover_hosts in one is not seen in the other', async () => {
    const r = await a.novaManage(['cell_v2', 'discover_hosts', '--verbose']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Creating host mapping for compute host 'cmp1-unmapped'");

    const hostsA = tableRows((await a.novaManage(['cell_v2', 'list_hosts'])).stdout).map((row) => row[2]);
    const hostsB = tableRows((await b.novaManage(['cell_v2', 'list_hosts'])).stdout).map((row) => row[2]);
    expect(hostsA).toEqual(['cmp1-1', 'cmp1-2', 'cmp1-unmapped', 'cmp2-1']);
    expect(hostsB).toEqual(['cmp1-1', 'cmp1-2', 'cmp2-1']);

    const mapped = (url: string) => query<{ mapped: number }>(url, `select mapped from compute_nodes where host = 'cmp1-unmapped'`);
    expect(await mapped(a.cell1.url)).toEqual([{ mapped: 1 }]);
    expect(await mapped(b.cell1.url)).toEqual([{ mapped: 0 }]);
  });
});
