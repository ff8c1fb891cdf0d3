/**
 * `npm run bench -- map`: issue 4 acceptance (b), map_instances over a cell of 1,000,000
 * instances (a quarter of them soft-deleted: nova maps those too).
 *
 *  - Cellar: mapInstances, the code behind `cellar map_instances` and the console's job
 *    (batches of 10,000: one read from the cell, one INSERT … SELECT FROM unnest … ON
 *    CONFLICT DO NOTHING into the api database). Target ≥ 50,000 mappings/s.
 *  - nova's way, measured in the same run on a sample cell of 5,000 instances: read 50
 *    instances by created_at from a marker, then one INSERT per instance, each its own
 *    transaction, a duplicate caught as a unique violation and skipped. Target: Cellar's
 *    rate ≥ 20× this one.
 *
 * The server: CELLAR_BENCH_DATABASE_URL, else CELLAR_TEST_DATABASE_URL, else an embedded
 * cluster in .test-data/bench. Databases are cloned from the migrated templates, filled
 * set-based with generate_series, and dropped at the end.
 */
import crypto from 'node:crypto';
import postgres from 'postgres';
import { type ApiHandle, openApiDatabase } from '@/db/connect';
import { CellRegistry } from '@/db/registry';
import { ensureTemplates, withDatabase } from '@/db/testing/templates';
import type { Deps } from '@/server/deps';
import { benchServer } from './server';
import { mapInstances } from '@/server/instances/map-instances';

const INSTANCES = 1_000_000;
const SAMPLE = 5_000;
/** nova's default batch when mapping everything. */
const NOVA_BATCH = 50;
const TARGET_RATE = 50_000;
const TARGET_RATIO = 20;

/**
 * `count` instances, one second apart, every fourth soft-deleted as nova leaves it
 * (deleted = id, so ids are given here), in one statement. The instances indexes are
 * dropped for the load and built again afterwards, a few at once: the same end state as
 * a cell that grew to this size, in a fraction of the time.
 */
async function fillCell(url: string, count: number, salt: string): Promise<void> {
  const sql = postgres(url, { max: 3, onnotice: () => {}, connection: { maintenance_work_mem: '256MB' } });
  try {
    const indexes = await sql<{ name: string; indexdef: string; constraintdef: string | null }[]>`
      select i.indexname as name, i.indexdef, pg_get_constraintdef(c.oid) as constraintdef
      from pg_indexes i left join pg_constraint c on c.conname = i.indexname and c.conrelid = 'instances'::regclass
      where i.schemaname = 'public' and i.tablename = 'instances' and i.indexname <> 'instances_pkey'`;
    for (const ix of indexes) {
      await sql.unsafe(ix.constraintdef ? `alter table instances drop constraint "${ix.name}"` : `drop index "${ix.name}"`);
    }
    await sql`
      insert into instances (id, uuid, project_id, user_id, display_name, vm_state, power_state, deleted, created_at, updated_at, deleted_at)
      select i, md5(${salt} || ':' || i)::uuid::text, 'project-' || (i % 40), 'user-' || (i % 200), 'vm-' || i,
             case when i % 4 = 0 then 'deleted' else 'active' end, case when i % 4 = 0 then 0 else 1 end,
             case when i % 4 = 0 then i else 0 end,
             timestamp '2025-01-01' + i * interval '1 second', timestamp '2025-01-01' + i * interval '1 second',
             case when i % 4 = 0 then timestamp '2025-01-01' + i * interval '1 second' end
      from generate_series(1, ${count}::int) as i`;
    await sql`select setval(pg_get_serial_sequence('instances', 'id'), ${count}::int)`;
    const queue = [...indexes];
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let ix = queue.shift(); ix; ix = queue.shift()) {
          await sql.unsafe(ix.constraintdef ? `alter table instances add constraint "${ix.name}" ${ix.constraintdef}` : ix.indexdef);
        }
      }),
    );
    await sql`vacuum analyze instances`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function mapCell(api: ApiHandle, name: string, url: string): Promise<{ id: number; uuid: string; name: string; url: string }> {
  const uuid = crypto.randomUUID();
  const [row] = await api.sql<{ id: number }[]>`
    insert into cell_mappings (uuid, name, transport_url, database_connection)
    values (${uuid}, ${name}, 'rabbit://bench:bench@127.0.0.1:5672/', ${url}) returning id`;
  return { id: row!.id, uuid, name, url };
}

