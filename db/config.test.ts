import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, parseConfig } from './config';
import { openApiDatabase } from './connect';
import { CellRegistry } from './registry';
import { splitUrl } from './url';

let root: string;
let n = 0;

/** A fresh working directory, with a .env holding `dotenv` when given. */
function workdir(dotenv?: string): string {
  const dir = path.join(root, `cwd-${n++}`);
  fs.mkdirSync(dir);
  if (dotenv !== undefined) fs.writeFileSync(path.join(dir, '.env'), dotenv);
  return dir;
}

/** The ConfigError parseConfig throws, or a failure when it does not throw one. */
function configError(env: Record<string, string | undefined>, cwd = workdir()): ConfigError {
  try {
    parseConfig(env, cwd);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cellar-config-'));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('parseConfig defaults', () => {
  it('starts with nothing set', () => {
    const cwd = workdir();
    const cfg = parseConfig({}, cwd);
    expect(cfg.CELLAR_API_DATABASE_URL).toBeUndefined();
    expect(cfg.CELLAR_DATABASE_URL).toBeUndefined();
    expect(cfg.CELLAR_TEST_DATABASE_URL).toBeUndefined();
    expect(cfg.CELLAR_CELL_DEADLINE_MS).toBe(3000);
    expect(cfg.PORT).toBe(3000);
    expect(cfg.CELLAR_SERVICE_DOWN_TIME_S).toBe(60);
    expect(cfg.CELLAR_LOG_LEVEL).toBe('info');
    expect(cfg.CELLAR_DATA_DIR).toBe('.data');
    expect(cfg.dataDir).toBe(path.join(cwd, '.data'));
  });

  it('takes empty or blank values as not set', () => {
    const cfg = parseConfig({ PORT: '', CELLAR_CELL_DEADLINE_MS: '   ', CELLAR_API_DATABASE_URL: '', CELLAR_LOG_LEVEL: undefined }, workdir());
    expect(cfg.PORT).toBe(3000);
    expect(cfg.CELLAR_CELL_DEADLINE_MS).toBe(3000);
    expect(cfg.CELLAR_API_DATABASE_URL).toBeUndefined();
    expect(cfg.CELLAR_LOG_LEVEL).toBe('info');
  });

  it('reads numbers, log levels and URLs', () => {
    const cwd = workdir();
    const cfg = parseConfig(
      {
        PORT: '8080',
        CELLAR_CELL_DEADLINE_MS: '1500',
        CELLAR_SERVICE_DOWN_TIME_S: '120',
        CELLAR_LOG_LEVEL: 'debug',
        CELLAR_DATA_DIR: 'state',
        CELLAR_API_DATABASE_URL: 'postgresql://nova:pw@db1:5432/nova_api',
        CELLAR_DATABASE_URL: 'postgresql+psycopg2://nova:pw@db1/nova',
      },
      cwd,
    );
    expect(cfg).toMatchObject({
      PORT: 8080,
      CELLAR_CELL_DEADLINE_MS: 1500,
      CELLAR_SERVICE_DOWN_TIME_S: 120,
      CELLAR_LOG_LEVEL: 'debug',
      CELLAR_API_DATABASE_URL: 'postgresql://nova:pw@db1:5432/nova_api',
      CELLAR_DATABASE_URL: 'postgresql+psycopg2://nova:pw@db1/nova',
      dataDir: path.join(cwd, 'state'),
    });
  });

  it('keeps an absolute data directory', () => {
    const abs = path.join(root, 'elsewhere');
    expect(parseConfig({ CELLAR_DATA_DIR: abs }, workdir()).dataDir).toBe(abs);
  });
});

