import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVA_TEST_TIMEOUT_MS } from '@/db/testing/nova/nova-deployment';
import { closedPort } from '@/db/testing/network';
import { runCli } from '../cli/testing';
import { cellarOnNova, type CellarOnNova } from '../on-nova/testing';
import { seedDeletedInstances, taggedCounts } from './testing';

let t: CellarOnNova;
let cell1: postgres.Sql;
const cli = (...args: string[]) => runCli(['db', ...args], { apiUrl: t.nova.api.url });
beforeAll(async () => {
  t = await cellarOnNova();
  cell1 = postgres(t.nova.cell1.url, { max: 2, onnotice: () => {} });
  const [c] = await t.deps.api.sql<{ id: number }[]>`select id from cell_mappings where uuid = ${t.nova.cell1.uuid}`;
  await seedDeletedInstances(cell1, t.deps.api.sql, { tag: 'cli-a', count: 3, deletedAt: '2001-01-01 00:00:00', cellId: c!.id });
}, NOVA_TEST_TIMEOUT_MS);
afterAll(async () => {
  await cell1?.end({ timeout: 2 });
  await t?.close();
});

describe('cellar db archive_deleted_rows and purge', { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it("refuses bad options with nova's exit codes", async () => {
    expect((await cli('archive_deleted_rows', '--all-cells', '--max_rows', '-1')).code).toBe(2);
    expect((await cli('archive_deleted_rows', '--all-cells', '--max_rows', 'x')).code).toBe(2);
    expect((await cli('archive_deleted_rows', '--max_rows', '5')).code).toBe(2);
    const bad = await cli('archive_deleted_rows', '--all-cells', '--before', 'not a date');
    expect([bad.code, bad.stderr]).toEqual([4, 'Invalid value for --before: String does not contain a date: not a date']);
    const purge = await cli('purge', '--all-cells');
    expect([purge.code, purge.stderr]).toEqual([1, 'Either --before or --all is required']);
    expect((await cli('purge', '--all-cells', '--before', '2001-02-30')).code).toBe(2);
  });

  it('dry run, then the run (exit 1, nova’s table), then nothing (exit 0); purge 0 then 3', async () => {
    const dry = await cli('archive_deleted_rows', '--all-cells', '--before', '2001-06-01', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/\| cell1 +\| instances +\| 3 +\|/);
    expect(dry.stdout).toMatch(/\| API_DB +\| instance_mappings +\| 3 +\|/);
    expect((await taggedCounts(cell1, 'cli-a')).instances).toBe(3);

    const run = await cli('archive_deleted_rows', '--all-cells', '--before', '2001-06-01', '--until-complete', '--verbose');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Archiving\.\.[\s.]*complete/);
    expect(run.stdout).toMatch(/\| cell1\.instances +\| 3 +\|/);
    expect(run.stdout).toMatch(/\| API_DB\.request_specs +\| 3 +\|/);
    expect((await taggedCounts(cell1, 'cli-a')).shadow_instances).toBe(3);

    const again = await cli('archive_deleted_rows', '--cell_uuid', t.nova.cell1.uuid, '--before', '2001-06-01', '--verbose');
    expect([again.code, again.stdout.trim()]).toEqual([0, 'Nothing was archived.']);

    const p = await cli('purge', '--all-cells', '--before', 'Mon Jan  1 00:00:00 UTC 2001');
    expect(p.code).toBe(3);
    const p2 = await cli('purge', '--cell_uuid', t.nova.cell1.uuid, '--before', '2001-06-01', '--verbose');
    expect(p2.code).toBe(0);
    expect(p2.stdout).toContain(`Cell ${t.nova.cell1.uuid}(cell1): Deleted 3 rows from shadow_instances based on timestamp column deleted_at`);
    const audit = await t.deps.api.sql<{ action: string; exit_code: number; outcome: string }[]>`
      select action, exit_code, outcome from cellar.audit_log where action like 'db %' order by id`;
    expect(audit.map((a) => a.action)).toContain('db archive_deleted_rows');
    expect(audit.map((a) => a.action)).toContain('db purge');
    // Exit 1 is nova's "archived something": done, not refused.
    expect(audit.find((a) => a.action === 'db archive_deleted_rows' && a.exit_code === 1)?.outcome).toBe('done');
  });

  it("exits with nova's api-down codes when the api database does not answer before the run: archive 3, purge 4", async () => {
    const port = await closedPort();
    const down = `postgresql://nova:pw@127.0.0.1:${port}/nova_api`;
    const archive = await runCli(['db', 'archive_deleted_rows', '--all-cells'], { apiUrl: down });
    expect(archive.code).toBe(3);
    const purge = await runCli(['db', 'purge', '--all-cells', '--all'], { apiUrl: down });
    expect(purge.code).toBe(4);
    // Any other verb keeps the CLI's 1.
    expect((await runCli(['discover_hosts'], { apiUrl: down })).code).toBe(1);
  });

  it('--help names the exit codes', async () => {
    const h = await runCli(['db', 'archive_deleted_rows', '--help'], { apiUrl: t.nova.api.url });
    expect(h.stdout).toContain('3 the api database does not answer');
    const p = await runCli(['db', 'purge', '--help'], { apiUrl: t.nova.api.url });
    expect(p.stdout).toContain('3 nothing was purged');
  });
});
