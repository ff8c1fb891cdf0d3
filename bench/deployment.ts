/**
 * A deployment for the page benchmarks (partition, cells75): an api database, cell0 and N cell
 * databases cloned from the migrated templates on one PostgreSQL server, each cell with
 * compute hosts (a node and a nova-compute service each, mapped in host_mappings) and
 * instances (with their flavor and instance mappings), written set-based: one statement
 * per table per database. Everything is dropped by `drop()`.
 */
import crypto from 'node:crypto';
import postgres from 'postgres';
import { ensureTemplates, withDatabase } from '../db/testing/templates';
import { CELL0_UUID } from '../server/nova/constants';
import { flavorJson } from '../server/instances/testing';

export interface BenchCell {
  id: number;
  uuid: string;
  name: string;
  database: string;
  url: string;
}

export interface BenchDeployment {
  server: string;
  apiUrl: string;
  cells: BenchCell[];
  /** Every database the deployment made (the api database and the cells'). */
  databases: string[];
  /** A plain client of the api database (the benchmark's own, not the console's). */
  api: postgres.Sql;
  drop(): Promise<void>;
}

export async function createBenchDeployment(
  server: string,
  opts: { tag: string; cells: number; hostsPerCell: number; instancesPerCell: number },
): Promise<BenchDeployment> {
  const admin = postgres(withDatabase(server, 'postgres'), { max: 1, onnotice: () => {} });
  const tpl = await ensureTemplates(server);
  const databases: string[] = [];
  const clone = async (name: string, template: string) => {
    await admin.unsafe(`create database "${name}" template "${template}"`);
    databases.push(name);
    return withDatabase(server, name);
  };
  const apiUrl = await clone(`${opts.tag}_api`, tpl.api);
  const api = postgres(apiUrl, { max: 2, onnotice: () => {} });
  const drop = async () => {
    await api.end({ timeout: 2 }).catch(() => {});
    for (const name of databases) await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end({ timeout: 2 });
  };
  try {
    // cell0 as nova makes it (no hosts; the benchmarks' instances all live in cells).
    const cell0Url = await clone(`${opts.tag}_cell0`, tpl.cell);
    await api`insert into cell_mappings (uuid, name, database_connection, transport_url)
      values (${CELL0_UUID}, 'cell0', ${cell0Url}, 'none:///')`;
    const cells: BenchCell[] = [];
    for (let c = 0; c < opts.cells; c++) {
      const database = `${opts.tag}_cell${String(c + 1).padStart(2, '0')}`;
      const url = await clone(database, tpl.cell);
      cells.push({ id: 0, uuid: crypto.randomUUID(), name: `cell${String(c + 1).padStart(2, '0')}`, database, url });
    }
    const mapped = await api<{ id: number; uuid: string }[]>`
      insert into cell_mappings ${api(cells.map((c) => ({ uuid: c.uuid, name: c.name, database_connection: c.url, transport_url: 'rabbit://bench:bench@127.0.0.1:5672/' })))}
      returning id, uuid`;
    for (const m of mapped) cells.find((c) => c.uuid === m.uuid)!.id = m.id;
    // Two cells at a time: the machine has two cores.
    for (let i = 0; i < cells.length; i += 2) await Promise.all(cells.slice(i, i + 2).map((c) => fillCell(c, opts)));
    // The api side of every cell in one statement per table.
    await api`
      insert into host_mappings (cell_id, host)
      select c.id, format('%s-cmp-%s', c.name, lpad(h::text, 3, '0'))
      from unnest(${cells.map((c) => c.id)}::int[], ${cells.map((c) => c.name)}::text[]) as c(id, name),
           generate_series(1, ${opts.hostsPerCell}::int) h`;
    await api`
      insert into instance_mappings (instance_uuid, cell_id, project_id, queued_for_delete)
      select md5(c.name || ':' || i)::uuid::text, c.id, 'project-' || (i % 20), false
      from unnest(${cells.map((c) => c.id)}::int[], ${cells.map((c) => c.name)}::text[]) as c(id, name),
           generate_series(1, ${opts.instancesPerCell}::int) i`;
    await api`analyze`;
    return { server, apiUrl, cells, databases, api, drop };
  } catch (e) {
    await drop();
    throw e;
  }
}

/** One cell's compute hosts and instances, as nova writes them. */
async function fillCell(cell: BenchCell, opts: { hostsPerCell: number; instancesPerCell: number }): Promise<void> {
  const sql = postgres(cell.url, { max: 1, onnotice: () => {} });
  try {
    await sql`
      insert into compute_nodes (uuid, host, hypervisor_hostname, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used,
        local_gb_used, hypervisor_type, hypervisor_version, cpu_info, mapped, created_at)
      select gen_random_uuid()::text, h, h, 64, 262144, 1800, 8, 16384, 200, 'QEMU', 8002002, '{}', 1, now() at time zone 'utc'
      from (select format('%s-cmp-%s', ${cell.name}::text, lpad(n::text, 3, '0')) as h from generate_series(1, ${opts.hostsPerCell}::int) n) hosts`;
    await sql`
      insert into services (uuid, host, "binary", topic, report_count, last_seen_up, version, created_at)
      select gen_random_uuid()::text, host, 'nova-compute', 'compute', 1, now() at time zone 'utc', 66, now() at time zone 'utc' from compute_nodes`;
    await sql`
      insert into instances (uuid, project_id, user_id, display_name, hostname, vm_state, power_state, host, node,
        launched_at, availability_zone, memory_mb, vcpus, root_gb, created_at, updated_at)
      select md5(${cell.name}::text || ':' || i)::uuid::text, 'project-' || (i % 20), 'user-' || (i % 50), 'vm-' || i, 'vm-' || i,
        case when i % 10 = 0 then 'stopped' else 'active' end, case when i % 10 = 0 then 4 else 1 end,
        h, h, t + interval '40 seconds', 'nova', 2048, 1, 20, t, t + interval '40 seconds'
      from (select i, format('%s-cmp-%s', ${cell.name}::text, lpad((1 + i % ${opts.hostsPerCell}::int)::text, 3, '0')) as h,
                   (now() at time zone 'utc') - make_interval(mins => i) as t
            from generate_series(1, ${opts.instancesPerCell}::int) i) g`;
    await sql`insert into instance_extra (instance_uuid, flavor, pci_requests, created_at) select uuid, ${flavorJson('m1.small')}, '[]', created_at from instances`;
    await sql`analyze`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}