/**
 * nova's map_instances loop (nova/cmd/manage.py _map_instances): a batch of 50 by
 * created_at after the marker, then for each instance InstanceMapping.create(), one
 * INSERT in its own transaction, DBDuplicateEntry caught and skipped.
 */
async function novaLoop(api: ApiHandle, cellUrl: string, cellId: number): Promise<{ mapped: number; duplicates: number; ms: number }> {
  const cell = postgres(cellUrl, { max: 1, onnotice: () => {} });
  let mapped = 0;
  let duplicates = 0;
  const t0 = performance.now();
  try {
    let marker: { created_at: string; uuid: string } | null = null;
    for (;;) {
      const rows: { uuid: string; project_id: string; user_id: string; created_at: string }[] = marker
        ? await cell`
            select uuid, project_id, user_id, created_at::text as created_at from instances
            where (created_at, uuid) > (${marker.created_at}::timestamp, ${marker.uuid})
            order by created_at, uuid limit ${NOVA_BATCH}`
        : await cell`
            select uuid, project_id, user_id, created_at::text as created_at from instances
            order by created_at, uuid limit ${NOVA_BATCH}`;
      for (const r of rows) {
        try {
          await api.sql`
            insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
            values (${r.uuid}, ${cellId}, ${r.project_id}, ${r.user_id}, false, (now() at time zone 'utc'))`;
          mapped++;
        } catch (e) {
          if ((e as { code?: string }).code !== '23505') throw e;
          duplicates++;
        }
      }
      if (rows.length < NOVA_BATCH) break;
      marker = rows[rows.length - 1]!;
    }
  } finally {
    await cell.end({ timeout: 2 });
  }
  return { mapped, duplicates, ms: performance.now() - t0 };
}

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const fmt = (n: number) => n.toLocaleString('en');

