/**
 * `npm run bench -- archive`: issue 13's archive acceptance — archive_deleted_rows over
 * 100,000 soft-deleted rows of a nova-made cell (12,500 instances deleted as nova leaves
 * them, each with its extra, info cache, two system metadata, a fault, an action and its
 * event: 8 rows), with their api rows (mappings, request specs).
 *
 *  - Cellar: archiveBatch, the code behind `cellar db archive_deleted_rows` and the
 *    console's job, in batches of --max_rows 1000 (nova's default) until nothing is left:
 *    per batch one transaction on the cell, one statement per table (DELETE … RETURNING
 *    into INSERT INTO shadow_…), then one api transaction deleting the instances' api rows.
 *  - The per-row baseline, measured in the same run on a sample cell of 20,000 rows (2,500
 *    instances): each row moved by its own INSERT INTO shadow_… SELECT … WHERE id = $1 and
 *    DELETE … WHERE id = $1 (autocommit, children before their instance), each instance's
 *    mapping and spec deleted one by one.
 *
 * Both cells are clones of the nova templates (db/testing/nova: nova-manage made them), so
 * the shadow tables, indexes and foreign keys are nova's. Target: Cellar ≥ 10× the baseline.
 */
import crypto from 'node:crypto';
import postgres from 'postgres';
import { openApiDatabase } from '@/db/connect';
import { ensureNovaTemplates } from '@/db/testing/nova/templates';
import { withDatabase } from '@/db/testing/templates';
import { deleteApiRows } from '@/server/archive/archive-api-rows';
import { archiveBatch, countArchivable } from '@/server/archive/archive-batch';
import { readArchivePlan } from '@/server/archive/archive-tables';
import { ROWS_PER_INSTANCE, seedDeletedInstances } from '@/server/archive/testing';
import { benchServer } from './server';

const INSTANCES = 12_500;
const SAMPLE_INSTANCES = 2_500;
const MAX_ROWS = 1000;
const TARGET_RATIO = 10;

const CHILD_TABLES = ['instance_extra', 'instance_info_caches', 'instance_system_metadata', 'instance_faults'] as const;

