import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { CELL0_UUID } from '../nova/constants';
import { addCompute, mapHost } from '../checks/testing';
import { upgradeCheckTable, wrap } from './checks';
import { runCli, spawnCli } from './testing';

/** The Details text of one check in the table, its wrapped lines joined again. */
function detailsOf(stdout: string, check: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.replace(/ +\|$/, '') === `| Check: ${check}`);
  if (start < 0) throw new Error(`no check ${check} in the table`);
  const out: string[] = [];
  for (const l of lines.slice(start + 2)) {
    if (l.startsWith('+')) break;
    out.push(
      l
        .slice(2, -2)
        .trim()
        .replace(/^Details: /, ''),
    );
  }
  return out.join(' ');
}

describe('cellar status: the table and its wrapping', () => {
  it("prints oslo.upgradecheck's table: one left-aligned column, a rule between checks, details wrapped at 60", () => {
    const t = upgradeCheckTable([
      { id: 'cells_v2', name: 'Cells v2', result: 'success', details: null },
      {
        id: 'cells_v2',
        name: 'Cells v2',
        result: 'failure',
        details: "No cell0 mapping found. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
      },
    ]);
    const rule = `+${'-'.repeat(67)}+`;
    const row = (l: string) => `| ${l.padEnd(65)} |`;
    expect(t).toBe(
      [
        rule,
        row('Upgrade Check Results'),
        rule,
        row('Check: Cells v2'),
        row('Result: Success'),
        row('Details: None'),
        rule,
        row('Check: Cells v2'),
        row('Result: Failure'),
        // textwrap.wrap(details, 60, subsequent_indent='  '): the first line holds 56 characters here.
        row("Details: No cell0 mapping found. Run command 'nova-manage cell_v2"),
        row("  simple_cell_setup' and then retry."),
        rule,
      ].join('\n'),
    );
  });

  it('wraps like textwrap: words kept whole, a word longer than the width broken', () => {
    expect(wrap('aaa bbb ccc', 7, '  ')).toEqual(['aaa bbb', '  ccc']);
    expect(wrap('x'.repeat(12), 5, '')).toEqual(['xxxxx', 'xxxxx', 'xx']);
    expect(wrap('', 60, '  ')).toEqual([]);
  });
});

