/**
 * `npm run bench -- repair`: issue 13's repair benchmark. 100,000 orphaned instance
 * mappings (no cell, no build request, an hour old) in an api database, removed by
 * Cellar's repair code, each with its audit row, against a per-row baseline measured in
 * the same run on its own copy of the same rows.
 *
 *  - Cellar: applyRepair, the code behind `cellar repair orphan_instance_mappings` and the
 *    console's repair job, in its batches (REPAIR_BATCH): per batch one
 *    `DELETE … WHERE id = any(…) AND <still an orphan> RETURNING …` and one INSERT of the
 *    batch's audit rows, in one transaction.
 *  - Per-row baseline: what a cron nanny does row by row: for each row its own transaction
 *    with one DELETE (the same condition) and one audit INSERT.
 *  - This server's ceiling: the same rows deleted in one statement with no condition and no
 *    audit (no client round trips), to say how far from the server's own speed Cellar is.
 *
 * Target: Cellar ≥ 10× the per-row baseline (a set-based change on this 2-core machine).
 */
import crypto from 'node:crypto';
import postgres from 'postgres';
import { type ApiHandle, openApiDatabase } from '@/db/connect';
import { CellRegistry } from '@/db/registry';
import { ensureTemplates, withDatabase } from '@/db/testing/templates';
import type { Deps } from '@/server/deps';
import { applyRepair, REPAIR_BATCH } from '@/server/repairs/apply-repair';
import type { RepairActor } from '@/server/repairs/audit-repair';
import { benchServer } from './server';

const ROWS = 100_000;
const BASELINE_ROWS = 10_000;
const TARGET_RATIO = 10;

const ACTOR: RepairActor = { source: 'cli', principal: { kind: 'cli', name: 'bench', role: 'operator' } };

/** `count` orphaned mappings (cell_id NULL, no build request), an hour old, in one statement. */
async function fillOrphans(api: ApiHandle, count: number, salt: string): Promise<number[]> {
  await api.sql`
    insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
    select md5(${salt} || ':' || i)::uuid::text, null, 'project-' || (i % 40), 'user-' || (i % 200), false,
           (now() at time zone 'utc') - interval '1 hour' - i * interval '1 millisecond'
    from generate_series(1, ${count}::int) as i`;
  await api.sql`vacuum analyze instance_mappings`;
  return (await api.sql<{ id: number }[]>`select id from instance_mappings where cell_id is null order by id`).map((r) => r.id);
}

/** The per-row way: one transaction per row, its DELETE and its audit INSERT. */
async function perRow(api: ApiHandle, ids: number[]): Promise<{ deleted: number; ms: number }> {
  let deleted = 0;
  const t0 = performance.now();
  for (const id of ids) {
    await api.sql.begin(async (tx) => {
      const gone = await tx`
        delete from instance_mappings m
        where m.id = ${id} and m.cell_id is null
          and not exists (select 1 from build_requests b where b.instance_uuid = m.instance_uuid)
          and m.created_at < (now() at time zone 'utc') - interval '10 minutes'
        returning m.id, m.instance_uuid`;
      if (gone.length === 0) return;
      await tx`
        insert into cellar.audit_log (source, actor_kind, actor, role, action, target, input, outcome)
        values ('cli', 'cli', 'bench', 'operator', 'repair orphan_instance_mappings', ${`instance ${gone[0]!.instance_uuid}`},
                ${JSON.stringify({ table: 'instance_mappings', id })}::jsonb, 'done')`;
      deleted++;
    });
  }
  return { deleted, ms: performance.now() - t0 };
}

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const fmt = (n: number) => n.toLocaleString('en');

