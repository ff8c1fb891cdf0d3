/**
 * discover_hosts at scale: 10 cells × 1,000 unmapped compute hosts on real PostgreSQL.
 *
 *  - Cellar's set-based discover over all cells (one query per cell, one bulk insert, one
 *    update per cell), timed as one call; target ≤ 1 s.
 *  - A per-host loop like nova's (for each unmapped node: SELECT its host mapping, INSERT
 *    one, UPDATE that node), timed in the same run on a sample of nodes and extrapolated
 *    per node to all 10,000; target: Cellar ≥ 10× faster.
 *
 * The server: CELLAR_BENCH_DATABASE_URL, else CELLAR_TEST_DATABASE_URL, else an embedded
 * cluster in .test-data/bench. Databases are cloned from the migrated templates and dropped
 * at the end.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import postgres from 'postgres';
import { cellMappings } from '@/db/api/schema';
import { type ApiHandle, type CellHandle, openApiDatabase } from '@/db/connect';
import { CellRegistry } from '@/db/registry';
import { ensureTemplates, withDatabase } from '@/db/testing/templates';
import { discoverHosts } from '@/server/hosts/discover-hosts';
import { benchServer } from './server';
import { CELL0_TRANSPORT_URL, CELL0_UUID } from '@/server/nova/constants';

const CELLS = 10;
const HOSTS_PER_CELL = 1_000;
const TOTAL = CELLS * HOSTS_PER_CELL;
const SAMPLE_PER_CELL = 50;
const RUNS = 3;
const TARGET_MS = 1_000;
const TARGET_RATIO = 10;

/** Cell i's compute hosts, written as nova writes them: one node and one nova-compute service per host. */
async function fillCell(url: string, i: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`
      insert into compute_nodes (uuid, host, hypervisor_hostname, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used,
        local_gb_used, hypervisor_type, hypervisor_version, cpu_info, mapped, created_at)
      select gen_random_uuid()::text, h, h, 64, 262144, 1800, 0, 512, 0, 'QEMU', 8002002, '{}', 0, now() at time zone 'utc'
      from (select format('cell%s-cmp-%s.bench.example.net', ${i}::int, lpad(n::text, 4, '0')) as h from generate_series(1, ${HOSTS_PER_CELL}::int) n) hosts`;
    await sql`
      insert into services (uuid, host, "binary", topic, report_count, last_seen_up, created_at)
      select gen_random_uuid()::text, host, 'nova-compute', 'compute', 1, now() at time zone 'utc', now() at time zone 'utc' from compute_nodes`;
    await sql`analyze`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/** Back to "nothing mapped", untimed, between measurements. */
async function unmapAll(api: ApiHandle, cells: CellHandle[]): Promise<void> {
  await api.sql`delete from host_mappings`;
  await Promise.all(cells.map((c) => c.sql`update compute_nodes set mapped = 0`));
}

/**
 * nova's loop (nova/objects/host_mapping.py _check_and_create_node_host_mappings), cell by
 * cell: the unmapped nodes, then per node a lookup, an insert and an update.
 */
async function novaLoop(api: ApiHandle, cells: { id: number; handle: CellHandle }[], perCell: number): Promise<number> {
  let nodes = 0;
  for (const cell of cells) {
    const unmapped = await cell.handle.sql<{ id: number; host: string }[]>`
      select id, host from compute_nodes where deleted = 0 and mapped < 1 order by id limit ${perCell}`;
    for (const node of unmapped) {
      const [existing] = await api.sql`select id from host_mappings where host = ${node.host}`;
      if (!existing) {
        await api.sql`insert into host_mappings (cell_id, host, created_at) values (${cell.id}, ${node.host}, now() at time zone 'utc')`;
        await cell.handle.sql`update compute_nodes set mapped = 1 where id = ${node.id}`;
      }
      nodes++;
    }
  }
  return nodes;
}

const ms = (n: number) => `${n.toFixed(0)} ms`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export async function run(): Promise<boolean> {
  const server = await benchServer();
  const tag = `bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = postgres(withDatabase(server.url, 'postgres'), { max: 1, onnotice: () => {} });
  const created: string[] = [];
  let api: ApiHandle | undefined;
  const registry = new CellRegistry({ baseUrl: server.url });
  try {
    console.log(`discover_hosts benchmark: ${CELLS} cells × ${HOSTS_PER_CELL.toLocaleString('en')} unmapped compute hosts, on ${server.where}`);
    const templates = await ensureTemplates(server.url);
    const clone = async (name: string, template: string) => {
      await admin.unsafe(`create database "${name}" template "${template}"`);
      created.push(name);
      return withDatabase(server.url, name);
    };
    const apiUrl = await clone(`${tag}_api`, templates.api);
    const cell0Url = await clone(`${tag}_cell0`, templates.cell);
    const cellUrls: string[] = [];
    for (let i = 1; i <= CELLS; i++) cellUrls.push(await clone(`${tag}_cell${i}`, templates.cell));
    await Promise.all(cellUrls.map((url, i) => fillCell(url, i + 1)));

    api = openApiDatabase(apiUrl, { max: 5 });
    const mappings = await api.db
      .insert(cellMappings)
      .values([
        { uuid: CELL0_UUID, name: 'cell0', transportUrl: CELL0_TRANSPORT_URL, databaseConnection: cell0Url },
        ...cellUrls.map((url, i) => ({
          uuid: crypto.randomUUID(),
          name: `cell${i + 1}`,
          transportUrl: 'rabbit://bench@127.0.0.1:5672/',
          databaseConnection: url,
        })),
      ])
      .returning();
    const cells = mappings.filter((m) => m.uuid !== CELL0_UUID).map((m) => ({ id: m.id, handle: registry.handleFor(m) }));
    // Pools opened beforehand, as in a running console: connection set-up is not what is compared.
    await Promise.all([api.sql`select 1`, ...cells.map((c) => c.handle.sql`select 1`)]);
    const deps = { api, registry, deadlineMs: 120_000, serviceDownTimeS: 60, now: () => new Date() };

    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      if (r > 0)
        await unmapAll(
          api,
          cells.map((c) => c.handle),
        );
      const started = performance.now();
      const result = await discoverHosts(deps, { actor: 'bench' });
      times.push(performance.now() - started);
      if (result.newlyMapped.length !== TOTAL || result.skippedCells.length > 0 || result.markFailures.length > 0) {
        throw new Error(`discover mapped ${result.newlyMapped.length} of ${TOTAL} hosts (skipped cells: ${result.skippedCells.length})`);
      }
    }
    const unmarked = await Promise.all(
      cells.map((c) => c.handle.sql<{ n: number }[]>`select count(*)::int as n from compute_nodes where coalesce(mapped, 0) < 1`),
    );
    if (unmarked.some(([row]) => row!.n !== 0)) throw new Error('discover left compute nodes with mapped < 1');
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;

    await unmapAll(
      api,
      cells.map((c) => c.handle),
    );
    const loopStarted = performance.now();
    const looped = await novaLoop(api, cells, SAMPLE_PER_CELL);
    const loopMs = performance.now() - loopStarted;
    const perNode = loopMs / looped;
    const extrapolated = perNode * TOTAL;
    const ratio = extrapolated / median;

    const fast = median <= TARGET_MS;
    const faster = ratio >= TARGET_RATIO;
    console.log('');
    console.log(`Cellar discover, all ${CELLS} cells (${TOTAL.toLocaleString('en')} hosts mapped per run):`);
    console.log(`  runs: ${times.map(ms).join(', ')}; median ${ms(median)}   target ≤ ${ms(TARGET_MS)}   ${verdict(fast)}`);
    console.log(`nova-style per-host loop (lookup + insert + update per node), sample of ${looped} nodes (${SAMPLE_PER_CELL} per cell):`);
    console.log(`  ${ms(loopMs)} = ${perNode.toFixed(2)} ms per node → extrapolated to ${TOTAL.toLocaleString('en')} nodes: ${ms(extrapolated)}`);
    console.log(`Ratio: ${ratio.toFixed(1)}× faster   target ≥ ${TARGET_RATIO}×   ${verdict(faster)}`);
    console.log('(The loop is measured on a sample and extrapolated per node; both ran in this process, against the same server.)');
    // Timings on a shared machine mean little without how busy it was.
    console.log(
      `Machine: ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (1 / 5 / 15 min).`,
    );
    return fast && faster;
  } finally {
    await registry.closeAll();
    await api?.close();
    for (const name of created.reverse()) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 2 });
    await server.stop();
  }
}