export async function run(): Promise<boolean> {
  const server = await benchServer();
  console.log(`server: ${server.where}`);
  const admin = postgres(withDatabase(server.url, 'postgres'), { max: 1, onnotice: () => {} });
  const tag = `bench_arc_${crypto.randomBytes(4).toString('hex')}`;
  const made: string[] = [];
  try {
    const tpl = await ensureNovaTemplates(server.url);
    const clone = async (role: 'api' | 'cell1', name: string) => {
      await admin.unsafe(`create database "${name}" template "${tpl.databases[role]}"`);
      made.push(name);
      return withDatabase(server.url, name);
    };
    const apiUrl = await clone('api', `${tag}_api`);
    const cellUrl = await clone('cell1', `${tag}_cell`);
    const sampleUrl = await clone('cell1', `${tag}_sample`);
    const api = openApiDatabase(apiUrl, { max: 2 });
    const cell = postgres(cellUrl, { max: 2, onnotice: () => {} });
    const sample = postgres(sampleUrl, { max: 2, onnotice: () => {} });
    try {
      const [c] = await api.sql<{ id: number }[]>`select id from cell_mappings where name = 'cell1'`;
      const t0 = performance.now();
      await seedDeletedInstances(cell, api.sql, { tag: 'big', count: INSTANCES, cellId: c!.id });
      await seedDeletedInstances(sample, api.sql, { tag: 'small', count: SAMPLE_INSTANCES, cellId: c!.id });
      await cell`analyze`;
      await sample`analyze`;
      console.log(
        `seeded ${(INSTANCES * ROWS_PER_INSTANCE).toLocaleString('en')} + ${(SAMPLE_INSTANCES * ROWS_PER_INSTANCE).toLocaleString('en')} soft-deleted rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );

      // Cellar, set-based.
      const plan = await readArchivePlan(cell);
      // nova's own facts hold a deleted instance or two: they are archived too, and counted.
      const expected = Object.values((await countArchivable(cell, plan, null)).tables).reduce((a, n) => a + n, 0);
      let moved = 0;
      let batches = 0;
      let apiRows = 0;
      const s0 = performance.now();
      for (;;) {
        const r = await archiveBatch(cell, plan, { maxRows: MAX_ROWS, before: null, statementTimeoutMs: 600_000 });
        if (r.total === 0) break;
        const gone = await deleteApiRows(api, r.instanceUuids);
        apiRows += gone.instance_mappings + gone.request_specs + gone.instance_group_member;
        moved += r.total;
        batches++;
      }
      const cellarS = (performance.now() - s0) / 1000;
      const [left] = await cell<{ n: number }[]>`select count(*)::int as n from instances where deleted <> 0`;
      const cellarRate = moved / cellarS;

      // The per-row baseline.
      const b0 = performance.now();
      let baseRows = 0;
      const instances = await sample<
        { id: number; uuid: string }[]
      >`select id, uuid from instances where deleted <> 0 and display_name like 'small-%' order by id`;
      const cols = async (t: string) =>
        (
          await sample<
            { c: string }[]
          >`select column_name as c from information_schema.columns where table_name = ${t} and table_schema = 'public' order by ordinal_position`
        ).map((r) => `"${r.c}"`);
      const colsOf: Record<string, string> = {};
      for (const t of [...CHILD_TABLES, 'instance_actions_events', 'instance_actions', 'instances']) colsOf[t] = (await cols(t)).join(', ');
      const casts = colsOf.instances!.replace('"locked_by"', '"locked_by"::text::shadow_instances0locked_by');
      const moveRow = async (t: string, id: number) => {
        await sample.unsafe(`insert into shadow_${t} (${colsOf[t]}) select ${t === 'instances' ? casts : colsOf[t]} from ${t} where id = $1`, [id]);
        await sample.unsafe(`delete from ${t} where id = $1`, [id]);
        baseRows++;
      };
      for (const inst of instances) {
        const actions = await sample<{ id: number }[]>`select id from instance_actions where instance_uuid = ${inst.uuid}`;
        for (const a of actions) {
          for (const e of await sample<{ id: number }[]>`select id from instance_actions_events where action_id = ${a.id}`)
            await moveRow('instance_actions_events', e.id);
          await moveRow('instance_actions', a.id);
        }
        for (const t of CHILD_TABLES) {
          for (const r of await sample.unsafe<{ id: number }[]>(`select id from ${t} where instance_uuid = $1`, [inst.uuid])) await moveRow(t, r.id);
        }
        await moveRow('instances', inst.id);
        await api.sql`delete from instance_mappings where instance_uuid = ${inst.uuid}`;
        await api.sql`delete from request_specs where instance_uuid = ${inst.uuid}`;
      }
      const baseS = (performance.now() - b0) / 1000;
      const baseRate = baseRows / baseS;
      const ratio = cellarRate / baseRate;

      const complete = moved === expected && moved >= INSTANCES * ROWS_PER_INSTANCE && left!.n === 0 && apiRows >= 2 * INSTANCES;
      console.log(
        `Cellar (set-based, batches of ${MAX_ROWS}): ${moved.toLocaleString('en')} rows in ${batches} batches, ${cellarS.toFixed(2)} s: ${Math.round(cellarRate).toLocaleString('en')} rows/s (+ ${apiRows.toLocaleString('en')} api rows)`,
      );
      console.log(
        `per-row baseline (INSERT + DELETE per row):  ${baseRows.toLocaleString('en')} rows, ${baseS.toFixed(2)} s: ${Math.round(baseRate).toLocaleString('en')} rows/s`,
      );
      console.log(`ratio: ${ratio.toFixed(1)}× (target ≥ ${TARGET_RATIO}×) ${ratio >= TARGET_RATIO ? 'PASS' : 'MISS'}`);
      console.log(`every row archived once, none left, api rows gone: ${complete ? 'PASS' : 'MISS'}`);
      return ratio >= TARGET_RATIO && complete;
    } finally {
      await cell.end({ timeout: 2 });
      await sample.end({ timeout: 2 });
      await api.close();
    }
  } finally {
    for (const d of made) await admin.unsafe(`drop database if exists "${d}" with (force)`);
    await admin.end({ timeout: 2 });
    await server.stop();
  }
}
