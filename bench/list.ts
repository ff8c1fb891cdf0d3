/**
 * `npm run bench -- list`: issue 4 acceptance (a), the workload of nova bug 1787977:
 * 10 cells × 10,000 instances, one page of 1,000 sorted by created_at. Measures the
 * cross-cell list (listInstances, the console's own code) against the same page read
 * by the same code from ONE database holding all 100,000 rows, in the same run.
 *
 * Databases come from the migrated templates on CELLAR_BENCH_DATABASE_URL, else
 * CELLAR_TEST_DATABASE_URL, else an embedded cluster in .test-data/bench; rows are
 * written with generate_series (one statement per table per database); everything is
 * dropped at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { openApiDatabase, type ApiHandle } from '../db/connect';
import { startEmbedded, type EmbeddedCluster } from '../db/embedded';
import { CellRegistry } from '../db/registry';
import { ensureTemplates, withDatabase } from '../db/testing/templates';
import { maskUrl } from '../db/url';
import type { Deps } from '../server/deps';
import { listInstances } from '../server/instances/list-instances';
import { flavorJson } from '../server/instances/testing';
import { percentile } from './stats';

const CELLS = 10;
const PER_CELL = 10_000;
const LIMIT = 1000;
const RUNS = 20;
const WARMUP = 3;
const TARGET_P50_MS = 150;
const TARGET_RATIO = 1.5;

const ms = (x: number) => `${x.toFixed(1)} ms`;

/**
 * The instances of cell `c` (0-based) in the 10-cell layout, as a SELECT over
 * generate_series. Values derive from md5(c, i) only, so the one-database copy holds
 * exactly the same rows and the page to read is the same page.
 */
function instancesSelect(cellExpr: string, seriesSql: string): string {
  const h = (salt: string) => `abs(('x' || substr(md5('${salt}:' || ${cellExpr} || ':' || i), 1, 8))::bit(32)::int)`;
  return `
    select md5('bench:' || ${cellExpr} || ':' || i)::uuid::text as uuid,
      'project-' || (${h('p')} % 40) as project_id,
      'user-' || (${h('u')} % 200) as user_id,
      'vm-' || ${cellExpr} || '-' || i as display_name,
      case when ${h('s')} % 10 = 0 then 'stopped' else 'active' end as vm_state,
      case when ${h('s')} % 10 = 0 then 4 else 1 end as power_state,
      'cell' || ${cellExpr} || '-cmp-' || lpad((${h('h')} % 50)::text, 3, '0') as host,
      timestamp '2026-01-01' - make_interval(secs => (${h('t')} % 31536000) + (${h('f')} % 1000000) / 1e6) as created_at
    ${seriesSql}`;
}

