/** The console's "Create cell": URLs checked, the database probed, an empty one migrated on request. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCellDatabase } from '@/db/connect';
import { readSchemaStatus } from '@/db/migrate';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import type { CellarError } from '../errors';
import { RESTART_NOTICES } from './caveats';
import { createCell, insertCellMapping } from './create-cell';
import { refusal } from '@/server/testing';

let dep: TestDeployment;
let deps: Deps;
let n = 0;
const rabbit = () => `rabbit://nova:pw${++n}@mq${n}.example.net:5672/`;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 1500, serviceDownTimeS: 60, now: () => new Date() };
});
afterAll(() => dep?.close());

const countCells = async () => (await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cell_mappings`)[0]!.n;

describe('createCell from the console', () => {
  it('saves a cell whose database answers with a current schema, and returns the restart notice and masked URLs', async () => {
    const db = await dep.createCellDatabase();
    const r = await createCell(deps, { name: ' cell-x ', transportUrl: 'rabbit://nova:s3cret@mq:5672/', databaseConnection: db.url }, { verify: 'require' });
    expect(r.cell).toMatchObject({ name: 'cell-x', disabled: false, transportUrl: 'rabbit://nova:****@mq:5672/' });
    expect(r.notice).toBe(RESTART_NOTICES.cellCreated);
    expect(r.warnings).toEqual([]);
    expect(r.migrated).toBe(false);
    expect(JSON.stringify(r)).not.toContain('s3cret');
    const [row] = await dep.api.sql`select name, transport_url from cell_mappings where uuid = ${r.cell.uuid}`;
    expect(row).toEqual({ name: 'cell-x', transport_url: 'rabbit://nova:s3cret@mq:5672/' });
  });

  it('refuses a database that does not answer, unless the cell is created disabled', async () => {
    const url = 'postgresql://nova:pw@127.0.0.1:1/nova_dead';
    const before = await countCells();
    const e = await refusal(createCell(deps, { name: 'dead', transportUrl: rabbit(), databaseConnection: url }, { verify: 'require' }));
    expect(e.message).toBe('The cell database refused the connection (connection refused). Fix the database, or create the cell disabled to save it anyway.');
    expect(e.details).toEqual({ canMigrate: false });
    expect(await countCells()).toBe(before);

    const r = await createCell(deps, { name: 'dead', transportUrl: rabbit(), databaseConnection: url, disabled: true }, { verify: 'require' });
    expect(r.cell.disabled).toBe(true);
    expect(r.warnings).toEqual(['The cell database refused the connection (connection refused).']);
  });

  it('refuses a database whose schema is behind', async () => {
    const db = await dep.createCellDatabase();
    const h = openCellDatabase(db.url, { max: 1 });
    try {
      await h.sql`delete from cellar.schema_migrations`;
    } finally {
      await h.close();
    }
    const e = await refusal(createCell(deps, { transportUrl: rabbit(), databaseConnection: db.url }, { verify: 'require' }));
    expect(e.message).toMatch(/^The cell database's schema is behind: .*pending \(run: cellar db sync\)\. Fix the database/);
  });

  it('offers to migrate an empty database, and with migrate: true creates the schema then saves', async () => {
    const db = await dep.createCellDatabase({ migrated: false });
    const e = await refusal(createCell(deps, { name: 'fresh', transportUrl: rabbit(), databaseConnection: db.url }, { verify: 'require' }));
    expect(e.message).toBe('The cell database is empty: it has no cell schema yet. Migrate it now, or create the cell disabled to save it as it is.');
    expect(e.details).toEqual({ canMigrate: true });

    const transportUrl = rabbit();
    const r = await createCell(deps, { name: 'fresh', transportUrl, databaseConnection: db.url, migrate: true }, { verify: 'require' });
    expect(r.migrated).toBe(true);
    expect(r.warnings).toEqual([]);
    const h = openCellDatabase(db.url, { max: 1 });
    try {
      expect((await readSchemaStatus(h.sql, 'cell')).state).toBe('current');
    } finally {
      await h.close();
    }
  });

  it('does not migrate a database that has other tables, even when asked', async () => {
    const e = await refusal(createCell(deps, { transportUrl: rabbit(), databaseConnection: dep.apiUrl, migrate: true }, { verify: 'require' }));
    expect(e.message).toMatch(/^The database has no instances or compute_nodes table: it is not a cell database\./);
  });

  it('refuses a duplicate before migrating anything', async () => {
    const db = await dep.createCellDatabase({ migrated: false });
    const e = await refusal(createCell(deps, { transportUrl: rabbit(), databaseConnection: dep.cells[0]!.url, migrate: true }, { verify: 'require' }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      `The specified transport_url and/or database_connection combination already exists for another cell with uuid ${dep.cells[0]!.uuid}.`,
    );
    const h = openCellDatabase(db.url, { max: 1 });
    try {
      expect((await readSchemaStatus(h.sql, 'cell')).state).toBe('uninitialised');
    } finally {
      await h.close();
    }
  });

  it("refuses a name longer than nova's column", async () => {
    const e = await refusal(
      createCell(deps, { name: 'x'.repeat(256), transportUrl: rabbit(), databaseConnection: (await dep.createCellDatabase()).url }, { verify: 'require' }),
    );
    expect(e.message).toBe('A cell name is at most 255 characters.');
  });
});

describe('createCell: the same database twice, after template expansion (nova rc 2)', () => {
  /** A template naming the same database as `url`, expanded from the registry's base (the api database's URL). */
  const templateOf = (url: string) => `{scheme}://{username}:{password}@{hostname}:{port}/${new URL(url.replace(/^postgresql:/, 'http:')).pathname.slice(1)}`;

  it('refuses a template naming the database of a cell stored literally, and a literal naming one stored as a template', async () => {
    const cell1 = dep.cells[0]!;
    const e = await refusal(createCell(deps, { transportUrl: rabbit(), databaseConnection: templateOf(cell1.url) }, { verify: 'warn' }));
    expect([e.exitCode, e.kind]).toEqual([2, 'conflict']);
    expect(e.message).toBe(`The specified transport_url and/or database_connection combination already exists for another cell with uuid ${cell1.uuid}.`);

    const db = await dep.createCellDatabase();
    const viaTemplate = await createCell(deps, { name: 'tpl', transportUrl: rabbit(), databaseConnection: templateOf(db.url) }, { verify: 'require' });
    const e2 = await refusal(
      createCell(deps, { transportUrl: rabbit(), databaseConnection: db.url.replace('postgresql://', 'postgresql+psycopg2://') }, { verify: 'warn' }),
    );
    expect(e2.exitCode).toBe(2);
    expect(e2.details).toEqual({ duplicateOf: viaTemplate.cell.uuid });
  });

  it("writes every column nova's CellMapping.create() sets: disabled false, created_at now (naive UTC), updated_at NULL", async () => {
    const db = await dep.createCellDatabase();
    const r = await createCell(deps, { name: 'cols', transportUrl: rabbit(), databaseConnection: db.url }, { verify: 'require' });
    const [row] = await dep.api.sql`
      select disabled, updated_at,
             created_at between (now() at time zone 'utc') - interval '1 minute' and (now() at time zone 'utc') as fresh
      from cell_mappings where uuid = ${r.cell.uuid}`;
    expect(row).toEqual({ disabled: false, updated_at: null, fresh: true });
  });
});

describe('insertCellMapping under concurrency', () => {
  it('five inserts at once with the same URLs: exactly one row, four rc 2 refusals naming it', async () => {
    const values = { name: 'raced', transportUrl: rabbit(), databaseConnection: (await dep.createCellDatabase()).url, disabled: false };
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => insertCellMapping(deps, values)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    const winner = (ok[0] as PromiseFulfilledResult<{ uuid: string }>).value.uuid;
    for (const r of results.filter((x) => x.status === 'rejected')) {
      const e = (r as PromiseRejectedResult).reason as CellarError;
      expect(e.exitCode).toBe(2);
      expect(e.details).toEqual({ duplicateOf: winner });
    }
    const rows = await dep.api.sql`select uuid from cell_mappings where transport_url = ${values.transportUrl}`;
    expect(rows).toEqual([{ uuid: winner }]);
  });
});
