/**
 * Each repair on real PostgreSQL: the dry run lists exactly the rows the run then changes,
 * the limit refuses (and changes nothing), a second run changes nothing, one audit row per
 * changed row, a row that stops qualifying between the dry run and the run is left alone,
 * and a cell that does not answer is reported.
 */
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { addCompute, mapHost } from '../checks/testing';
import { runCli } from '../cli/testing';
import type { Deps } from '../deps';
import { type JobRunner, startJobRunner } from '../jobs/job-runner';
import { getJob } from '../jobs/list-jobs';
import { jobsTestDeps, waitFor } from '../jobs/testing';
import { INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { refusal } from '../testing';
import { applyRepair } from './apply-repair';
import type { RepairActor } from './audit-repair';
import { planRepair } from './plan-repair';
import { REPAIR_JOB, repairJob } from './repair-job';
import type { RepairKind } from './repair-kinds';
import { startRepair } from './start-repair';

let dep: TestDeployment;
let deps: Deps;
let cell1: TestCell;
const runners: JobRunner[] = [];
const actor: RepairActor = { source: 'console', principal: { kind: 'user', name: 'repair-tester', role: 'operator' } };
const HOUR_AGO = () => new Date(Date.now() - 3_600_000).toISOString();
const MINUTE_AGO = () => new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  deps = jobsTestDeps(dep, 3000);
  cell1 = dep.cells[0]!;
});
afterAll(() => dep?.close());
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

async function audited(kind: RepairKind) {
  return dep.api.sql<{ target: string; actor: string; source: string; outcome: string; input: Record<string, unknown> }[]>`
    select target, actor, source, outcome, input from cellar.audit_log where action = ${`repair ${kind}`} order by id`;
}

/** Run a repair as the console does: dry run, confirm its rows, the job runs them. */
async function runAsJob(kind: RepairKind, keys: string[], limit?: number) {
  const r = startJobRunner(deps, { pollMs: 20, bodies: { [REPAIR_JOB]: repairJob({ batch: 2 }) } });
  runners.push(r);
  const started = await startRepair(deps, { kind, keys, limit }, actor);
  expect(started.job).not.toBeNull();
  return waitFor('the repair job to end', async () => {
    const j = await getJob(deps, started.job!.id);
    return j.state === 'done' || j.state === 'failed' ? j : undefined;
  });
}