describe('cellar status on real databases', () => {
  let dep: TestDeployment;
  beforeAll(async () => {
    dep = await createTestDeployment({ cells: ['cell1'] });
    await addCompute(dep.cells[0]!.handle, 'cmp-1.example.net');
    await mapHost(dep.api, dep.cells[0]!.id, 'cmp-1.example.net');
  });
  afterAll(() => dep?.close());

  it('exits 0 when every check succeeds, with the nova-status table', async () => {
    const r = await runCli(['status'], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| Upgrade Check Results');
    expect(r.stdout).toMatch(/\| Check: Cells v2 +\|\n\| Result: Success +\|\n\| Details: None +\|/);
    expect(r.stdout).toMatch(/\| Check: Older than N-1 computes +\|\n\| Result: Success +\|/);
    expect(r.stdout).not.toContain('Warning');
    expect(r.stdout).toContain('2 of 2 cells answered');
  });

  it('exits 1 on drift, printing the finding as a warning table; --json gives the findings to scripts', async () => {
    await mapHost(dep.api, dep.cells[0]!.id, 'ghost.example.net');
    try {
      const r = await runCli(['status'], { apiUrl: dep.apiUrl });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/\| Check: Stale host mappings +\|\n\| Result: Warning +\|/);
      expect(detailsOf(r.stdout, 'Stale host mappings')).toContain('ghost.example.net (cell1)');
      expect(r.stdout).toContain('Warning: Stale host mappings (1)');
      expect(r.stdout).toMatch(/\| cell1 +\| [0-9a-f-]{36} \| ghost\.example\.net \|/);

      const j = await runCli(['status', '--json'], { apiUrl: dep.apiUrl });
      expect(j.code).toBe(1);
      const body = JSON.parse(j.stdout);
      expect(body.name).toBe('Upgrade Check Results');
      expect(body.result).toBe(1);
      expect(body.status).toBe('warning');
      expect(body.checks[0]).toEqual({ check: 'Cells v2', result: 0, details: null, id: 'cells_v2', status: 'success' });
      expect(body.checks.map((c: { check: string }) => c.check)).toEqual([
        'Cells v2',
        'Older than N-1 computes',
        'Cells answering',
        'Cell schemas',
        'Stale host mappings',
        'Host mappings to the wrong cell',
        'Hosts in more than one cell',
        'Compute services in cell0',
      ]);
      expect(body.checks.find((c: { id: string }) => c.id === 'stale_host_mappings')).toMatchObject({ result: 1, status: 'warning' });
      expect(body.drift.staleHostMappings).toEqual([
        { cell: { uuid: dep.cells[0]!.uuid, name: 'cell1' }, host: 'ghost.example.net', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      ]);
      expect(body.oldComputes).toMatchObject({ minimumVersion: 73, oldestSupported: { release: 'Gazpacho', version: 72 }, tooOld: [] });
      expect(body.cells).toEqual({ answered: 2, total: 2 });
      expect(new Date(body.asOf).getTime()).not.toBeNaN();
    } finally {
      await dep.api.sql`delete from host_mappings where host = 'ghost.example.net'`;
    }
  });

  it('exits 2 on a nova failure (no cell0 mapping), as a real process too', async () => {
    const other = await createTestDeployment({ cells: ['cell1', 'cell2'] });
    try {
      await other.api.sql`delete from cell_mappings where uuid = ${CELL0_UUID}`;
      const r = await spawnCli(['status', '--json'], { apiUrl: other.apiUrl });
      expect(r.code).toBe(2);
      const body = JSON.parse(r.stdout);
      expect(body.checks[0]).toMatchObject({
        check: 'Cells v2',
        result: 2,
        details: "No cell0 mapping found. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
      });
      const t = await runCli(['status'], { apiUrl: other.apiUrl });
      expect(t.code).toBe(2);
      expect(t.stdout).toMatch(/\| Check: Cells v2 +\|\n\| Result: Failure +\|/);
      expect(detailsOf(t.stdout, 'Cells v2')).toBe("No cell0 mapping found. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.");
    } finally {
      await other.close();
    }
  });

  it('exits 2 with the too-old computes listed under the failure', async () => {
    await addCompute(dep.cells[0]!.handle, 'old.example.net', { version: 70 });
    await mapHost(dep.api, dep.cells[0]!.id, 'old.example.net');
    try {
      const r = await runCli(['status'], { apiUrl: dep.apiUrl });
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/\| Check: Older than N-1 computes +\|\n\| Result: Failure +\|/);
      expect(detailsOf(r.stdout, 'Older than N-1 computes')).toBe(
        'Current Nova version does not support computes older than Gazpacho but the minimum compute service level in your system is 70 and the oldest supported service level is 72.',
      );
      expect(r.stdout).toContain('Failure: Older than N-1 computes (1 below Gazpacho, 72)');
      expect(r.stdout).toMatch(/\| cell1 +\| [0-9a-f-]{36} \| old\.example\.net \| 70 +\|/);
    } finally {
      await dep.cells[0]!.handle.sql`update services set deleted = id where host = 'old.example.net'`;
      await dep.cells[0]!.handle.sql`update compute_nodes set deleted = id where host = 'old.example.net'`;
      await dep.api.sql`delete from host_mappings where host = 'old.example.net'`;
    }
  });

  it('exits 255 with one plain line when the api database cannot be reached (nova-status: unexpected error)', async () => {
    const r = await runCli(['status'], { apiUrl: 'postgresql://nova:s3cret-api@127.0.0.1:1/nova_api' });
    expect(r.code).toBe(255);
    expect(r.stderr).toBe('Error: connection refused');
    expect(r.stdout).toBe('');
  });

  it('exits 255 on a usage error, so a typo is never read as a warning', async () => {
    // commander writes its own "unknown option" line to stderr; the exit status is what scripts read.
    const r = await runCli(['status', '--jsn'], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('');
  });

  it('documents the exit codes in its help', async () => {
    const r = await runCli(['status', '--help'], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 +every check succeeded/);
    expect(r.stdout).toMatch(/1 +at least one warning/);
    expect(r.stdout).toMatch(/2 +at least one failure/);
    expect(r.stdout).toMatch(/255 +an unexpected error/);
  });
});
