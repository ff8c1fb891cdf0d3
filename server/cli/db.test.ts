import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSchemaStatus } from '@/db/migrate';
import { openCellDatabase } from '@/db/connect';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { runCli, spawnCli } from './testing';

let dep: TestDeployment;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
});
afterAll(async () => {
  await dep?.close();
});

describe('cellar db sync', () => {
  it('migrates an empty cell database named by --cell_uuid, and reports it current the second time', async () => {
    const empty = await dep.createCellDatabase({ migrated: false });
    const cell = await dep.addCell({ name: 'fresh', url: empty.url });
    const first = await runCli(['db', 'sync', '--cell_uuid', cell.uuid], { apiUrl: dep.apiUrl });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`cell fresh (${cell.uuid}): empty, nova-compatible tables created (applied 1 migration)`);
    const handle = openCellDatabase(empty.url);
    try {
      expect((await readSchemaStatus(handle.sql, 'cell')).state).toBe('current');
    } finally {
      await handle.close();
    }
    const second = await runCli(['db', 'sync', '--cell_uuid', cell.uuid], { apiUrl: dep.apiUrl });
    expect(second.stdout).toContain(`cell fresh (${cell.uuid}): nova-compatible tables made by Cellar, schema is current (nothing to apply)`);
  });

  it("refuses an unknown cell with nova's message and exit code 1", async () => {
    const r = await runCli(['db', 'sync', '--cell_uuid', '9d0c0b7e-0000-4000-8000-000000000000'], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Cell with uuid 9d0c0b7e-0000-4000-8000-000000000000 was not found.');
    const junk = await runCli(['db', 'sync', '--cell_uuid', 'cell1'], { apiUrl: dep.apiUrl });
    expect([junk.code, junk.stderr]).toEqual([1, '--cell_uuid: a cell uuid looks like 8-4-4-4-12 hexadecimal digits']);
  });

  it('with --all-cells reports a cell it cannot reach and exits 1, after migrating the others', async () => {
    const dead = await dep.addCell({ name: 'dead', url: 'postgresql://nova:pw@127.0.0.1:1/nova_dead' });
    try {
      const r = await spawnCli(['db', 'sync', '--all-cells', '--json'], { apiUrl: dep.apiUrl });
      expect(r.code).toBe(1);
      const results = JSON.parse(r.stdout) as { target: string; ok: boolean; error: string | null }[];
      expect(results.find((x) => x.target === 'api database')?.ok).toBe(true);
      expect(results.find((x) => x.target.startsWith('cell cell1'))?.ok).toBe(true);
      const failed = results.find((x) => x.target.startsWith('cell dead'))!;
      expect(failed.ok).toBe(false);
      expect(failed.error).not.toContain('pw@');
    } finally {
      await dep.api.sql`delete from cell_mappings where uuid = ${dead.uuid}`;
    }
  });

  it('refuses --cell_uuid together with --all-cells', async () => {
    const r = await runCli(['db', 'sync', '--all-cells', '--cell_uuid', dep.cells[0]!.uuid], { apiUrl: dep.apiUrl });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('either --cell_uuid or --all-cells');
  });
});