const orphan = async (createdAt: string, opts: { qfd?: boolean } = {}) => {
  const uuid = crypto.randomUUID();
  await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
    values (${uuid}, null, 'p-repair', 'u-repair', ${opts.qfd ?? true}, ${createdAt}::timestamptz at time zone 'utc')`;
  return uuid;
};

describe('orphan_instance_mappings', () => {
  it('lists the old orphans only, refuses over the limit, deletes exactly the listed rows with one audit row each, and a second run is a no-op', async () => {
    const old = [await orphan(HOUR_AGO()), await orphan(HOUR_AGO(), { qfd: false }), await orphan(HOUR_AGO())];
    const fresh = await orphan(MINUTE_AGO());
    // Not orphans: a pending boot, one placed in cell1, map_instances' marker.
    const pending = crypto.randomUUID();
    await dep.api
      .sql`insert into instance_mappings (instance_uuid, cell_id, project_id, created_at) values (${pending}, null, 'p', ${HOUR_AGO()}::timestamptz at time zone 'utc')`;
    await dep.api
      .sql`insert into build_requests (instance_uuid, project_id, instance, created_at) values (${pending}, 'p', null, ${HOUR_AGO()}::timestamptz at time zone 'utc')`;
    await dep.api
      .sql`insert into instance_mappings (instance_uuid, cell_id, project_id, created_at) values (${crypto.randomUUID()}, ${cell1.id}, 'p', ${HOUR_AGO()}::timestamptz at time zone 'utc')`;
    await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, created_at)
      values ('aaaaaaaa bbbb cccc dddd eeeeeeeeeeee', null, ${INSTANCE_MIGRATION_MARKER}, ${INSTANCE_MIGRATION_MARKER}, ${HOUR_AGO()}::timestamptz at time zone 'utc')`;

    const plan = await planRepair(deps, { kind: 'orphan_instance_mappings', limit: 2 });
    expect(plan.rows.map((r) => r.instanceUuid).sort()).toEqual([...old].sort());
    expect(plan.rows.map((r) => r.instanceUuid)).not.toContain(fresh);
    expect(plan).toMatchObject({ fixes: true, overLimit: true, olderThanMinutes: 10 });

    const keys = plan.rows.map((r) => r.key);
    const refused = await refusal(startRepair(deps, { kind: 'orphan_instance_mappings', keys, limit: 2 }, actor));
    expect(refused.kind).toBe('precondition');
    expect(refused.message).toContain('3 orphaned instance mappings would change, more than the limit of 2; nothing was changed');
    expect(refused.message).toContain('--limit 3');
    expect((await planRepair(deps, { kind: 'orphan_instance_mappings' })).rows).toHaveLength(3);
    expect(await audited('orphan_instance_mappings')).toEqual([]);

    const job = await runAsJob('orphan_instance_mappings', keys, 3);
    expect(job).toMatchObject({ state: 'done', result: { changed: 3, skipped: 0, notReached: 0 } });
    expect(job.progress).toMatchObject({ total: 3, position: 3, changed: 3, batches: 2 });
    const left = await dep.api.sql<
      { instance_uuid: string }[]
    >`select instance_uuid from instance_mappings where instance_uuid = any(${[...old, fresh, pending]})`;
    expect(left.map((r) => r.instance_uuid).sort()).toEqual([fresh, pending].sort());
    const rows = await audited('orphan_instance_mappings');
    expect(rows.map((r) => r.target).sort()).toEqual(old.map((u) => `instance ${u}`).sort());
    expect(rows.every((r) => r.actor === 'repair-tester' && r.source === 'console' && r.outcome === 'done' && r.input.jobId === job.id)).toBe(true);

    // A second run finds nothing, and the same keys again change nothing and audit nothing.
    expect((await planRepair(deps, { kind: 'orphan_instance_mappings' })).rows).toEqual([]);
    const again = await applyRepair(deps, 'orphan_instance_mappings', keys, actor);
    expect(again).toMatchObject({ changed: 0, skipped: 3 });
    expect(await audited('orphan_instance_mappings')).toHaveLength(3);
  });

  it('leaves alone a row that stopped qualifying between the dry run and the run (its boot came back), and does not audit it', async () => {
    const [a, b] = [await orphan(HOUR_AGO()), await orphan(HOUR_AGO())];
    const plan = await planRepair(deps, { kind: 'orphan_instance_mappings' });
    expect(plan.rows.map((r) => r.instanceUuid).sort()).toEqual([a, b].sort());
    await dep.api.sql`insert into build_requests (instance_uuid, project_id, instance, created_at) values (${b}, 'p', null, now())`;
    const before = (await audited('orphan_instance_mappings')).length;
    const done = await applyRepair(
      deps,
      'orphan_instance_mappings',
      plan.rows.map((r) => r.key),
      actor,
    );
    expect(done).toMatchObject({ changed: 1, skipped: 1 });
    const rows = await audited('orphan_instance_mappings');
    expect(rows.slice(before).map((r) => r.target)).toEqual([`instance ${a}`]);
    expect((await dep.api.sql`select 1 from instance_mappings where instance_uuid = ${b}`).length).toBe(1);
    await dep.api.sql`delete from build_requests where instance_uuid = ${b}`;
    await dep.api.sql`delete from instance_mappings where instance_uuid = ${b}`;
  });

  it('refuses --cell_uuid: an orphan has no cell', async () => {
    const r = await refusal(planRepair(deps, { kind: 'orphan_instance_mappings', cellUuid: cell1.uuid }));
    expect(r.kind).toBe('invalid');
  });
});

describe('placed_build_requests', () => {
  it('deletes old build requests whose mapping has a cell, keeps their request specs, and leaves pending and fresh ones', async () => {
    const placed = crypto.randomUUID();
    const fresh = crypto.randomUUID();
    const pending = crypto.randomUUID();
    for (const [u, cell, at] of [
      [placed, cell1.id, HOUR_AGO()],
      [fresh, cell1.id, MINUTE_AGO()],
      [pending, null, HOUR_AGO()],
    ] as const) {
      await dep.api
        .sql`insert into instance_mappings (instance_uuid, cell_id, project_id, created_at) values (${u}, ${cell}, 'p', ${at}::timestamptz at time zone 'utc')`;
      await dep.api
        .sql`insert into build_requests (instance_uuid, project_id, instance, created_at) values (${u}, 'p', null, ${at}::timestamptz at time zone 'utc')`;
      await dep.api.sql`insert into request_specs (instance_uuid, spec) values (${u}, '{}')`;
    }
    const plan = await planRepair(deps, { kind: 'placed_build_requests' });
    expect(plan.rows.map((r) => [r.instanceUuid, r.cell?.uuid])).toEqual([[placed, cell1.uuid]]);
    expect((await planRepair(deps, { kind: 'placed_build_requests', cellUuid: cell1.uuid })).rows.map((r) => r.key)).toEqual(plan.rows.map((r) => r.key));

    const job = await runAsJob(
      'placed_build_requests',
      plan.rows.map((r) => r.key),
    );
    expect(job).toMatchObject({ state: 'done', result: { changed: 1, skipped: 0 } });
    const br = await dep.api.sql<{ instance_uuid: string }[]>`select instance_uuid from build_requests where instance_uuid = any(${[placed, fresh, pending]})`;
    expect(br.map((r) => r.instance_uuid).sort()).toEqual([fresh, pending].sort());
    const specs = await dep.api.sql`select 1 from request_specs where instance_uuid = ${placed}`;
    expect(specs.length).toBe(1);
    expect((await audited('placed_build_requests')).map((r) => r.target)).toEqual([
      `instance ${placed}; build request ${plan.rows[0]!.id}; cell ${cell1.uuid}`,
    ]);
    expect((await planRepair(deps, { kind: 'placed_build_requests' })).rows).toEqual([]);
  });
});

