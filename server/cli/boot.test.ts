import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequests, hostMappings, instanceMappings } from '@/db/api/schema';
import { computeNodes } from '@/db/cell/schema';
import { CELL0_UUID } from '../nova/constants';
import { type BootTestDeployment, bootDeployment, liveInstances } from '../boot/testing';
import { runCli, spawnCli } from './testing';

let t: BootTestDeployment;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  t = await bootDeployment();
});
afterAll(async () => {
  await t?.close();
});

const cli = (args: string[]) => runCli(args, { apiUrl: t.dep.apiUrl });
/** The refusal a command printed: its first stderr line (other areas may add notes after it). */
const firstLine = (stderr: string) => stderr.split('\n')[0];
const countBuildRequests = async () => (await t.dep.api.sql<{ n: number }[]>`select count(*)::int as n from build_requests`)[0]!.n;

describe('cellar register_compute', () => {
  it('registers a compute (service up, node unmapped) and says the host still needs discover_hosts', async () => {
    const r = await cli(['register_compute', '--cell_uuid', t.cell1.uuid, '--host', 'cli-cmp-1', '--vcpus', '8', '--memory_mb', '16384', '--local_gb', '200']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Compute node cli-cmp-1 on host cli-cmp-1 registered in cell cell1. The host is not mapped yet: run discover_hosts to map it.');
    const [node] = await t.cell1.handle.db.select().from(computeNodes).where(eq(computeNodes.host, 'cli-cmp-1'));
    expect(node).toMatchObject({ vcpus: 8, memoryMb: 16384, localGb: 200, mapped: 0 });

    const again = await cli([
      'register_compute',
      '--cell_uuid',
      t.cell1.uuid,
      '--host',
      'cli-cmp-1',
      '--vcpus',
      '8',
      '--memory_mb',
      '16384',
      '--local_gb',
      '200',
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ computeNodeId: node!.id, computeNodeCreated: false, hostMapped: false });
  });

  it("refuses an unknown cell with nova's message and exit code 1, and a bad number", async () => {
    const missing = '9d0c0b7e-0000-4000-8000-000000000000';
    const r = await cli(['register_compute', '--cell_uuid', missing, '--host', 'h']);
    expect(r.code).toBe(1);
    expect(firstLine(r.stderr)).toBe(`Cell with uuid ${missing} was not found.`);
    const junk = await cli(['register_compute', '--cell_uuid', 'cell1', '--host', 'h']);
    expect([junk.code, firstLine(junk.stderr)]).toEqual([1, '--cell_uuid: a cell uuid looks like 8-4-4-4-12 hexadecimal digits, got "cell1".']);
    const bad = await cli(['register_compute', '--cell_uuid', t.cell1.uuid, '--host', 'h', '--vcpus', 'lots']);
    expect(bad.code).toBe(1);
    expect(firstLine(bad.stderr)).toBe('--vcpus must be a whole number, got "lots".');
    // commander's own refusal (written straight to the process's stderr).
    expect((await cli(['register_compute', '--cell_uuid', t.cell1.uuid])).code).toBe(1);
  });
});

describe('cellar boot', () => {
  it('prints the accepted uuids, one per line, and where each went on stderr', async () => {
    await t.dep.api.db.insert(hostMappings).values({ cellId: t.cell1.id, host: 'cli-cmp-1' });
    const r = await cli(['boot', '--flavor', 'm1.small', '--count', '2', '--project', 'proj-cli', '--user', 'user-cli']);
    expect(r.code).toBe(0);
    const uuids = r.stdout.split('\n');
    expect(uuids).toHaveLength(2);
    for (const u of uuids) expect(u).toMatch(UUID);
    for (const u of uuids) expect(r.stderr).toContain(`${u}: built: Built in cell cell1 on host cli-cmp-1 (node cli-cmp-1).`);
    expect(await liveInstances(t.cell1, uuids)).toHaveLength(2);
    const maps = await t.dep.api.db.select().from(instanceMappings).where(inArray(instanceMappings.instanceUuid, uuids));
    expect(maps.every((m) => m.cellId === t.cell1.id && m.projectId === 'proj-cli')).toBe(true);
  });

  it('with --json reports each uuid with its cell and host, or cell0 with the fault', async () => {
    const r = await cli(['boot', '--flavor', 'm1.huge', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const [uuid] = out.accepted.instanceUuids;
    expect(out.placements[uuid]).toMatchObject({
      result: 'buried',
      cell: { uuid: CELL0_UUID, name: 'cell0' },
      fault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' },
    });
    const ok = JSON.parse((await cli(['boot', '--flavor', 'm1.tiny', '--json'])).stdout);
    const [u2] = ok.accepted.instanceUuids;
    expect(ok.placements[u2]).toMatchObject({ result: 'built', cell: { uuid: t.cell1.uuid }, host: 'cli-cmp-1', node: 'cli-cmp-1' });
  });

  it('with --no-schedule only accepts: the build requests stay pending', async () => {
    const r = await cli(['boot', '--flavor', 'm1.small', '--count', '3', '--no-schedule']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/built|buried/);
    const uuids = r.stdout.split('\n');
    expect(uuids).toHaveLength(3);
    const brs = await t.dep.api.db.select().from(buildRequests).where(inArray(buildRequests.instanceUuid, uuids));
    expect(brs).toHaveLength(3);
    const maps = await t.dep.api.db.select().from(instanceMappings).where(inArray(instanceMappings.instanceUuid, uuids));
    expect(maps.every((m) => m.cellId === null)).toBe(true);
  });

  it('refuses an unknown flavor and a bad count with a plain message and exit code 1, accepting nothing', async () => {
    const before = await countBuildRequests();
    const unknown = await cli(['boot', '--flavor', 'm9.nope']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(firstLine(unknown.stderr)).toBe('Flavor with name m9.nope could not be found.');
    const zero = await cli(['boot', '--flavor', 'm1.small', '--count', '0']);
    expect(zero.code).toBe(1);
    expect(firstLine(zero.stderr)).toBe('The count must be at least 1');
    const words = await cli(['boot', '--flavor', 'm1.small', '--count', 'two']);
    expect(words.code).toBe(1);
    expect(firstLine(words.stderr)).toBe('--count must be a whole number, got "two".');
    expect(await countBuildRequests()).toBe(before);
  });

  it('works as a real process, as an operator runs it', async () => {
    const r = await spawnCli(['boot', '--flavor', 'm1.tiny', '--json'], { apiUrl: t.dep.apiUrl });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const [uuid] = out.accepted.instanceUuids;
    expect(out.placements[uuid].result).toBe('built');
  });
});

describe('on a deployment nova made', () => {
  /** nova's alembic_version table is what makes an api database nova's (db/schema-owner.ts). */
  async function asNovaMade<T>(fn: () => Promise<T>): Promise<T> {
    await t.dep.api.sql`create table public.alembic_version (version_num varchar(32) not null primary key)`;
    try {
      return await fn();
    } finally {
      await t.dep.api.sql`drop table public.alembic_version`;
    }
  }

  it('boot and register_compute are refused (exit 1) with the reason, and write nothing', async () => {
    await asNovaMade(async () => {
      const before = await countBuildRequests();
      const boot = await cli(['boot', '--flavor', 'm1.tiny']);
      expect(boot).toMatchObject({ code: 1, stdout: '' });
      expect(firstLine(boot.stderr)).toBe(
        "Booting servers is nova's job on a deployment nova made: Cellar does not stand in for nova-api/nova-conductor/nova-compute there. " +
          'Its boot is for the deployments Cellar makes (the demo, tests); --allow-on-nova does it anyway.',
      );
      expect(await countBuildRequests()).toBe(before);

      const reg = await cli(['register_compute', '--cell_uuid', t.cell1.uuid, '--host', 'nova-made-cmp']);
      expect(reg.code).toBe(1);
      expect(firstLine(reg.stderr)).toMatch(
        /^Registering a compute host is nova's job on a deployment nova made: Cellar does not stand in for nova-compute there\./,
      );
      expect(await t.cell1.handle.sql`select id from compute_nodes where host = 'nova-made-cmp'`).toEqual([]);
    });
  });

  it('--allow-on-nova does them anyway', async () => {
    await asNovaMade(async () => {
      const reg = await cli(['register_compute', '--cell_uuid', t.cell1.uuid, '--host', 'nova-made-cmp', '--allow-on-nova']);
      expect(reg.code).toBe(0);
      const boot = await cli(['boot', '--flavor', 'm1.tiny', '--no-schedule', '--allow-on-nova']);
      expect(boot.code).toBe(0);
      expect(boot.stdout).toMatch(UUID);
    });
  });
});