async function fillCell(server: string, database: string, select: string, flavor: string) {
  const sql = postgres(withDatabase(server, database), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`insert into instances (uuid, project_id, user_id, display_name, hostname, vm_state, power_state, host, node,
        launched_at, availability_zone, memory_mb, vcpus, root_gb, created_at, updated_at)
      select uuid, project_id, user_id, display_name, display_name, vm_state, power_state, host, host,
        created_at + interval '40 seconds', 'nova', 2048, 1, 20, created_at, created_at + interval '40 seconds'
      from (${select}) g`);
    await sql`insert into instance_extra (instance_uuid, flavor, pci_requests, created_at)
      select uuid, ${flavor}, '[]', created_at from instances`;
    await sql`vacuum analyze instances`;
    await sql`vacuum analyze instance_extra`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function mapCells(api: ApiHandle, cells: { uuid: string; name: string; url: string }[]) {
  await api.sql`insert into cell_mappings ${api.sql(
    cells.map((c) => ({ uuid: c.uuid, name: c.name, database_connection: c.url, transport_url: 'rabbit://bench:bench@127.0.0.1:5672/' })),
  )}`;
}

async function time(deps: Deps): Promise<{ ms: number; uuids: string[]; batchSize: number; rounds: number }> {
  const t0 = performance.now();
  const page = await listInstances(deps, { limit: LIMIT, sort: 'created_at', dir: 'desc' });
  const took = performance.now() - t0;
  if (page.down.length) throw new Error(`a bench cell did not answer: ${page.down.map((d) => `${d.name}: ${d.message}`).join('; ')}`);
  return { ms: took, uuids: page.rows.map((r) => r.uuid), batchSize: page.batchSize, rounds: page.rounds };
}

export async function runListBench(): Promise<void> {
  let cluster: EmbeddedCluster | undefined;
  let server = process.env.CELLAR_BENCH_DATABASE_URL || process.env.CELLAR_TEST_DATABASE_URL;
  if (!server) {
    const dataDir = path.resolve('.test-data', 'bench');
    fs.mkdirSync(dataDir, { recursive: true });
    cluster = await startEmbedded({ dataDir, databases: [], log: (l) => console.log(`[bench-db] ${l}`) });
    server = cluster.url('postgres');
  }
  const admin = postgres(withDatabase(server, 'postgres'), { max: 1, onnotice: () => {} });
  const tag = `bench_list_${crypto.randomBytes(4).toString('hex')}`;
  const created: string[] = [];
  const handles: { close(): Promise<void> }[] = [];
  try {
    const [{ version }] = (await admin`select current_setting('server_version') as version`) as unknown as [{ version: string }];
    console.log(`list benchmark: ${CELLS} cells × ${PER_CELL.toLocaleString('en')} instances, one page of ${LIMIT.toLocaleString('en')} by created_at desc`);
    console.log(`  PostgreSQL ${version} at ${maskUrl(server)}`);
    const tpl = await ensureTemplates(server);
    const clone = async (name: string, template: string) => {
      await admin.unsafe(`create database "${name}" template "${template}"`);
      created.push(name);
      return withDatabase(server!, name);
    };

    const started = performance.now();
    const apiMany = await clone(`${tag}_api`, tpl.api);
    const apiOne = await clone(`${tag}_api1`, tpl.api);
    const cells: { uuid: string; name: string; url: string; db: string }[] = [];
    for (let c = 0; c < CELLS; c++) {
      const db = `${tag}_cell${c}`;
      cells.push({ uuid: crypto.randomUUID(), name: `cell${c + 1}`, url: await clone(db, tpl.cell), db });
    }
    const singleDb = `${tag}_single`;
    const single = { uuid: crypto.randomUUID(), name: 'all-in-one', url: await clone(singleDb, tpl.cell), db: singleDb };

    const flavor = flavorJson('m1.small');
    const series = `from generate_series(1, ${PER_CELL}) as i`;
    // The cells fill at the same time, then the one database with all their rows.
    await Promise.all(cells.map((c, idx) => fillCell(server!, c.db, instancesSelect(String(idx), series), flavor)));
    await fillCell(server, single.db, instancesSelect('c', `from generate_series(0, ${CELLS - 1}) as c, generate_series(1, ${PER_CELL}) as i`), flavor);
    const api = openApiDatabase(apiMany, { max: 2 });
    const api1 = openApiDatabase(apiOne, { max: 2 });
    handles.push(api, api1);
    await mapCells(api, cells);
    await mapCells(api1, [single]);
    console.log(`  set up in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const registry = new CellRegistry({});
    handles.push({ close: () => registry.closeAll() });
    const base = { registry, deadlineMs: 30_000, serviceDownTimeS: 60, now: () => new Date() };
    const many: Deps = { ...base, api };
    const one: Deps = { ...base, api: api1 };

    for (let i = 0; i < WARMUP; i++) {
      await time(many);
      await time(one);
    }
    const manyMs: number[] = [];
    const oneMs: number[] = [];
    let last: Awaited<ReturnType<typeof time>> | undefined;
    let reference: string[] = [];
    // Interleaved, so both see the same machine (other jobs run on these two cores too).
    for (let i = 0; i < RUNS; i++) {
      last = await time(many);
      manyMs.push(last.ms);
      const r = await time(one);
      oneMs.push(r.ms);
      reference = r.uuids;
    }
    if (last!.uuids.length !== LIMIT || last!.uuids.join() !== reference.join()) {
      throw new Error('the 10-cell page and the one-database page differ: the merge is wrong, the figures mean nothing');
    }

    const p50 = percentile(manyMs, 50);
    const p95 = percentile(manyMs, 95);
    const oneP50 = percentile(oneMs, 50);
    const ratio = p50 / oneP50;
    const pass50 = p50 <= TARGET_P50_MS;
    const passRatio = ratio <= TARGET_RATIO;
    console.log(`  ${CELLS} cells:      p50 ${ms(p50)}  p95 ${ms(p95)}  (batch ${last!.batchSize} per cell, ${last!.rounds} rounds; ${RUNS} runs)`);
    console.log(`  one database:  p50 ${ms(oneP50)}  p95 ${ms(percentile(oneMs, 95))}  (same ${LIMIT} rows, same code)`);
    console.log(`  p50 ${ms(p50)} vs target ≤ ${TARGET_P50_MS} ms (nova took about 6 s for this workload): ${pass50 ? 'PASS' : 'MISS'}`);
    console.log(`  ratio ${ratio.toFixed(2)}× vs target ≤ ${TARGET_RATIO}× the one-database page: ${passRatio ? 'PASS' : 'MISS'}`);
    if (!pass50 || !passRatio) process.exitCode = 1;
  } finally {
    await Promise.all(handles.map((h) => h.close().catch(() => {})));
    for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end({ timeout: 2 });
    await cluster?.stop();
  }
}