export async function run(): Promise<boolean> {
  const server = await benchServer();
  const admin = postgres(withDatabase(server.url, 'postgres'), { max: 1, onnotice: () => {} });
  const tag = `bench_repair_${crypto.randomBytes(4).toString('hex')}`;
  const created: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    const [{ version }] = (await admin`select current_setting('server_version') as version`) as unknown as [{ version: string }];
    console.log(`repair benchmark: ${fmt(ROWS)} orphaned instance mappings removed with an audit row each; the per-row way on ${fmt(BASELINE_ROWS)}`);
    console.log(`  PostgreSQL ${version} on ${server.where}`);
    const tpl = await ensureTemplates(server.url);
    const clone = async (suffix: string) => {
      const name = `${tag}_${suffix}`;
      await admin.unsafe(`create database "${name}" template "${tpl.api}"`);
      created.push(name);
      return withDatabase(server.url, name);
    };
    const [cellarUrl, baselineUrl, ceilingUrl] = await Promise.all([clone('cellar'), clone('baseline'), clone('ceiling')]);
    const open = (url: string) => {
      const api = openApiDatabase(url, { max: 2, applicationName: 'cellar:bench' });
      closers.push(() => api.close());
      return api;
    };
    const [api, baselineApi, ceilingApi] = [open(cellarUrl), open(baselineUrl), open(ceilingUrl)];
    const [ids, baselineIds] = await Promise.all([
      fillOrphans(api, ROWS, `${tag}:c`),
      fillOrphans(baselineApi, BASELINE_ROWS, `${tag}:b`),
      fillOrphans(ceilingApi, ROWS, `${tag}:x`),
    ]);
    const registry = new CellRegistry({});
    closers.push(() => registry.closeAll());
    const deps: Deps = { api, registry, deadlineMs: 60_000, serviceDownTimeS: 60, now: () => new Date() };

    const base = await perRow(baselineApi, baselineIds);
    if (base.deleted !== BASELINE_ROWS) throw new Error(`the per-row way removed ${base.deleted} of ${BASELINE_ROWS}: the figures mean nothing`);
    const baseRate = rate(base.deleted, base.ms);

    const t0 = performance.now();
    const p = await applyRepair(
      deps,
      'orphan_instance_mappings',
      ids.map((id) => `instance_mappings:${id}`),
      ACTOR,
    );
    const cellarMs = performance.now() - t0;
    const [left] = await api.sql<{ n: number }[]>`select count(*)::int as n from instance_mappings where cell_id is null`;
    const [audited] = await api.sql<{ n: number }[]>`select count(*)::int as n from cellar.audit_log where action = 'repair orphan_instance_mappings'`;
    if (p.changed !== ROWS || left!.n !== 0 || audited!.n !== ROWS) {
      throw new Error(`the repair changed ${p.changed}, left ${left!.n}, audited ${audited!.n} of ${fmt(ROWS)}: the figures mean nothing`);
    }
    const cellarRate = rate(ROWS, cellarMs);

    const t1 = performance.now();
    const again = await applyRepair(
      deps,
      'orphan_instance_mappings',
      ids.map((id) => `instance_mappings:${id}`),
      ACTOR,
    );
    const againMs = performance.now() - t1;

    const t2 = performance.now();
    await ceilingApi.sql`delete from instance_mappings where cell_id is null`;
    const ceilingRate = rate(ROWS, performance.now() - t2);

    const ratio = cellarRate / baseRate;
    const pass = ratio >= TARGET_RATIO;
    console.log(
      `  Cellar:        ${fmt(ROWS)} removed and audited in ${(cellarMs / 1000).toFixed(2)} s = ${fmt(cellarRate)} rows/s (batches of ${REPAIR_BATCH})`,
    );
    console.log(`  run again:     ${fmt(again.changed)} changed (a no-op) in ${(againMs / 1000).toFixed(2)} s`);
    console.log(
      `  per row:       ${fmt(base.deleted)} removed and audited in ${(base.ms / 1000).toFixed(2)} s = ${fmt(baseRate)} rows/s (one transaction per row)`,
    );
    console.log(
      `  this server:   ${fmt(ceilingRate)} rows/s for one DELETE of the same ${fmt(ROWS)} rows (no condition, no audit, no client); Cellar is at ${Math.round((cellarRate / ceilingRate) * 100)}% of it`,
    );
    console.log(`  ratio ${ratio.toFixed(1)}× vs target ≥ ${TARGET_RATIO}× the per-row way: ${pass ? 'PASS' : 'MISS'}`);
    return pass && again.changed === 0;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end({ timeout: 2 });
    await server.stop();
  }
}
