import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { seedInstances } from '../instances/testing';
import { runCli, spawnCli } from './testing';

let dep: TestDeployment;
let cell1: TestCell;
let unnamed: TestCell;

const LIVE = '1a000000-0000-4000-8000-0000000000a1';
const DELETED = '1a000000-0000-4000-8000-0000000000a2';
const ARCHIVED = '1a000000-0000-4000-8000-0000000000a3';
const PENDING = 'b0000000-0000-4000-8000-0000000000a1';
const NAMELESS = '3a000000-0000-4000-8000-0000000000a1';
const NOBODY = 'dead0000-0000-4000-8000-0000000000a1';

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  cell1 = dep.cells[0]!;
  // simple_cell_setup leaves its cell without a name; nova prints None for it.
  unnamed = (await dep.addCell({ name: null })) as TestCell;
  await seedInstances(dep.api, cell1, [
    { uuid: LIVE, createdAt: '2026-02-01 10:00:00' },
    { uuid: DELETED, createdAt: '2026-02-01 10:00:00', vmState: 'deleted', deleted: true },
  ]);
  await seedInstances(dep.api, unnamed, [{ uuid: NAMELESS, createdAt: '2026-02-01 10:00:00' }]);
  await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id) values
    (${ARCHIVED}, ${cell1.id}, 'p'), (${PENDING}, null, 'p')`;
  await dep.api.sql`insert into build_requests (instance_uuid, project_id, instance) values (${PENDING}, 'p', null)`;
});

afterAll(async () => {
  await dep?.close();
});

const verify = (uuid: string, ...more: string[]) => runCli(['verify_instance', '--uuid', uuid, ...more], { apiUrl: dep.apiUrl });

describe('cellar verify_instance', () => {
  it("prints nova's messages with nova's exit codes 0–4", async () => {
    expect(await verify(LIVE)).toEqual({ code: 0, stdout: `Instance ${LIVE} is in cell: cell1 (${cell1.uuid})`, stderr: '' });
    expect(await verify(NAMELESS)).toMatchObject({ code: 0, stdout: `Instance ${NAMELESS} is in cell: None (${unnamed.uuid})` });
    expect(await verify(NOBODY)).toMatchObject({
      code: 1,
      stdout: `Instance ${NOBODY} is not mapped to a cell (upgrade is incomplete) or instance does not exist`,
    });
    expect(await verify(PENDING)).toMatchObject({ code: 2, stdout: `Instance ${PENDING} is not mapped to a cell` });
    expect(await verify(DELETED)).toMatchObject({
      code: 3,
      stdout: `The instance with uuid ${DELETED} has been deleted.\nExecute \`nova-manage db archive_deleted_rows\` command to archive this deleted instance and remove its instance_mapping.`,
    });
    expect(await verify(ARCHIVED)).toMatchObject({
      code: 4,
      stdout: `The instance with uuid ${ARCHIVED} has been archived.\nHowever its instance_mapping remains.`,
    });
  });

  it('prints nothing with --quiet, and still exits with the outcome', async () => {
    expect(await verify(LIVE, '--quiet')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await verify(DELETED, '--quiet')).toEqual({ code: 3, stdout: '', stderr: '' });
    expect(await verify(ARCHIVED, '--quiet')).toEqual({ code: 4, stdout: '', stderr: '' });
  });

  it('refuses a value that is not a uuid plainly, with exit 1', async () => {
    const r = await verify('web-prod-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('"web-prod-1" must be an instance uuid (8-4-4-4-12 hexadecimal digits).');
    expect((await runCli(['verify_instance'], { apiUrl: dep.apiUrl })).code).toBe(1);
  });

  it('exits 255, as nova does, when the mapped cell does not answer; the password never shows', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await dep.api.sql`update cell_mappings set database_connection = ${`postgresql://nova:hunter2@127.0.0.1:${port}/nova`} where id = ${cell1.id}`;
    try {
      const r = await spawnCli(['verify_instance', '--uuid', LIVE], { apiUrl: dep.apiUrl });
      expect(r.code).toBe(255);
      expect(r.stderr).toContain(`instance ${LIVE} is mapped to cell cell1 (${cell1.uuid}), which did not answer (refused: connection refused)`);
      expect(r.stdout + r.stderr).not.toContain('hunter2');
    } finally {
      await dep.api.sql`update cell_mappings set database_connection = ${cell1.url} where id = ${cell1.id}`;
    }
  });
});