describe('parseConfig refuses bad values, naming the variable and the problem', () => {
  it.each([
    ['CELLAR_CELL_DEADLINE_MS', 'soon', /^CELLAR_CELL_DEADLINE_MS: must be a whole number of milliseconds \(got "soon"\)$/],
    ['CELLAR_CELL_DEADLINE_MS', '1500.5', /^CELLAR_CELL_DEADLINE_MS: must be a whole number of milliseconds/],
    ['CELLAR_CELL_DEADLINE_MS', '10', /^CELLAR_CELL_DEADLINE_MS: must be at least 50 ms \(got "10"\)$/],
    ['CELLAR_CELL_DEADLINE_MS', '600000', /^CELLAR_CELL_DEADLINE_MS: must be at most 120000 ms/],
    ['PORT', 'http', /^PORT: must be a TCP port number \(got "http"\)$/],
    ['PORT', '0', /^PORT: must be between 1 and 65535 \(got "0"\)$/],
    ['PORT', '70000', /^PORT: must be between 1 and 65535 \(got "70000"\)$/],
    ['PORT', '80.5', /^PORT: must be a TCP port number/],
    ['CELLAR_SERVICE_DOWN_TIME_S', '0', /^CELLAR_SERVICE_DOWN_TIME_S: must be at least 1 second \(got "0"\)$/],
    ['CELLAR_SERVICE_DOWN_TIME_S', 'a minute', /^CELLAR_SERVICE_DOWN_TIME_S: must be a whole number of seconds/],
    ['CELLAR_LOG_LEVEL', 'verbose', /^CELLAR_LOG_LEVEL: .*"info".*\(got "verbose"\)$/],
    ['CELLAR_API_DATABASE_URL', 'mysql+pymysql://nova:pw@db1/nova_api', /^CELLAR_API_DATABASE_URL: mysql\+pymysql:\/\/ URLs are not supported: .*PostgreSQL/],
    ['CELLAR_DATABASE_URL', 'postgresql://nova:pw@db1:5432', /^CELLAR_DATABASE_URL: The database URL names no database/],
    ['CELLAR_DATABASE_URL', 'postgresql://{username}@db1/nova', /^CELLAR_DATABASE_URL: This URL is a template/],
    ['CELLAR_TEST_DATABASE_URL', 'sqlite:///x.db', /^CELLAR_TEST_DATABASE_URL: Unsupported URL scheme 'sqlite'/],
  ])('%s=%j', (variable, value, message) => {
    const e = configError({ [variable]: value });
    expect(e.variable).toBe(variable);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`${variable}: ${e.problem}`)).toBe(true);
  });

  it.each([
    ['CELLAR_API_DATABASE_URL', 'mysql+pymysql://nova:Plain-S3cret@db1/nova_api', 'mysql+pymysql://nova:****@db1/nova_api'],
    ['CELLAR_DATABASE_URL', 'mysql://nova:Sla/sh-S3cret@db1/nova', 'mysql://nova:****@db1/nova'],
    ['CELLAR_DATABASE_URL', 'postgresql://nova:At@S3cret@db1', 'postgresql://nova:****@db1'],
    ['CELLAR_API_DATABASE_URL', 'nova:Bare-S3cret@db1/nova_api', '****'],
  ])('does not repeat the password of a bad %s', (variable, value, shown) => {
    const e = configError({ [variable]: value });
    expect(e.message).not.toMatch(/S3cret/);
    expect(e.message).toContain(`(got ${JSON.stringify(shown)})`);
  });

  it('reports a bad value from .env the same way', () => {
    const e = configError({}, workdir('PORT=eighty\n'));
    expect(e.variable).toBe('PORT');
    expect(e.message).toBe('PORT: must be a TCP port number (got "eighty")');
  });
});

describe('parseConfig and .env', () => {
  it('reads .env from the working directory it is given', () => {
    const cwd = workdir(
      [
        '# Cellar settings',
        'CELLAR_API_DATABASE_URL=postgresql://nova:pw@db1:5432/nova_api',
        'CELLAR_DATABASE_URL="postgresql://nova:p#ss@db1:5432/nova"',
        'CELLAR_CELL_DEADLINE_MS=2500',
        "CELLAR_LOG_LEVEL='warn'",
        '',
      ].join('\n'),
    );
    const cfg = parseConfig({}, cwd);
    expect(cfg.CELLAR_API_DATABASE_URL).toBe('postgresql://nova:pw@db1:5432/nova_api');
    expect(cfg.CELLAR_DATABASE_URL).toBe('postgresql://nova:p#ss@db1:5432/nova');
    expect(cfg.CELLAR_CELL_DEADLINE_MS).toBe(2500);
    expect(cfg.CELLAR_LOG_LEVEL).toBe('warn');
    // Another directory without .env sees none of it.
    expect(parseConfig({}, workdir()).CELLAR_CELL_DEADLINE_MS).toBe(3000);
  });

  it('lets the environment win over .env', () => {
    const cwd = workdir('PORT=4000\nCELLAR_CELL_DEADLINE_MS=2500\nCELLAR_LOG_LEVEL=warn\n');
    const cfg = parseConfig({ PORT: '5000', CELLAR_LOG_LEVEL: 'error' }, cwd);
    expect(cfg.PORT).toBe(5000);
    expect(cfg.CELLAR_LOG_LEVEL).toBe('error');
    expect(cfg.CELLAR_CELL_DEADLINE_MS).toBe(2500);
  });

  it('lets a good environment value override a bad .env value', () => {
    const cwd = workdir('PORT=eighty\n');
    expect(parseConfig({ PORT: '8080' }, cwd).PORT).toBe(8080);
  });

  it('falls back to .env when the environment value is empty, and to the default when .env is empty too', () => {
    const cwd = workdir('PORT=4000\nCELLAR_CELL_DEADLINE_MS=\n');
    const cfg = parseConfig({ PORT: '', CELLAR_CELL_DEADLINE_MS: '' }, cwd);
    expect(cfg.PORT).toBe(4000);
    expect(cfg.CELLAR_CELL_DEADLINE_MS).toBe(3000);
  });

  it('resolves the data directory against the working directory', () => {
    const cwd = workdir('CELLAR_DATA_DIR=var/cellar\n');
    expect(parseConfig({}, cwd).dataDir).toBe(path.join(cwd, 'var', 'cellar'));
  });
});

