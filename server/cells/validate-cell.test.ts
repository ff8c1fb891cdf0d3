import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { isCellarError } from '../errors';
import { CellRegistry } from '@/db/registry';
import {
  databaseIdentity,
  judgeCellDatabase,
  probeCellDatabase,
  sameCellDatabase,
  transportUrlProblem,
  validateDatabaseConnection,
  validateTransportUrl,
} from './validate-cell';

describe('sameCellDatabase: two cell URLs name one database, templates expanded', () => {
  const base = 'postgresql+psycopg2://nova:s3cret@DB.example.net:5432/nova_api?charset=utf8';
  const deps = { registry: new CellRegistry({ baseUrl: base }) };
  const same = (a: string, b: string) => sameCellDatabase(deps, a, b);

  it("catches what nova's string comparison catches, and a template against a literal either way round", () => {
    const literal = 'postgresql+psycopg2://nova:s3cret@db.example.net:5432/nova_cell1?charset=utf8';
    const template = '{scheme}://{username}:{password}@{hostname}:{port}/nova_cell1?{query}';
    expect(same(literal, literal)).toBe(true);
    expect(same(template, literal)).toBe(true);
    expect(same(literal, template)).toBe(true);
    expect(same(template, '{scheme}://{username}:{password}@{hostname}/nova_cell1')).toBe(true);
  });

  it('ignores what does not change the database: driver name, host case, default port, password, query', () => {
    const a = 'postgresql://nova:one@db.example.net/nova_cell1';
    expect(same(a, 'postgresql+psycopg2://nova:two@DB.Example.NET:5432/nova_cell1?sslmode=require')).toBe(true);
    expect(same(a, 'postgres://nova@db.example.net:5432/nova_cell1')).toBe(true);
    // A multi-host URL shares a server with a URL naming one of its hosts.
    expect(same('postgresql://nova:pw@db1:5432,db.example.net:5432/nova_cell1', a)).toBe(true);
  });

  it('another database name, user, host or port is another database', () => {
    const a = 'postgresql://nova:pw@db.example.net:5432/nova_cell1';
    expect(same(a, 'postgresql://nova:pw@db.example.net:5432/nova_cell2')).toBe(false);
    expect(same(a, 'postgresql://nova:pw@db.example.net:5432/Nova_cell1')).toBe(false);
    expect(same(a, 'postgresql://other:pw@db.example.net:5432/nova_cell1')).toBe(false);
    expect(same(a, 'postgresql://nova:pw@db2.example.net:5432/nova_cell1')).toBe(false);
    expect(same(a, 'postgresql://nova:pw@db.example.net:5433/nova_cell1')).toBe(false);
  });

  it('falls back to comparing the URLs as nova does when one is not PostgreSQL or cannot be expanded', () => {
    expect(same('mysql+pymysql://nova:pw@db/nova_cell1', 'mysql+pymysql://nova:pw@db/nova_cell1')).toBe(true);
    expect(same('mysql+pymysql://nova:pw@db/nova_cell1', 'mysql+pymysql://nova:pw@DB/nova_cell1')).toBe(false);
    expect(same('{nope}://x/y', '{nope}://x/y')).toBe(true);
    expect(same('{nope}://x/y', 'postgresql://nova:pw@x/y')).toBe(false);
  });

  it('reads the database, user and endpoints of a URL', () => {
    expect(databaseIdentity('postgresql://u%40x:p@[::1]:6432,H2/db%2Dname')).toEqual({
      endpoints: ['[::1]:6432', 'h2:5432'],
      database: 'db-name',
      user: 'u@x',
    });
    expect(databaseIdentity('postgresql:///nova_cell1?host=/var/run/postgresql&user=nova')).toEqual({
      endpoints: ['/var/run/postgresql:5432'],
      database: 'nova_cell1',
      user: 'nova',
    });
    expect(databaseIdentity('mysql+pymysql://nova:pw@db/nova')).toBeNull();
  });
});