describe('mapped_compute_nodes', () => {
  it('resets mapped on live nodes marked mapped whose host has no mapping, only those, and reports a cell that does not answer', async () => {
    const c = (await dep.addCell({ name: 'repair-nodes' })) as TestCell;
    const down = await dep.addCell({ name: 'repair-down', url: 'postgresql://nova:pw@127.0.0.1:1/nova_cell9' });
    for (const h of ['lost-1', 'lost-2', 'kept', 'never', 'gone']) await addCompute(c.handle, h);
    await c.handle.sql`update compute_nodes set mapped = 1 where host in ('lost-1', 'lost-2', 'kept', 'gone')`;
    await c.handle.sql`update compute_nodes set deleted = id where host = 'gone'`;
    await mapHost(dep.api, c.id, 'kept');

    const plan = await planRepair(deps, { kind: 'mapped_compute_nodes' });
    expect(plan.rows.map((r) => [r.cell?.name, r.host, r.note])).toEqual([
      ['repair-nodes', 'lost-1', 'mapped = 1'],
      ['repair-nodes', 'lost-2', 'mapped = 1'],
    ]);
    expect(plan.down.map((d) => [d.name, d.reason])).toEqual([['repair-down', 'refused']]);
    const narrowed = await planRepair(deps, { kind: 'mapped_compute_nodes', cellUuid: c.uuid });
    expect(narrowed.rows.map((r) => r.key)).toEqual(plan.rows.map((r) => r.key));
    expect(narrowed.down).toEqual([]);
    expect((await refusal(planRepair(deps, { kind: 'mapped_compute_nodes', cellUuid: '9d0c0b7e-0000-4000-8000-00000000dead' }))).exitCode).toBe(1);

    // lost-2 gets its mapping back before the run: Run checks the rows again and queues only lost-1.
    await mapHost(dep.api, c.id, 'lost-2');
    const job = await runAsJob(
      'mapped_compute_nodes',
      plan.rows.map((r) => r.key),
    );
    expect(job).toMatchObject({ state: 'done', params: { keys: [plan.rows[0]!.key] }, result: { changed: 1, skipped: 0, notReached: 0 } });
    const nodes = await c.handle.sql<{ host: string; mapped: number }[]>`select host, mapped from compute_nodes order by host`;
    expect(nodes).toEqual([
      { host: 'gone', mapped: 1 },
      { host: 'kept', mapped: 1 },
      { host: 'lost-1', mapped: 0 },
      { host: 'lost-2', mapped: 1 },
      { host: 'never', mapped: 0 },
    ]);
    const rows = await audited('mapped_compute_nodes');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.target).toMatch(new RegExp(`^cell ${c.uuid}; host lost-1; compute node \\d+ \\(lost-1\\)$`));
    expect((await planRepair(deps, { kind: 'mapped_compute_nodes', cellUuid: c.uuid })).rows).toEqual([]);
    await dep.api.sql`delete from cell_mappings where uuid = ${down.uuid}`;
  });

  it('a cell that stops answering between the dry run and the run: its rows are not reached, the job still ends', async () => {
    const c = (await dep.addCell({ name: 'repair-vanishing' })) as TestCell;
    await addCompute(c.handle, 'lonely');
    await c.handle.sql`update compute_nodes set mapped = 1`;
    const plan = await planRepair(deps, { kind: 'mapped_compute_nodes', cellUuid: c.uuid });
    expect(plan.rows).toHaveLength(1);
    await dep.api.sql`update cell_mappings set database_connection = 'postgresql://nova:pw@127.0.0.1:1/gone' where id = ${c.id}`;
    await dep.registry.forget(c.uuid);
    const done = await applyRepair(
      deps,
      'mapped_compute_nodes',
      plan.rows.map((r) => r.key),
      actor,
    );
    expect(done).toMatchObject({ changed: 0, notReached: 1, skipped: 0 });
    expect(done.down.map((d) => d.name)).toEqual(['repair-vanishing']);
    await dep.api.sql`delete from cell_mappings where id = ${c.id}`;
  });
});

