/**
 * `cellar map_instances` through a small program of its own (commander + the register
 * function + the CLI's database session), so it does not depend on how main.ts is wired.
 */
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '@/db/config';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { cellWithInstances, mappingState } from '../jobs/testing';
import { INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { ExitCode } from './exit';
import { registerMapInstancesCommands } from './map-instances';

let dep: TestDeployment;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
});
afterAll(() => dep?.close());

const UNKNOWN = '9d0c0b7e-0000-4000-8000-000000000000';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { api: process.env.CELLAR_API_DATABASE_URL, base: process.env.CELLAR_DATABASE_URL };
  process.env.CELLAR_API_DATABASE_URL = dep.apiUrl;
  process.env.CELLAR_DATABASE_URL = dep.apiUrl;
  resetConfig();
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(a.map(String).join(' '));
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(' '));
  const program = new Command('cellar').exitOverride().configureOutput({ writeOut: (s) => out.push(s.trimEnd()), writeErr: (s) => err.push(s.trimEnd()) });
  registerMapInstancesCommands(program);
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof ExitCode) code = e.code;
    else if (e instanceof CommanderError) code = e.exitCode;
    else throw e;
  } finally {
    console.log = log;
    console.error = error;
    process.env.CELLAR_API_DATABASE_URL = saved.api;
    process.env.CELLAR_DATABASE_URL = saved.base;
    resetConfig();
  }
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const markers = () => dep.api.sql<{ instance_uuid: string }[]>`select instance_uuid from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER}`;
const byAge = async (cell: TestCell) =>
  (await cell.handle.sql<{ uuid: string }[]>`select uuid from instances order by created_at asc nulls first, uuid desc`).map((r) => r.uuid);