describe('transportUrlProblem (oslo.messaging TransportURL.parse, after template expansion)', () => {
  it('accepts what nova accepts', () => {
    for (const ok of [
      'rabbit://nova:pw@rabbit1:5672/nova',
      'rabbit://nova:pw@rabbit1:5672,nova:pw@rabbit2:5672/nova_cell1',
      'none:///',
      'rabbit://[::1]:5672/',
      'rabbit://{username}:{password}@{hostname}:{port}/{path}',
      'rabbit://{username1}:{password1}@{hostname1}:{port1},{username2}:{password2}@{hostname2}:{port2}/',
      'kafka://k1,k2,k3/',
    ]) {
      expect(transportUrlProblem(ok), ok).toBeNull();
    }
  });

  it('names what is wrong, never showing a password', () => {
    expect(transportUrlProblem('rabbit-host')).toBe('No scheme specified in "rabbit-host"');
    // Not a URL but holding ':' (maybe user:password): shown masked whole.
    expect(transportUrlProblem('rabbit:host')).toBe('expected scheme://host…, got "****"');
    expect(transportUrlProblem('rabbit://u:p@h:56x2/')).toBe('port "56x2" is not a number in "rabbit://****"');
    expect(transportUrlProblem('rabbit://h:99999/')).toBe('port 99999 is out of range in "rabbit://h:99999/"');
    expect(transportUrlProblem('rabbit://[::1/')).toMatch(/^Invalid IPv6 URL/);
    expect(transportUrlProblem('rabbit://{host}/')).toBe('unknown placeholder {host}');
    expect(transportUrlProblem('rabbit://{hostname/')).toMatch(/^unclosed '\{'/);
    expect(transportUrlProblem('rabbit://u:s3cret@h:bad/')).not.toContain('s3cret');
  });

  it('validateTransportUrl refuses with nova\'s "Invalid transport URL: …" and the exit code asked for', () => {
    try {
      validateTransportUrl('nope', 2);
      expect.unreachable();
    } catch (e) {
      expect(isCellarError(e) && e.exitCode).toBe(2);
      expect((e as Error).message).toBe('Invalid transport URL: No scheme specified in "nope"');
    }
  });
});

describe('the candidate cell database', () => {
  let dep: TestDeployment;
  let deps: Deps;
  beforeAll(async () => {
    dep = await createTestDeployment({ cells: ['cell1'] });
    deps = { api: dep.api, registry: dep.registry, deadlineMs: 1500, serviceDownTimeS: 60, now: () => new Date() };
  });
  afterAll(() => dep?.close());

  it('validateDatabaseConnection expands templates from CELLAR_DATABASE_URL and refuses MySQL and broken templates', () => {
    expect(validateDatabaseConnection(deps, ' {scheme}://{username}:{password}@{hostname}:{port}/nova_cell9 ')).toBe(
      '{scheme}://{username}:{password}@{hostname}:{port}/nova_cell9',
    );
    expect(() => validateDatabaseConnection(deps, 'mysql+pymysql://nova:pw@db/nova')).toThrow(
      /^Invalid database connection: mysql\+pymysql:\/\/ URLs are not supported/,
    );
    expect(() => validateDatabaseConnection(deps, '{scheme}://{user}@{hostname}/x')).toThrow(/^Invalid database connection: .*\{user\}/);
    expect(() => validateDatabaseConnection(deps, 'postgresql://nova:pw@db.example.net/')).toThrow(/names no database/);
  });

  it('a migrated cell database is usable', async () => {
    const probe = await probeCellDatabase(deps, (await dep.createCellDatabase()).url);
    expect(probe).toMatchObject({ reachable: true, empty: false, cellTables: true, schema: { state: 'current' } });
    expect(judgeCellDatabase(probe)).toEqual({ usable: true, problem: null, canMigrate: false });
  });

  it('an empty database can be migrated; one with other tables cannot', async () => {
    const empty = await dep.createCellDatabase({ migrated: false });
    const probe = await probeCellDatabase(deps, empty.url);
    expect(judgeCellDatabase(probe)).toEqual({ usable: false, canMigrate: true, problem: 'The cell database is empty: it has no cell schema yet.' });

    const other = await dep.createCellDatabase({ migrated: false });
    const h = await import('@/db/connect').then((m) => m.openCellDatabase(other.url, { max: 1 }));
    try {
      await h.sql`create table unrelated (id int)`;
    } finally {
      await h.close();
    }
    const v = judgeCellDatabase(await probeCellDatabase(deps, other.url));
    expect(v.canMigrate).toBe(false);
    expect(v.problem).toBe('The database has tables but no Cellar cell schema: it does not look like a cell database, so Cellar will not migrate it.');
  });

  it('the api database is not a cell database', async () => {
    const v = judgeCellDatabase(await probeCellDatabase(deps, dep.apiUrl));
    expect(v).toEqual({ usable: false, canMigrate: false, problem: 'The database has no instances or compute_nodes table: it is not a cell database.' });
  });

  it('a refused connection and a silent server are reported, within the deadline, without the password', async () => {
    const refused = await probeCellDatabase(deps, 'postgresql://nova:hunter2@127.0.0.1:1/nova');
    expect(refused).toEqual({ reachable: false, reason: 'refused', message: 'connection refused' });
    expect(judgeCellDatabase(refused).problem).toBe('The cell database refused the connection (connection refused).');

    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const probe = await probeCellDatabase(deps, `postgresql://nova:hunter2@127.0.0.1:${port}/nova`);
      expect(probe).toMatchObject({ reachable: false, reason: 'timeout' });
      expect(JSON.stringify(probe)).not.toContain('hunter2');
    } finally {
      silent.close();
    }
    // Probes leave no pool behind in the registry.
    expect(dep.registry.openCount).toBe(0);
  });
});