describe('the reported kinds', () => {
  it('stale_host_mappings: a mapping whose cell has neither a live node nor a nova-compute service, with the delete_host to run', async () => {
    const c = (await dep.addCell({ name: 'repair-stale' })) as TestCell;
    await addCompute(c.handle, 'alive');
    await addCompute(c.handle, 'service-only', { serviceOnly: true });
    await addCompute(c.handle, 'deleted', { deleted: true });
    for (const h of ['alive', 'service-only', 'deleted', 'nowhere']) await mapHost(dep.api, c.id, h);
    const plan = await planRepair(deps, { kind: 'stale_host_mappings', cellUuid: c.uuid });
    expect(plan.fixes).toBe(false);
    expect(plan.overLimit).toBe(false);
    expect(plan.rows.map((r) => [r.host, r.advice])).toEqual([
      ['deleted', `cellar delete_host --cell_uuid ${c.uuid} --host deleted`],
      ['nowhere', `cellar delete_host --cell_uuid ${c.uuid} --host nowhere`],
    ]);
    expect((await refusal(startRepair(deps, { kind: 'stale_host_mappings', keys: plan.rows.map((r) => r.key) }, actor))).kind).toBe('invalid');
  });

  it("archived_instance_mappings: a mapping whose instance row is gone from its cell (not a soft-deleted one), with nova's words", async () => {
    const c = (await dep.addCell({ name: 'repair-archived' })) as TestCell;
    const [live, deleted, archived] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await c.handle.sql`insert into instances (uuid, project_id, vm_state, deleted) values (${live}, 'p', 'active', 0), (${deleted}, 'p', 'deleted', 0)`;
    await c.handle.sql`update instances set deleted = id where uuid = ${deleted}`;
    for (const u of [live, deleted, archived])
      await dep.api.sql`insert into instance_mappings (instance_uuid, cell_id, project_id) values (${u}, ${c.id}, 'p')`;
    const plan = await planRepair(deps, { kind: 'archived_instance_mappings', cellUuid: c.uuid });
    expect(plan.rows.map((r) => r.instanceUuid)).toEqual([archived]);
    expect(plan.rows[0]!.note).toBe(`The instance with uuid ${archived} has been archived.`);
    expect(plan.rows[0]!.advice).toMatch(/^However its instance_mapping remains\./);
  });
});

describe('cellar repair', () => {
  const cli = (...args: string[]) => runCli(['repair', ...args], { apiUrl: dep.apiUrl });

  it('dry run lists, the limit refuses with exit 1, the run changes and audits the rows (source cli), a second run finds nothing', async () => {
    const uuids = [await orphan(HOUR_AGO()), await orphan(HOUR_AGO())];
    const dry = await cli('orphan_instance_mappings', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as { rows: { instanceUuid: string }[] };
    expect(plan.rows.map((r) => r.instanceUuid).sort()).toEqual([...uuids].sort());

    const refused = await cli('orphan_instance_mappings', '--limit', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('2 orphaned instance mappings would change, more than the limit of 1; nothing was changed. Run it with --limit 2');
    expect((await dep.api.sql`select 1 from instance_mappings where instance_uuid = any(${uuids})`).length).toBe(2);

    const before = (await audited('orphan_instance_mappings')).length;
    const ran = await cli('orphan_instance_mappings');
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('2 changed');
    const rows = (await audited('orphan_instance_mappings')).slice(before);
    expect(rows.map((r) => [r.source, r.target]).sort()).toEqual(uuids.map((u) => ['cli', `instance ${u}`]).sort());

    const again = await cli('orphan_instance_mappings');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 found');
  });

  it('exit 1 for an unknown kind or a bad --limit; exit 2 when a cell does not answer', async () => {
    expect((await cli('everything')).code).toBe(1);
    expect((await cli('mapped_compute_nodes', '--limit', 'lots')).code).toBe(1);
    const down = await dep.addCell({ name: 'repair-cli-down', url: 'postgresql://nova:pw@127.0.0.1:1/nova_cell9' });
    const r = await cli('mapped_compute_nodes', '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Cell repair-cli-down did not answer');
    await dep.api.sql`delete from cell_mappings where uuid = ${down.uuid}`;
  });

  it('--help names the kinds and the exit codes', async () => {
    const r = await cli('--help');
    expect(r.stdout).toContain('Exit codes: 0 done');
    expect(r.stdout).toContain('archived_instance_mappings');
  });
});