/** Runs the benchmark, prints figures, targets and PASS/MISS; sets a failing exit status on a MISS. */
export async function runMapBench(): Promise<void> {
  const server = await benchServer();
  const admin = postgres(withDatabase(server.url, 'postgres'), { max: 1, onnotice: () => {} });
  const tag = `bench_map_${crypto.randomBytes(4).toString('hex')}`;
  const created: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    const [{ version }] = (await admin`select current_setting('server_version') as version`) as unknown as [{ version: string }];
    console.log(`map_instances benchmark: one cell of ${fmt(INSTANCES)} instances; nova's per-instance loop on ${fmt(SAMPLE)}`);
    console.log(`  PostgreSQL ${version} on ${server.where}`);
    const tpl = await ensureTemplates(server.url);
    const clone = async (suffix: string, template: string) => {
      const name = `${tag}_${suffix}`;
      await admin.unsafe(`create database "${name}" template "${template}"`);
      created.push(name);
      return withDatabase(server.url, name);
    };

    const setupStarted = performance.now();
    const [apiUrl, novaApiUrl, bigUrl, sampleUrl] = await Promise.all([
      clone('api', tpl.api),
      clone('nova_api', tpl.api),
      clone('big', tpl.cell),
      clone('sample', tpl.cell),
    ]);
    await Promise.all([fillCell(bigUrl, INSTANCES, `${tag}:big`), fillCell(sampleUrl, SAMPLE, `${tag}:sample`)]);
    const api = openApiDatabase(apiUrl, { max: 3, applicationName: 'cellar:bench' });
    const novaApi = openApiDatabase(novaApiUrl, { max: 1, applicationName: 'cellar:bench-nova' });
    closers.push(
      () => api.close(),
      () => novaApi.close(),
    );
    const big = await mapCell(api, 'big', bigUrl);
    const sample = await mapCell(novaApi, 'sample', sampleUrl);
    const registry = new CellRegistry({});
    closers.push(() => registry.closeAll());
    const deps: Deps = { api, registry, deadlineMs: 60_000, serviceDownTimeS: 60, now: () => new Date() };
    console.log(`  set up in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    // nova's way first, on the sample, so both runs see a cold-ish api database of their own.
    const nova = await novaLoop(novaApi, sampleUrl, sample.id);
    if (nova.mapped !== SAMPLE) throw new Error(`nova's loop mapped ${nova.mapped} of ${SAMPLE}: the figures mean nothing`);
    const novaRate = rate(nova.mapped, nova.ms);

    const t0 = performance.now();
    const r = await mapInstances(deps, { cellUuid: big.uuid });
    const cellarMs = performance.now() - t0;
    const [{ n }] = (await api.sql`select count(*)::int as n from instance_mappings where cell_id = ${big.id}`) as unknown as [{ n: number }];
    if (r.exitCode !== 0 || r.mapped !== INSTANCES || n !== INSTANCES) {
      throw new Error(`map_instances mapped ${r.mapped} (exit ${r.exitCode}; ${n} rows) of ${INSTANCES}: the figures mean nothing`);
    }
    const cellarRate = rate(r.mapped, cellarMs);

    // Run again: nova's second run costs one failed INSERT per instance; here one statement per batch.
    const t1 = performance.now();
    const again = await mapInstances(deps, { cellUuid: big.uuid });
    const againMs = performance.now() - t1;
    if (again.mapped !== 0 || again.alreadyMapped !== INSTANCES) throw new Error('the second run mapped something twice');

    // What this server can insert at all: the same 1,000,000 mappings in ONE INSERT … SELECT
    // over generate_series into an empty instance_mappings, no client in the way. Printed so
    // the rate above can be read against the server it ran on.
    const floorApi = await clone('floor_api', tpl.api);
    const floor = postgres(floorApi, { max: 1, onnotice: () => {} });
    closers.push(() => floor.end({ timeout: 2 }));
    const [floorCell] = (await floor`
      insert into cell_mappings (uuid, name, transport_url, database_connection)
      values (${crypto.randomUUID()}, 'floor', 'rabbit://bench:bench@127.0.0.1:5672/', 'postgresql://unused/floor') returning id`) as unknown as [
      { id: number },
    ];
    const t2 = performance.now();
    await floor`
      insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
      select md5(${`${tag}:floor:`} || i)::uuid::text, ${floorCell.id}, 'project-' || (i % 40), 'user-' || (i % 200), false, (now() at time zone 'utc')
      from generate_series(1, ${INSTANCES}::int) as i order by 1`;
    const floorRate = rate(INSTANCES, performance.now() - t2);

    const ratio = cellarRate / novaRate;
    const passRate = cellarRate >= TARGET_RATE;
    const passRatio = ratio >= TARGET_RATIO;
    console.log(`  Cellar:        ${fmt(INSTANCES)} mapped in ${(cellarMs / 1000).toFixed(2)} s = ${fmt(cellarRate)} mappings/s (batches of 10,000)`);
    console.log(`  run again:     ${fmt(again.alreadyMapped)} already mapped, nothing twice, in ${(againMs / 1000).toFixed(2)} s`);
    console.log(
      `  nova's loop:   ${fmt(nova.mapped)} mapped in ${(nova.ms / 1000).toFixed(2)} s = ${fmt(novaRate)} mappings/s (one INSERT per instance, batches of ${NOVA_BATCH})`,
    );
    console.log(
      `  this server:   ${fmt(floorRate)} rows/s for the same 1,000,000 rows in one INSERT … SELECT generate_series (no client); Cellar is at ${Math.round((cellarRate / floorRate) * 100)}% of it`,
    );
    console.log(`  rate ${fmt(cellarRate)} mappings/s vs target ≥ ${fmt(TARGET_RATE)}/s: ${passRate ? 'PASS' : 'MISS'}`);
    console.log(`  ratio ${ratio.toFixed(1)}× vs target ≥ ${TARGET_RATIO}× nova's loop: ${passRatio ? 'PASS' : 'MISS'}`);
    if (!passRate || !passRatio) process.exitCode = 1;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end({ timeout: 2 });
    await server.stop();
  }
}

/** For bench/main.ts: true when every target is met. */
export async function run(): Promise<boolean> {
  await runMapBench();
  return process.exitCode !== 1;
}