describe('cellar map_instances', () => {
  it("exits 127 with nova's message for a --max-count that is not a positive number, and maps nothing", async () => {
    const cell = await cellWithInstances(dep, 3);
    for (const bad of ['0', '-3', 'many', '1.5', '']) {
      const r = await cli(['map_instances', '--cell_uuid', cell.uuid, '--max-count', bad]);
      expect({ bad, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        bad,
        code: 127,
        stderr: 'Must supply a positive value for max-count',
        stdout: '',
      });
    }
    expect((await mappingState(dep, cell)).mappingRows).toBe(0);
  });

  it('exits 255 for a cell that is not there (never 1, which tells a script to run again)', async () => {
    const r = await cli(['map_instances', '--cell_uuid', UNKNOWN]);
    expect([r.code, r.stderr]).toEqual([255, `Cell with uuid ${UNKNOWN} was not found.`]);
    const empty = await cli(['map_instances', '--cell_uuid', '  ']);
    expect([empty.code, empty.stderr]).toEqual([255, 'Must supply a cell uuid with --cell_uuid']);
    const junk = await cli(['map_instances', '--cell_uuid', 'nope']);
    expect([junk.code, junk.stderr]).toEqual([255, 'a cell uuid looks like 8-4-4-4-12 hexadecimal digits']);
  });

  it('without --max-count maps every instance (deleted ones too, never the fake one) and exits 0; again, maps nothing twice', async () => {
    const cell = await cellWithInstances(dep, 25, { fake: true });
    const r = await cli(['map_instances', '--cell_uuid', cell.uuid]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "Scanned 26 instances: 25 newly mapped, 0 already mapped, 1 skipped (the VIF migration's fake instance, or no project).\nAll instances are mapped.",
    );
    expect(await mappingState(dep, cell)).toEqual({
      instances: 25,
      mappingRows: 25,
      distinctMappings: 25,
      markers: 0,
      unmappedInstances: 0,
      fakeMapped: false,
    });
    const again = await cli(['map_instances', '--cell_uuid', cell.uuid, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ cellUuid: cell.uuid, exitCode: 0, scanned: 26, mapped: 0, alreadyMapped: 25, skipped: 1, marker: null });
    expect((await mappingState(dep, cell)).mappingRows).toBe(25);
  });

  it("with --max-count exits 1 while more remain, saving nova's marker, until a run exits 0 with everything mapped", async () => {
    const cell = await cellWithInstances(dep, 7);
    const order = await byAge(cell);
    const runs: { code: number; mapped: number; marker: string | null }[] = [];
    for (let i = 0; i < 5 && runs.at(-1)?.code !== 0; i++) {
      const r = await cli(['map_instances', '--cell_uuid', cell.uuid, '--max-count', '3', '--json']);
      const j = JSON.parse(r.stdout) as { mapped: number; marker: string | null };
      runs.push({ code: r.code, mapped: j.mapped, marker: j.marker });
      if (r.code === 1) expect((await markers()).map((m) => m.instance_uuid)).toEqual([j.marker!.replace(/-/g, ' ')]);
    }
    expect(runs).toEqual([
      { code: 1, mapped: 3, marker: order[2] },
      { code: 1, mapped: 3, marker: order[5] },
      { code: 0, mapped: 1, marker: null },
    ]);
    expect(await mappingState(dep, cell)).toMatchObject({ mappingRows: 7, unmappedInstances: 0, markers: 0 });
  });

  it('says in words when more remain', async () => {
    const cell = await cellWithInstances(dep, 4);
    const r = await cli(['map_instances', '--cell_uuid', cell.uuid, '--max-count', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `Scanned 2 instances: 2 newly mapped, 0 already mapped.\nMore instances remain after ${(await byAge(cell))[1]}: run map_instances again to go on from there.`,
    );
    await cli(['map_instances', '--cell_uuid', cell.uuid, '--reset']);
  });

  it('--reset ignores the marker and starts again from the oldest instance', async () => {
    const cell = await cellWithInstances(dep, 6);
    expect((await cli(['map_instances', '--cell_uuid', cell.uuid, '--max-count', '4'])).code).toBe(1);
    const reset = await cli(['map_instances', '--cell_uuid', cell.uuid, '--max-count', '4', '--reset', '--json']);
    expect(reset.code).toBe(1);
    expect(JSON.parse(reset.stdout)).toMatchObject({ scanned: 4, mapped: 0, alreadyMapped: 4, marker: (await byAge(cell))[3] });
    const rest = await cli(['map_instances', '--cell_uuid', cell.uuid, '--json']);
    expect([rest.code, JSON.parse(rest.stdout).mapped]).toEqual([0, 2]);
    expect(await markers()).toEqual([]);
  });

  it('a marker left by a run on another cell is refused with 255 and a hint, and kept', async () => {
    const a = await cellWithInstances(dep, 3);
    const b = await cellWithInstances(dep, 3);
    expect((await cli(['map_instances', '--cell_uuid', a.uuid, '--max-count', '1'])).code).toBe(1);
    const r = await cli(['map_instances', '--cell_uuid', b.uuid]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^The map_instances marker \(instance [0-9a-f-]{36}\) is not in cell jobs-\d+; run again with --reset to start over\.$/);
    expect(await markers()).toHaveLength(1);
    const fixed = await cli(['map_instances', '--cell_uuid', b.uuid, '--reset']);
    expect(fixed.code).toBe(0);
    expect(await markers()).toEqual([]);
  });

  it('a cell that does not answer exits 255, not 1, and keeps the marker', async () => {
    const cell = await cellWithInstances(dep, 3);
    expect((await cli(['map_instances', '--cell_uuid', cell.uuid, '--max-count', '1'])).code).toBe(1);
    await dep.api.sql`update cell_mappings set database_connection = 'postgresql://nova:sekrit@127.0.0.1:1/nova' where id = ${cell.id}`;
    const r = await cli(['map_instances', '--cell_uuid', cell.uuid, '--max-count', '1']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^Cell jobs-\d+ does not answer \(refused: .*\); no instances were mapped from it in this batch\.$/);
    expect(r.stderr).not.toContain('sekrit');
    expect(await markers()).toHaveLength(1);
    await dep.api.sql`update cell_mappings set database_connection = ${cell.url} where id = ${cell.id}`;
    expect((await cli(['map_instances', '--cell_uuid', cell.uuid])).code).toBe(0);
  });
});
