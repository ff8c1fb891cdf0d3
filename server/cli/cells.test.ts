/**
 * The cell verbs of `cellar`, as an operator runs them: nova-manage cell_v2's options,
 * messages and exit codes (cells-v2.md §4), on real PostgreSQL.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeNodes, instances } from '@/db/cell/schema';
import { openCellDatabase } from '@/db/connect';
import { readSchemaStatus } from '@/db/migrate';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { withDatabase } from '@/db/testing/templates';
import { RESTART_NOTICES } from '../cells/caveats';
import { CELL0_UUID, INSTANCE_MIGRATION_MARKER } from '../nova/constants';
import { runCli, spawnCli } from './testing';

let dep: TestDeployment;
let cli: (args: string[], baseUrl?: string) => ReturnType<typeof runCli>;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  cli = (args, baseUrl) => runCli(args, { apiUrl: dep.apiUrl, baseUrl });
});
afterAll(async () => {
  await dep?.close();
});

const UNKNOWN = '9d0c0b7e-0000-4000-8000-000000000000';
const DUP = (uuid: string) => `The specified transport_url and/or database_connection combination already exists for another cell with uuid ${uuid}.`;

interface CellRow {
  id: number;
  uuid: string;
  name: string | null;
  transport_url: string | null;
  database_connection: string | null;
  disabled: boolean;
}
async function cellRow(uuid: string): Promise<CellRow | undefined> {
  const [row] = await dep.api.sql<CellRow[]>`
    select id, uuid, name, transport_url, database_connection, disabled from cell_mappings where uuid = ${uuid}`;
  return row;
}
let n = 0;
const rabbit = () => `rabbit://nova:secret${++n}@rabbit-${n}.example.net:5672/nova`;

async function addNode(cell: TestCell, host: string, mapped = 1) {
  await cell.handle.db.insert(computeNodes).values({
    host,
    hypervisorHostname: `${host}.node`,
    vcpus: 16,
    memoryMb: 65536,
    localGb: 1000,
    vcpusUsed: 0,
    memoryMbUsed: 0,
    localGbUsed: 0,
    hypervisorType: 'QEMU',
    hypervisorVersion: 8002000,
    cpuInfo: '{}',
    mapped,
  });
}

describe('create_cell', () => {
  it('creates a cell, prints its uuid with --verbose and says the schedulers need a SIGHUP', async () => {
    const db = await dep.createCellDatabase();
    const transport = rabbit();
    const r = await cli(['create_cell', '--name', 'cell-a', '--transport-url', transport, '--database_connection', db.url, '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.stderr).toContain(RESTART_NOTICES.cellCreated);
    expect(await cellRow(r.stdout)).toMatchObject({ name: 'cell-a', transport_url: transport, database_connection: db.url, disabled: false });
  });

  it('prints nothing on stdout without --verbose, and --disabled creates it disabled', async () => {
    const db = await dep.createCellDatabase();
    const r = await cli(['create_cell', '--name', 'cell-b', '--transport-url', rabbit(), '--database_connection', db.url, '--disabled']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const [row] = await dep.api.sql<{ disabled: boolean }[]>`select disabled from cell_mappings where database_connection = ${db.url}`;
    expect(row!.disabled).toBe(true);
  });

  it('falls back to CELLAR_DATABASE_URL when --database_connection is not given', async () => {
    const db = await dep.createCellDatabase();
    const r = await cli(['create_cell', '--name', 'from-config', '--transport-url', rabbit(), '--verbose'], db.url);
    expect(r.code).toBe(0);
    expect((await cellRow(r.stdout))!.database_connection).toBe(db.url);
  });

  it('refuses a missing transport URL with exit 1: Cellar has no default to fall back to', async () => {
    const before = await dep.api.sql`select id from cell_mappings`;
    const r = await cli(['create_cell', '--name', 'x', '--database_connection', (await dep.createCellDatabase()).url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Must specify --transport-url: Cellar has no [DEFAULT]/transport_url to fall back to.');
    expect(await dep.api.sql`select id from cell_mappings`).toHaveLength(before.length);
  });

  it('refuses an invalid transport URL (after template expansion) with exit 1', async () => {
    const db = (await dep.createCellDatabase()).url;
    const noScheme = await cli(['create_cell', '--transport-url', 'rabbit-host:5672', '--database_connection', db]);
    expect(noScheme.code).toBe(1);
    expect(noScheme.stderr).toMatch(/^Invalid transport URL: /);
    const badPort = await cli(['create_cell', '--transport-url', 'rabbit://nova:pw@{hostname}:notaport/', '--database_connection', db]);
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toMatch(/^Invalid transport URL: port "notaport" is not a number in /);
    expect(badPort.stderr).not.toContain(':pw@');
    const unknown = await cli(['create_cell', '--transport-url', 'rabbit://{user}@h/', '--database_connection', db]);
    expect(unknown.stderr).toBe('Invalid transport URL: unknown placeholder {user}');
    // A template with known placeholders is fine.
    const ok = await cli(['create_cell', '--transport-url', 'rabbit://{username}:{password}@{hostname}:{port}/cell-t', '--database_connection', db]);
    expect(ok.code).toBe(0);
  });

  it('refuses a MySQL database URL plainly, with exit 1', async () => {
    const r = await cli(['create_cell', '--transport-url', rabbit(), '--database_connection', 'mysql+pymysql://nova:pw@db/nova_cell1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "Invalid database connection: mysql+pymysql:// URLs are not supported: Cellar's cell databases are PostgreSQL (postgresql://user:password@host:port/database).",
    );
  });

  it("refuses a transport URL or a database connection another cell has, with exit 2 and nova's message", async () => {
    const cell1 = await cellRow(dep.cells[0]!.uuid);
    const sameDb = await cli(['create_cell', '--transport-url', rabbit(), '--database_connection', cell1!.database_connection!]);
    expect(sameDb.code).toBe(2);
    expect(sameDb.stderr).toBe(DUP(cell1!.uuid));
    const sameTransport = await cli(['create_cell', '--transport-url', cell1!.transport_url!, '--database_connection', (await dep.createCellDatabase()).url]);
    expect(sameTransport.code).toBe(2);
    expect(sameTransport.stderr).toBe(DUP(cell1!.uuid));
  });

  it('exits 2 for a template that names, once expanded from CELLAR_DATABASE_URL, the database another cell has', async () => {
    const cell1 = dep.cells[0]!;
    const before = (await dep.api.sql`select id from cell_mappings`).length;
    const r = await cli([
      'create_cell',
      '--transport-url',
      rabbit(),
      '--database_connection',
      `{scheme}://{username}:{password}@{hostname}:{port}/${cell1.database}`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(DUP(cell1.uuid));
    expect((await dep.api.sql`select id from cell_mappings`).length).toBe(before);
  });

  it('saves a cell whose database is not migrated yet, warning that it needs db sync (nova never connects)', async () => {
    const db = await dep.createCellDatabase({ migrated: false });
    const r = await cli(['create_cell', '--name', 'unsynced', '--transport-url', rabbit(), '--database_connection', db.url, '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: The cell database is empty: it has no cell schema yet.');
    expect(await cellRow(r.stdout)).toBeDefined();
  });

  it('five concurrent create_cell runs with the same URLs create exactly one cell; the others exit 2', async () => {
    const db = await dep.createCellDatabase();
    const transport = rabbit();
    const runs = await Promise.all(
      Array.from({ length: 5 }, () =>
        spawnCli(['create_cell', '--name', 'raced', '--transport-url', transport, '--database_connection', db.url, '--verbose'], { apiUrl: dep.apiUrl }),
      ),
    );
    const rows = await dep.api.sql<{ uuid: string }[]>`select uuid from cell_mappings where database_connection = ${db.url}`;
    expect(rows).toHaveLength(1);
    const winners = runs.filter((r) => r.code === 0);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.stdout).toBe(rows[0]!.uuid);
    const losers = runs.filter((r) => r.code !== 0);
    expect(losers).toHaveLength(4);
    for (const l of losers) {
      expect(l.code).toBe(2);
      expect(l.stderr.split('\n')).toContain(DUP(rows[0]!.uuid));
    }
  }, 120_000);
});

describe('list_cells', () => {
  let d: TestDeployment;
  beforeAll(async () => {
    d = await createTestDeployment({ cells: ['zeta'] });
    await d.addCell({
      name: 'alpha',
      url: 'postgresql://nova:db-secret@db1.example.net:5432/nova_alpha',
      transportUrl: 'rabbit://nova:r4bb1t@rabbit1:5672,nova:r4bb1t@rabbit2:5672/nova_alpha',
    });
    await d.addCell({ name: null, url: 'postgresql://nova:db-secret@db2.example.net/nova_x', transportUrl: 'rabbit://nova:pw@rabbit3/', disabled: true });
  });
  afterAll(() => d?.close());

  it("prints nova's table sorted by name (no name first), every password masked, every host kept", async () => {
    const r = await runCli(['list_cells'], { apiUrl: d.apiUrl });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^\|\s+Name\s+\|\s+UUID\s+\|\s+Transport URL\s+\|\s+Database Connection\s+\|\s+Disabled\s+\|$/);
    const body = lines.slice(3, -1).map((l) =>
      l
        .split('|')
        .map((c) => c.trim())
        .slice(1, -1),
    );
    expect(body.map((c) => c[0])).toEqual(['', 'alpha', 'cell0', 'zeta']);
    expect(body[0]![4]).toBe('True');
    expect(body[1]).toEqual([
      'alpha',
      expect.stringMatching(/^[0-9a-f-]{36}$/),
      'rabbit://nova:****@rabbit1:5672,nova:****@rabbit2:5672/nova_alpha',
      'postgresql://nova:****@db1.example.net:5432/nova_alpha',
      'False',
    ]);
    expect(body[2]!.slice(1, 3)).toEqual([CELL0_UUID, 'none:///']);
    expect(r.stdout).not.toContain('r4bb1t');
    expect(r.stdout).not.toContain('db-secret');
  });

  it('--verbose shows the URLs as stored, secrets included', async () => {
    const r = await runCli(['list_cells', '--verbose'], { apiUrl: d.apiUrl });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rabbit://nova:r4bb1t@rabbit1:5672,nova:r4bb1t@rabbit2:5672/nova_alpha');
    expect(r.stdout).toContain('postgresql://nova:db-secret@db1.example.net:5432/nova_alpha');
  });

  it('--json gives the same rows for scripts', async () => {
    const r = await runCli(['list_cells', '--json'], { apiUrl: d.apiUrl });
    const rows = JSON.parse(r.stdout) as { name: string; transport_url: string; disabled: boolean }[];
    expect(rows.map((x) => x.name)).toEqual(['', 'alpha', 'cell0', 'zeta']);
    expect(rows[1]!.transport_url).toBe('rabbit://nova:****@rabbit1:5672,nova:****@rabbit2:5672/nova_alpha');
    expect(rows[0]!.disabled).toBe(true);
  });

  it('the help says where Cellar differs from nova-manage', async () => {
    const r = await runCli(['--help'], { apiUrl: d.apiUrl });
    expect(r.stdout).toContain("list_cells masks every password of every host (nova's greedy ':.*@' mask loses hosts)");
    expect(r.stdout).toContain('update_cell --name changes only the name');
    expect(r.stdout).toContain('An unexpected error exits 1 with one plain line (nova: 255 and a traceback)');
  });
});

describe('update_cell', () => {
  let target: { uuid: string; url: string };
  let transport: string;
  beforeAll(async () => {
    transport = rabbit();
    const c = await dep.addCell({ name: 'upd', transportUrl: transport });
    target = { uuid: c.uuid, url: c.url };
  });

  it('exits 1 for an unknown cell', async () => {
    const r = await cli(['update_cell', '--cell_uuid', UNKNOWN, '--name', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Cell with uuid ${UNKNOWN} was not found.`);
  });

  it('exits 1 for a --cell_uuid that is not a uuid', async () => {
    const r = await cli(['update_cell', '--cell_uuid', 'upd', '--name', 'x']);
    expect([r.code, r.stderr]).toEqual([1, '--cell_uuid: a cell uuid looks like 8-4-4-4-12 hexadecimal digits']);
  });

  it('--name changes only the name, even with CELLAR_DATABASE_URL pointing elsewhere (nova would rewrite the URLs)', async () => {
    const elsewhere = (await dep.createCellDatabase()).url;
    const r = await cli(['update_cell', '--cell_uuid', target.uuid, '--name', 'upd-renamed'], elsewhere);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(await cellRow(target.uuid)).toMatchObject({ name: 'upd-renamed', transport_url: transport, database_connection: target.url });
  });

  it('changes a URL and says the services need a restart', async () => {
    transport = rabbit();
    const r = await cli(['update_cell', '--cell_uuid', target.uuid, '--transport-url', transport]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(RESTART_NOTICES.cellUrlsChanged);
    expect((await cellRow(target.uuid))!.transport_url).toBe(transport);
  });

  it('exits 2 for a URL Cellar cannot use, and changes nothing', async () => {
    const r = await cli(['update_cell', '--cell_uuid', target.uuid, '--name', 'never', '--transport-url', 'nonsense']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Invalid transport URL: No scheme specified/);
    const db = await cli(['update_cell', '--cell_uuid', target.uuid, '--database_connection', 'mysql+pymysql://a:b@h/nova']);
    expect(db.code).toBe(2);
    expect(await cellRow(target.uuid)).toMatchObject({ name: 'upd-renamed', transport_url: transport });
  });

  it('exits 3 when another cell has the URL, and changes nothing', async () => {
    const other = await cellRow(dep.cells[1]!.uuid);
    const r = await cli(['update_cell', '--cell_uuid', target.uuid, '--name', 'never', '--database_connection', other!.database_connection!]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(DUP(other!.uuid));
    expect((await cellRow(target.uuid))!.name).toBe('upd-renamed');
  });

  it("exits 3 when a template names another cell's database once expanded, and changes nothing", async () => {
    const other = dep.cells[1]!;
    const before = await cellRow(target.uuid);
    const r = await cli([
      'update_cell',
      '--cell_uuid',
      target.uuid,
      '--database_connection',
      `{scheme}://{username}:{password}@{hostname}:{port}/${other.database}`,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(DUP(other.uuid));
    expect(await cellRow(target.uuid)).toEqual(before);
  });

  it('exits 4 for --disable with --enable', async () => {
    const r = await cli(['update_cell', '--cell_uuid', target.uuid, '--disable', '--enable']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('Cell cannot be disabled and enabled at the same time.');
  });

  it('exits 5 for cell0, whether disabling or enabling', async () => {
    for (const flag of ['--disable', '--enable']) {
      const r = await cli(['update_cell', '--cell_uuid', CELL0_UUID, flag]);
      expect(r.code).toBe(5);
      expect(r.stderr).toBe('Cell0 cannot be disabled.');
    }
    expect((await cellRow(CELL0_UUID))!.disabled).toBe(false);
  });

  it('disables, says so again with exit 0 when already disabled, and enables', async () => {
    const first = await cli(['update_cell', '--cell_uuid', target.uuid, '--disable']);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(RESTART_NOTICES.cellEnabledOrDisabled);
    expect((await cellRow(target.uuid))!.disabled).toBe(true);
    const again = await cli(['update_cell', '--cell_uuid', target.uuid, '--disable']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Cell ${target.uuid} is already disabled`);
    expect(again.stderr).toBe('');
    const enable = await cli(['update_cell', '--cell_uuid', target.uuid, '--enable']);
    expect(enable.code).toBe(0);
    expect((await cellRow(target.uuid))!.disabled).toBe(false);
  });
});

describe('delete_cell', () => {
  async function cellWith(opts: { hosts?: string[]; live?: number; deleted?: number }) {
    const c = (await dep.addCell({ name: `del-${++n}`, transportUrl: rabbit() })) as TestCell;
    for (const h of opts.hosts ?? []) {
      await addNode(c, h);
      await dep.api.sql`insert into host_mappings (cell_id, host) values (${c.id}, ${h})`;
    }
    const rows = [
      ...Array.from({ length: opts.live ?? 0 }, (_, i) => ({ uuid: crypto.randomUUID(), projectId: 'p', vmState: i === 0 ? 'soft-delete' : 'active' })),
      ...Array.from({ length: opts.deleted ?? 0 }, (_, i) => ({ uuid: crypto.randomUUID(), projectId: 'p', vmState: 'deleted', deleted: 1000 + i })),
    ];
    if (rows.length) {
      await c.handle.db.insert(instances).values(rows);
      await dep.api.sql`insert into instance_mappings ${dep.api.sql(rows.map((r) => ({ instance_uuid: r.uuid, cell_id: c.id, project_id: 'p' })))}`;
    }
    return c;
  }
  const counts = async (c: { id: number }) => {
    const [row] = await dep.api.sql<{ hosts: number; instances: number; cells: number }[]>`
      select (select count(*)::int from host_mappings where cell_id = ${c.id}) as hosts,
             (select count(*)::int from instance_mappings where cell_id = ${c.id}) as instances,
             (select count(*)::int from cell_mappings where id = ${c.id}) as cells`;
    return row!;
  };

  it('exits 1 for an unknown cell', async () => {
    const r = await cli(['delete_cell', '--cell_uuid', UNKNOWN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Cell with uuid ${UNKNOWN} was not found.`);
    const junk = await cli(['delete_cell', '--cell_uuid', `${UNKNOWN}0`]);
    expect([junk.code, junk.stderr]).toEqual([1, '--cell_uuid: a cell uuid looks like 8-4-4-4-12 hexadecimal digits']);
  });

  it('exits 2 when hosts are mapped to it, without --force', async () => {
    const c = await cellWith({ hosts: ['del-h1', 'del-h2'] });
    const r = await cli(['delete_cell', '--cell_uuid', c.uuid]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`There are existing hosts mapped to cell with uuid ${c.uuid}.`);
    expect(await counts(c)).toEqual({ hosts: 2, instances: 0, cells: 1 });
  });

  it('exits 3 when it has live instances (a soft-deleted one counts), even with --force; nothing changes', async () => {
    const c = await cellWith({ hosts: ['del-h3'], live: 1, deleted: 2 });
    for (const args of [[], ['--force']]) {
      const r = await cli(['delete_cell', '--cell_uuid', c.uuid, ...args]);
      expect(r.code).toBe(args.length ? 3 : 2);
      if (args.length) expect(r.stderr).toBe(`There are existing instances mapped to cell with uuid ${c.uuid}.`);
    }
    expect(await counts(c)).toEqual({ hosts: 1, instances: 3, cells: 1 });
    const [node] = await c.handle.sql<{ mapped: number }[]>`select mapped from compute_nodes`;
    expect(node!.mapped).toBe(1);
  });

  it("exits 4 when only mappings of deleted instances remain, without --force, with nova's two lines", async () => {
    const c = await cellWith({ deleted: 2 });
    const r = await cli(['delete_cell', '--cell_uuid', c.uuid]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      `There are instance mappings to cell with uuid ${c.uuid}, but all instances have been deleted in the cell.\n` +
        "So execute 'nova-manage db archive_deleted_rows' to delete the instance mappings.",
    );
    expect(await counts(c)).toEqual({ hosts: 0, instances: 2, cells: 1 });
  });

  it('with --force deletes the instance mappings and host mappings, sets mapped = 0 on all its compute nodes, then the cell', async () => {
    const c = await cellWith({ hosts: ['del-h4', 'del-h5'], deleted: 3 });
    await addNode(c, 'del-h6-unmapped-host', 1);
    const r = await cli(['delete_cell', '--cell_uuid', c.uuid, '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(RESTART_NOTICES.cellDeleted);
    expect(await counts(c)).toEqual({ hosts: 0, instances: 0, cells: 0 });
    const nodes = await c.handle.sql<{ mapped: number }[]>`select mapped from compute_nodes`;
    expect(nodes).toHaveLength(3);
    for (const node of nodes) expect(node.mapped).toBe(0);
  });

  it('deletes an empty cell without --force', async () => {
    const c = await cellWith({});
    const r = await cli(['delete_cell', '--cell_uuid', c.uuid]);
    expect(r.code).toBe(0);
    expect(await counts(c)).toEqual({ hosts: 0, instances: 0, cells: 0 });
  });

  it('refuses when the cell database must be read and does not answer: nothing is deleted', async () => {
    const c = await cellWith({ deleted: 1 });
    await dep.api.sql`update cell_mappings set database_connection = 'postgresql://nova:pw@127.0.0.1:1/gone' where id = ${c.id}`;
    const r = await cli(['delete_cell', '--cell_uuid', c.uuid, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Cell del-\d+ does not answer \(refused: connection refused\); Cellar cannot prove it has no live instances, so nothing was deleted\.$/,
    );
    expect(await counts(c)).toEqual({ hosts: 0, instances: 1, cells: 1 });
  });
});

describe('map_cell0 and simple_cell_setup on an api database with no cells', () => {
  let d: TestDeployment;
  let admin: postgres.Sql;
  let base: { database: string; url: string };
  let cell: TestCell['handle'];
  const extraDbs: string[] = [];

  beforeAll(async () => {
    d = await createTestDeployment({ cells: [] });
    await d.api.sql`delete from cell_mappings`;
    admin = postgres(withDatabase(d.serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
    base = await d.createCellDatabase();
    cell = openCellDatabase(base.url, { max: 1 });
  });
  afterAll(async () => {
    await cell?.close();
    for (const db of extraDbs) await admin.unsafe(`drop database if exists "${db}" with (force)`);
    await admin?.end();
    await d?.close();
  });

  it('simple_cell_setup without compute hosts maps and migrates cell0, then exits 1', async () => {
    extraDbs.push(`${base.database}_cell0`);
    await admin.unsafe(`create database "${base.database}_cell0"`);
    const r = await runCli(['simple_cell_setup', '--transport-url', 'rabbit://nova:pw@mq/'], { apiUrl: d.apiUrl, baseUrl: base.url });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('No hosts found to map to cell, exiting.');
    const cells = await d.api.sql<CellRow[]>`select uuid, name, transport_url, database_connection from cell_mappings`;
    expect(cells).toEqual([
      { uuid: CELL0_UUID, name: 'cell0', transport_url: 'none:///', database_connection: withDatabase(base.url, `${base.database}_cell0`) },
    ]);
    const cell0 = openCellDatabase(withDatabase(base.url, `${base.database}_cell0`), { max: 1 });
    try {
      expect((await readSchemaStatus(cell0.sql, 'cell')).state).toBe('current');
    } finally {
      await cell0.close();
    }
  });

  it('simple_cell_setup maps the cell of CELLAR_DATABASE_URL with its hosts and instances; a second run changes nothing', async () => {
    await addNodeTo(cell, 'ssc-1');
    await addNodeTo(cell, 'ssc-2');
    const uuids = [crypto.randomUUID(), crypto.randomUUID()];
    await cell.db.insert(instances).values([
      { uuid: uuids[0]!, projectId: 'p1', userId: 'u1', vmState: 'active', host: 'ssc-1' },
      { uuid: uuids[1]!, projectId: 'p2', userId: 'u2', vmState: 'deleted', deleted: 7 },
    ]);
    const r = await runCli(['simple_cell_setup', '--transport-url', 'rabbit://nova:pw@mq/'], { apiUrl: d.apiUrl, baseUrl: base.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Cell0 is already setup');
    expect(r.stderr).toContain(RESTART_NOTICES.cellCreated);
    const [created] = await d.api.sql<CellRow[]>`select id, uuid, name, transport_url, database_connection from cell_mappings where uuid <> ${CELL0_UUID}`;
    expect(created).toMatchObject({ name: null, transport_url: 'rabbit://nova:pw@mq/', database_connection: base.url });
    const hosts = await d.api.sql<{ host: string; cell_id: number }[]>`select host, cell_id from host_mappings order by host`;
    expect(hosts).toEqual([
      { host: 'ssc-1', cell_id: created!.id },
      { host: 'ssc-2', cell_id: created!.id },
    ]);
    const mappings = await d.api.sql<{ instance_uuid: string; cell_id: number; project_id: string }[]>`
      select instance_uuid, cell_id, project_id from instance_mappings order by project_id`;
    expect(mappings).toEqual([
      { instance_uuid: uuids[0], cell_id: created!.id, project_id: 'p1' },
      { instance_uuid: uuids[1], cell_id: created!.id, project_id: 'p2' },
    ]);

    const again = await runCli(['simple_cell_setup', '--transport-url', 'rabbit://nova:pw@mq/'], { apiUrl: d.apiUrl, baseUrl: base.url });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Cell0 is already setup\nAll hosts are already mapped to cell(s).');
    expect(await d.api.sql`select id from cell_mappings`).toHaveLength(2);
    expect(await d.api.sql`select id from instance_mappings`).toHaveLength(2);
  });

  it('simple_cell_setup refuses a missing or invalid transport URL with exit 1', async () => {
    const missing = await runCli(['simple_cell_setup'], { apiUrl: d.apiUrl, baseUrl: base.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Must specify --transport-url: Cellar has no [DEFAULT]/transport_url to fall back to.');
    const invalid = await runCli(['simple_cell_setup', '--transport-url', 'mq.example.net'], { apiUrl: d.apiUrl, baseUrl: base.url });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe('Invalid transport URL: No scheme specified in "mq.example.net"');
  });

  it('map_cell0 twice: "Cell0 is already setup" and exit 0, the mapping unchanged', async () => {
    await d.api.sql`delete from host_mappings`;
    await d.api.sql`delete from instance_mappings`;
    await d.api.sql`delete from cell_mappings`;
    const first = await runCli(['map_cell0', '--database_connection', 'postgresql://nova:pw@db.example.net/nova_cell0'], { apiUrl: d.apiUrl });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    const second = await runCli(['map_cell0', '--database_connection', 'postgresql://nova:pw@elsewhere/other'], { apiUrl: d.apiUrl });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('Cell0 is already setup');
    const rows = await d.api.sql<CellRow[]>`select uuid, name, transport_url, database_connection, disabled from cell_mappings`;
    expect(rows).toEqual([
      { uuid: CELL0_UUID, name: 'cell0', transport_url: 'none:///', database_connection: 'postgresql://nova:pw@db.example.net/nova_cell0', disabled: false },
    ]);
  });

  it('map_cell0 defaults to CELLAR_DATABASE_URL with _cell0 added to the database name', async () => {
    await d.api.sql`delete from cell_mappings`;
    const r = await runCli(['map_cell0'], { apiUrl: d.apiUrl, baseUrl: 'postgresql://nova:pw@db.example.net:5432/nova_api?sslmode=require' });
    expect(r.code).toBe(0);
    const [row] = await d.api.sql<{ database_connection: string }[]>`select database_connection from cell_mappings where uuid = ${CELL0_UUID}`;
    expect(row!.database_connection).toBe('postgresql://nova:pw@db.example.net:5432/nova_api_cell0?sslmode=require');
  });

  it('map_cell0 refuses a MySQL URL with exit 1', async () => {
    await d.api.sql`delete from cell_mappings`;
    const r = await runCli(['map_cell0', '--database_connection', 'mysql+pymysql://nova:pw@db/nova_cell0'], { apiUrl: d.apiUrl });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Invalid database connection: mysql\+pymysql:\/\/ URLs are not supported/);
    expect(await d.api.sql`select id from cell_mappings`).toHaveLength(0);
  });
});

describe('map_instances', () => {
  it('exits 127 for a --max-count that is not a positive number', async () => {
    for (const bad of ['0', '-3', 'many', '1.5']) {
      const r = await cli(['map_instances', '--cell_uuid', dep.cells[0]!.uuid, '--max-count', bad]);
      expect(r.code).toBe(127);
      expect(r.stderr).toBe('Must supply a positive value for max-count');
    }
  });

  it('exits 255 for an unknown cell, never 1 (which means "run again")', async () => {
    const r = await cli(['map_instances', '--cell_uuid', UNKNOWN]);
    expect(r.code).toBe(255);
    expect(r.stderr).toBe(`Cell with uuid ${UNKNOWN} was not found.`);
  });

  it("with --max-count exits 1 while more remain, keeping nova's marker, and 0 once done", async () => {
    const c = (await dep.addCell({ name: 'mi', transportUrl: rabbit() })) as TestCell;
    await c.handle.db.insert(instances).values(Array.from({ length: 3 }, () => ({ uuid: crypto.randomUUID(), projectId: 'p' })));
    const codes: number[] = [];
    for (let i = 0; i < 2; i++) codes.push((await cli(['map_instances', '--cell_uuid', c.uuid, '--max-count', '2'])).code);
    expect(codes).toEqual([1, 0]);
    const [row] = await dep.api.sql<{ n: number; markers: number }[]>`
      select (select count(*)::int from instance_mappings where cell_id = ${c.id}) as n,
             (select count(*)::int from instance_mappings where project_id = ${INSTANCE_MIGRATION_MARKER}) as markers`;
    expect(row).toEqual({ n: 3, markers: 0 });
  });
});

async function addNodeTo(cell: TestCell['handle'], host: string) {
  await cell.db.insert(computeNodes).values({
    host,
    hypervisorHostname: host,
    vcpus: 8,
    memoryMb: 16384,
    localGb: 200,
    vcpusUsed: 0,
    memoryMbUsed: 0,
    localGbUsed: 0,
    hypervisorType: 'QEMU',
    hypervisorVersion: 1,
    cpuInfo: '{}',
  });
}