describe('parseConfig and the URLs nova stores (postgresql+<driver>://)', () => {
  const VARIABLES = ['CELLAR_API_DATABASE_URL', 'CELLAR_DATABASE_URL', 'CELLAR_TEST_DATABASE_URL'] as const;

  it.each(VARIABLES)('accepts %s in SQLAlchemy form with any driver, and keeps it as written', (variable) => {
    for (const value of [
      'postgresql+psycopg2://nova:secret@db.example:5432/nova_api?sslmode=require',
      'postgresql+psycopg://nova:secret@db.example/nova_api',
      'postgresql+pg8000://nova:secret@db.example/nova_api?charset=utf8',
      'postgresql+asyncpg://nova:secret@[fd00::1]:5432/nova_api?sslmode=verify-full&client_encoding=utf8',
      'postgresql+some_driver://nova:p@ss@db.example/nova_api',
    ]) {
      expect(parseConfig({ [variable]: value }, workdir())[variable], value).toBe(value);
    }
  });

  it.each([
    ['CELLAR_API_DATABASE_URL', 'mysql+mysqldb://nova:Plain-S3cret@db1/nova_api', 'mysql+mysqldb'],
    ['CELLAR_DATABASE_URL', 'mysql+mysqlconnector://nova:Plain-S3cret@db1/nova', 'mysql+mysqlconnector'],
    ['CELLAR_TEST_DATABASE_URL', 'mariadb+pymysql://nova:Plain-S3cret@db1/nova', 'mariadb+pymysql'],
  ])('refuses %s=%j with the plain MySQL message, naming the variable', (variable, value, scheme) => {
    const e = configError({ [variable]: value });
    expect(e.variable).toBe(variable);
    expect(e.message).toBe(
      `${variable}: ${scheme}:// URLs are not supported: Cellar's cell databases are PostgreSQL (postgresql://user:password@host:port/database). (got ${JSON.stringify(value.replace('Plain-S3cret', '****'))})`,
    );
  });

  it('shows a bad driver URL masked, with its scheme as written', () => {
    const e = configError({ CELLAR_DATABASE_URL: 'postgresql+psycopg2://nova:Sla/sh@S3cret@db1:5432/?sslmode=require' });
    expect(e.message).toBe(
      'CELLAR_DATABASE_URL: The database URL names no database (expected …/database at the end). (got "postgresql+psycopg2://nova:****@db1:5432/?sslmode=require")',
    );
    expect(configError({ CELLAR_API_DATABASE_URL: 'postgresql+://nova:S3cret@db1/nova_api' }).message).toBe(
      `CELLAR_API_DATABASE_URL: Unsupported URL scheme 'postgresql+': use postgresql://user:password@host:port/database. (got "postgresql+://nova:****@db1/nova_api")`,
    );
  });

  describe('on a real PostgreSQL server', () => {
    /** The test server's URL as nova would write it: a driver, an sslmode and SQLAlchemy-only parameters. */
    const novaStyle = (database?: string) => {
      const parts = splitUrl(process.env.CELLAR_TEST_DATABASE_URL ?? inject('testDatabaseUrl'))!;
      return `postgresql+psycopg2://${parts.netloc}${database === undefined ? parts.path : `/${database}`}?sslmode=disable&charset=utf8&client_encoding=utf8`;
    };

    it('connects CELLAR_API_DATABASE_URL=postgresql+psycopg2://… as PostgreSQL', async () => {
      const cfg = parseConfig({ CELLAR_API_DATABASE_URL: novaStyle() }, workdir());
      const api = openApiDatabase(cfg.CELLAR_API_DATABASE_URL!, { max: 1, applicationName: 'cellar:config-test' });
      try {
        const [row] = await api.sql<
          { app: string; enc: string }[]
        >`select current_setting('application_name') as app, current_setting('client_encoding') as enc`;
        expect(row).toEqual({ app: 'cellar:config-test', enc: 'UTF8' });
        expect(api.url.startsWith('postgresql://')).toBe(true);
        expect(api.url).toMatch(/\?sslmode=disable$/);
      } finally {
        await api.close();
      }
    });

    it('expands a cell template from CELLAR_DATABASE_URL=postgresql+psycopg2://… and connects it', async () => {
      const cfg = parseConfig({ CELLAR_DATABASE_URL: novaStyle() }, workdir());
      const registry = new CellRegistry({ baseUrl: cfg.CELLAR_DATABASE_URL });
      const cell = {
        id: 1,
        uuid: '9d0c0b7e-0000-4000-8000-0000000c0f16',
        name: 'cell1',
        databaseConnection: '{scheme}://{username}:{password}@{hostname}:{port}/{path}?{query}',
      };
      try {
        const resolved = registry.resolveUrl(cell);
        expect(resolved).toMatch(/^postgresql\+psycopg2:\/\/[^?]+\?sslmode=disable&charset=utf8&client_encoding=utf8$/);
        expect(resolved.split('?')[0]!.split('/').pop()).toBe(novaStyle().split('?')[0]!.split('/').pop());
        const [row] = await registry.handleFor(cell).sql<{ one: number }[]>`select 1 as one`;
        expect(row).toEqual({ one: 1 });
      } finally {
        await registry.closeAll();
      }
    });
  });
});
