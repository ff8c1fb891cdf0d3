import fc from 'fast-check';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { DbUrlError, expandTemplate, isPostgresScheme, isTemplate, maskUrl, parseDbUrl, parseNetloc, splitNetlocs, splitUrl, withCredentials } from './url';

/** nova's list_cells mask (nova/cmd/manage.py mask_passwd_in_url): a greedy `:.*@` on the netloc. */
function novaMask(url: string): string {
  const m = /^([^:]+:\/\/)([^/?#]*)(.*)$/s.exec(url)!;
  return `${m[1]}${m[2]!.replace(/:.*@/, ':****@')}${m[3]}`;
}

describe('maskUrl', () => {
  it('keeps a whole template URL readable: placeholders are not secrets', () => {
    expect(maskUrl('{scheme}://{username}:{password}@{hostname}:{port}/nova_cell1')).toBe('{scheme}://{username}:{password}@{hostname}:{port}/nova_cell1');
    expect(maskUrl('{scheme}://nova:real-secret@{hostname}:{port}/nova_cell1')).toBe('{scheme}://nova:****@{hostname}:{port}/nova_cell1');
  });

  it('masks the password of a plain URL and keeps user, host, port and database', () => {
    expect(maskUrl('postgresql://nova:s3cret@db1:5432/nova_cell1')).toBe('postgresql://nova:****@db1:5432/nova_cell1');
  });

  it('masks every netloc of a multi-host transport URL and keeps all hosts and ports', () => {
    const url = 'rabbit://u1:p1@h1:5672,u2:p2@h2:5672,u3:p3@[fd00::3]:5672/vhost';
    const masked = maskUrl(url);
    expect(masked).toBe('rabbit://u1:****@h1:5672,u2:****@h2:5672,u3:****@[fd00::3]:5672/vhost');
    // nova's greedy regex swallows the first two hosts; ours does not.
    expect(novaMask(url)).toBe('rabbit://u1:****@[fd00::3]:5672/vhost');
    expect(masked).not.toBe(novaMask(url));
    expect(masked).toContain('@h1:5672');
    expect(masked).toContain('@h2:5672');
  });

  it.each([
    ['a raw @', 'postgresql://nova:p@ss@db1:5432/nova', 'postgresql://nova:****@db1:5432/nova'],
    ['a raw :', 'postgresql://nova:p:ss@db1:5432/nova', 'postgresql://nova:****@db1:5432/nova'],
    ['a raw /', 'postgresql://nova:p/ss@db1:5432/nova', 'postgresql://nova:****@db1:5432/nova'],
    ['@, : and / together', 'postgresql://nova:a@b:c/d@db1/nova', 'postgresql://nova:****@db1/nova'],
    ['a percent-encoded @', 'postgresql://nova:p%40ss@db1:5432/nova', 'postgresql://nova:****@db1:5432/nova'],
    ['a raw ? then / (SQLAlchemy reads it as password)', 'postgresql://nova:p?a/b@db1/nova', 'postgresql://nova:****@db1/nova'],
    ['a raw # then /', 'postgresql://nova:a#b/c@db1/nova', 'postgresql://nova:****@db1/nova'],
    ['a raw comma in the first netloc', 'rabbit://u1:p,1@h1:5672,u2:p2@h2:5672/v', 'rabbit://u1:****@h1:5672,u2:****@h2:5672/v'],
    ['commas in two netlocs', 'rabbit://u1:p,1,x@h1:5672,u2:a,b@h2:5672/v', 'rabbit://u1:****@h1:5672,u2:****@h2:5672/v'],
    ['a comma right after the colon', 'rabbit://u1:,p@h1,u2:p2@h2/v', 'rabbit://u1:****@h1,u2:****@h2/v'],
    ['digits then a comma (looks like host:port)', 'rabbit://u1:5,p@h1,u2:p2@h2/v', 'rabbit://u1:****@h1,u2:****@h2/v'],
    ['@ in every netloc', 'rabbit://u1:p@1@h1:5672,u2:p@2@h2:5672/v', 'rabbit://u1:****@h1:5672,u2:****@h2:5672/v'],
  ])('masks a password holding %s', (_what, url, expected) => {
    expect(maskUrl(url)).toBe(expected);
  });

  it('keeps a credential-less host in a multi-host URL', () => {
    expect(maskUrl('rabbit://u1:p1@h1,h2:5672,u3:p3@h3/v')).toBe('rabbit://u1:****@h1,h2:5672,u3:****@h3/v');
  });

  it.each([
    ['postgresql://nova@db1/nova?sslmode=require&password=hunter2', 'postgresql://nova@db1/nova?sslmode=require&password=****'],
    ['postgresql://db1/nova?user=x&PASSWORD=y', 'postgresql://db1/nova?user=x&PASSWORD=****'],
    ['rabbit://h1:5672/?auth_token=abc123&ssl=1', 'rabbit://h1:5672/?auth_token=****&ssl=1'],
    [
      'postgresql://nova:pw@db1/nova?sslmode=verify-full&sslpassword=kp&application_name=x',
      'postgresql://nova:****@db1/nova?sslmode=verify-full&sslpassword=****&application_name=x',
    ],
    ['rabbit://u:p@h1/?client_secret=zz&heartbeat=60', 'rabbit://u:****@h1/?client_secret=****&heartbeat=60'],
  ])('masks secrets in the query string of %s and keeps the other parameters', (url, expected) => {
    expect(maskUrl(url)).toBe(expected);
  });

  it('keeps a query "@" that follows the path', () => {
    expect(maskUrl('postgresql://nova:s3cret@db1/nova?user=a@b')).toBe('postgresql://nova:****@db1/nova?user=a@b');
    expect(maskUrl('postgresql://db1:5432/nova?user=a@b')).toBe('postgresql://db1:5432/nova?user=a@b');
  });

  it.each([
    'postgresql://nova@db1:5432/nova_cell1',
    'postgresql://db1:5432/nova_cell1',
    'postgresql://nova:@db1/nova',
    'none:///',
    'rabbit://h1:5672,h2:5672/',
    'postgresql://{username}:{password}@{hostname}:{port}/{path}_cell1',
    'rabbit://{username1}:{password1}@{hostname1}:{port1},{username2}:{password2}@{hostname2}:{port2}/',
    'postgresql://nova@db1/nova?password={password}',
  ])('leaves %s unchanged (nothing secret in it)', (url) => {
    expect(maskUrl(url)).toBe(url);
  });

  it('passes null and undefined through as null', () => {
    expect(maskUrl(null)).toBeNull();
    expect(maskUrl(undefined)).toBeNull();
  });

  it('keeps an IPv6 host', () => {
    expect(maskUrl('postgresql://nova:s3cret@[::1]:5432/nova')).toBe('postgresql://nova:****@[::1]:5432/nova');
  });

  it.each(['nova:s3cret@db1/nova', 'some garbage with s3cret@ in it', 'user:pass'])('masks %j whole: not a URL', (junk) => {
    expect(maskUrl(junk)).toBe('****');
  });

  it('prefers losing a host to showing a password when commas are ambiguous', () => {
    // "h1:5672" then a password-less "u2": could be a password "5672,u2"; the password never shows.
    expect(maskUrl('rabbit://h1:5672,u2@h2/v')).toBe('rabbit://h1:****@h2/v');
    // An empty user after a comma is a cut password: masked like nova does, no piece shown.
    expect(maskUrl('rabbit://nova:@X,Y@db1:5672/v')).toBe('rabbit://nova:****@db1:5672/v');
  });

  const NASTY = [
    'p@ss',
    'a:b:c',
    'sl/ash',
    'q?uery',
    'ha#sh',
    'p%40ss',
    'co,mma',
    '5672,x',
    ',lead',
    'trail,',
    '@start',
    'end@',
    '::@@//',
    'a@b?c',
    'x?y=z@w',
    'p a s s',
    '100%',
    '[::1]',
    'hunter2&ssl=1',
    'é-ünï-ç😀',
  ];

  it('never shows any of a list of nasty passwords, single and multi-host', () => {
    for (const pw of NASTY) {
      const urls = [
        `postgresql://nova:${pw}@db1.example:5432/nova_cell1`,
        `mysql+pymysql://nova:${pw}@db1.example/nova_cell1?charset=utf8`,
        `rabbit://nova:${pw}@h1.example:5672,cellar:${pw}@h2.example:5672/vhost`,
        `rabbit://a:secret1@h1.example:5672,nova:${pw}@h2.example:5672,c:secret3@[fd00::3]:5672/`,
      ];
      for (const url of urls) {
        const masked = maskUrl(url)!;
        expect(masked, url).not.toContain(pw);
        expect(masked, url).not.toContain('secret1');
        expect(masked, url).not.toContain('secret3');
        expect(masked, url).toMatch(/^[a-z+]+:\/\/(nova|a):\*\*\*\*@/);
      }
    }
  });

  it('never shows a generated password (property)', () => {
    const chars = [...'abcXYZ0129@:/?#%,&=[]! {}+;.~-_'];
    const password = fc
      .array(fc.constantFrom(...chars), { minLength: 4, maxLength: 16 })
      .map((a) => a.join(''))
      .filter((p) => !/^\{password\d*\}$/.test(p));
    fc.assert(
      fc.property(password, password, fc.boolean(), (p1, p2, multi) => {
        const url = multi ? `rabbit://nova:${p1}@h1.example:5672,cellar:${p2}@h2.example:5672/vhost` : `postgresql://nova:${p1}@db1.example:5432/nova_cell1`;
        const masked = maskUrl(url)!;
        expect(masked).not.toContain(p1);
        if (multi) expect(masked).not.toContain(p2);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('splitUrl, splitNetlocs, parseNetloc', () => {
  it('splits a URL into its parts', () => {
    expect(splitUrl('postgresql://nova:pw@db1:5432/nova?sslmode=require#f')).toEqual({
      scheme: 'postgresql',
      netloc: 'nova:pw@db1:5432',
      path: '/nova',
      query: 'sslmode=require',
      fragment: 'f',
      hadQuery: true,
      hadFragment: true,
    });
  });

  it('keeps a raw "@", "/", "?" or "#" of the password in the netloc', () => {
    expect(splitUrl('postgresql://nova:p@s/s?x#y@db1/nova')!.netloc).toBe('nova:p@s/s?x#y@db1');
    expect(splitUrl('postgresql://nova:p@s/s?x#y@db1/nova')!.path).toBe('/nova');
  });

  it('takes a "?" after host:port/path as the query start', () => {
    const parts = splitUrl('postgresql://db1:5432/nova?user=a@b')!;
    expect(parts.netloc).toBe('db1:5432');
    expect(parts.path).toBe('/nova');
    expect(parts.query).toBe('user=a@b');
  });

  it('returns null for something that is not a URL', () => {
    expect(splitUrl('db1:5432/nova')).toBeNull();
    expect(splitUrl('')).toBeNull();
  });

  it('splits multi-host netlocs, gluing commas of a password back', () => {
    expect(splitNetlocs('u1:p1@h1:5672,u2:p2@h2:5672')).toEqual(['u1:p1@h1:5672', 'u2:p2@h2:5672']);
    expect(splitNetlocs('u1:p,1@h1,h2:5672,[fd00::3]:5672')).toEqual(['u1:p,1@h1', 'h2:5672', '[fd00::3]:5672']);
    expect(splitNetlocs('u1:5,p@h1,u2:p2@h2')).toEqual(['u1:5,p@h1', 'u2:p2@h2']);
    expect(splitNetlocs('')).toEqual(['']);
  });

  it('parses one netloc entry', () => {
    expect(parseNetloc('nova:p@ss@db1:5432')).toEqual({ username: 'nova', password: 'p@ss', host: 'db1', port: '5432' });
    expect(parseNetloc('[fd00::1]:5672')).toEqual({ username: null, password: null, host: '[fd00::1]', port: '5672' });
    expect(parseNetloc('guest@h1')).toEqual({ username: 'guest', password: null, host: 'h1', port: null });
  });
});

describe('isTemplate', () => {
  it('tells templates from URLs', () => {
    expect(isTemplate('postgresql://{username}:{password}@{hostname}/nova_cell1')).toBe(true);
    expect(isTemplate('rabbit://{username2}@{hostname2}/')).toBe(true);
    expect(isTemplate('postgresql://nova:pw@db1/nova')).toBe(false);
    expect(isTemplate('postgresql://nova:{{pw}}@db1/nova')).toBe(false);
  });
});

describe('expandTemplate', () => {
  const base = 'postgresql://nova:s3cret@DB.example:5432/nova_api?sslmode=require#frag';

  it('expands the full template; {path} is the base path without its leading "/"', () => {
    expect(expandTemplate('postgresql://{username}:{password}@{hostname}:{port}/{path}_cell1', base)).toBe(
      'postgresql://nova:s3cret@db.example:5432/nova_api_cell1',
    );
  });

  it('expands {scheme}, {query} and {fragment}', () => {
    expect(expandTemplate('{scheme}://{username}:{password}@{hostname}/nova_cell1?{query}', base)).toBe(
      'postgresql://nova:s3cret@db.example/nova_cell1?sslmode=require',
    );
    expect(expandTemplate('{scheme}://{hostname}/c#{fragment}', base)).toBe('postgresql://db.example/c#frag');
  });

  it('turns {{ and }} into literal braces', () => {
    expect(expandTemplate('postgresql://{username}@{hostname}/c1?options={{x}}', base)).toBe('postgresql://nova@db.example/c1?options={x}');
    expect(expandTemplate('postgresql://u:{{{password}}}@h/c1', base)).toBe('postgresql://u:{s3cret}@h/c1');
  });

  it('expands indexed placeholders from a multi-host base', () => {
    const mq = 'rabbit://a:pa@H1.example:5672,b:pb@h2:5673/vh';
    expect(expandTemplate('rabbit://{username1}:{password1}@{hostname1}:{port1},{username2}:{password2}@{hostname2}:{port2}/{path}', mq)).toBe(
      'rabbit://a:pa@h1.example:5672,b:pb@h2:5673/vh',
    );
    // Like Python's urlparse on the whole netloc: {hostname}/{port} come from the last host.
    expect(expandTemplate('{hostname}:{port}', mq)).toBe('h2:5673');
  });

  it('refuses an unknown placeholder, naming it', () => {
    expect(() => expandTemplate('postgresql://{user}@{hostname}/c1', base)).toThrow(DbUrlError);
    expect(() => expandTemplate('postgresql://{user}@{hostname}/c1', base)).toThrow(/\{user\}/);
    // Indexed names exist only for a multi-host base.
    expect(() => expandTemplate('postgresql://{hostname1}/c1', base)).toThrow(/\{hostname1\}/);
  });

  it('refuses a template when there is no base URL', () => {
    expect(() => expandTemplate('postgresql://{username}@{hostname}/c1', null)).toThrow(DbUrlError);
    expect(() => expandTemplate('postgresql://{username}@{hostname}/c1', undefined)).toThrow(/CELLAR_DATABASE_URL is not set/);
  });

  it('refuses an unclosed brace', () => {
    expect(() => expandTemplate('postgresql://{username}@{hostname/c1', base)).toThrow(DbUrlError);
    expect(() => expandTemplate('postgresql://{username}@{hostname/c1', base)).toThrow(/unclosed '\{'/);
  });

  it('returns a URL that is not a template unchanged, with or without a base', () => {
    expect(expandTemplate('postgresql://nova:pw@db1/nova_cell1', base)).toBe('postgresql://nova:pw@db1/nova_cell1');
    expect(expandTemplate('postgresql://nova:pw@db1/nova_cell1', null)).toBe('postgresql://nova:pw@db1/nova_cell1');
  });

  it('keeps the brackets of an IPv6 base host', () => {
    expect(expandTemplate('postgresql://{username}:{password}@{hostname}:{port}/c1', 'postgresql://n:p@[FD00::1]:5432/api')).toBe(
      'postgresql://n:p@[fd00::1]:5432/c1',
    );
  });

  it('gives the raw base password, so a template expands to a URL parseDbUrl reads right', () => {
    const expanded = expandTemplate('postgresql://{username}:{password}@{hostname}/c1', 'postgresql://nova:p@ss@db1/api');
    expect(expanded).toBe('postgresql://nova:p@ss@db1/c1');
    expect(decodeURIComponent(new URL(parseDbUrl(expanded).url).password)).toBe('p@ss');
  });
});

describe('parseDbUrl', () => {
  it('refuses MySQL DSNs with a message about PostgreSQL', () => {
    expect(() => parseDbUrl('mysql+pymysql://nova:pw@db1/nova_cell1')).toThrow(DbUrlError);
    expect(() => parseDbUrl('mysql+pymysql://nova:pw@db1/nova_cell1')).toThrow(/PostgreSQL/);
    expect(() => parseDbUrl('mysql://nova:pw@db1/nova_cell1')).toThrow(/not supported/);
  });

  it('accepts SQLAlchemy driver forms and normalises them to postgresql://', () => {
    expect(parseDbUrl('postgresql+psycopg2://nova:pw@db1:5432/nova_cell1')).toEqual({
      url: 'postgresql://nova:pw@db1:5432/nova_cell1',
      database: 'nova_cell1',
    });
    expect(parseDbUrl('postgres://nova@db1/nova_cell1').url).toBe('postgresql://nova@db1/nova_cell1');
  });

  it('refuses an unexpanded template', () => {
    expect(() => parseDbUrl('postgresql://{username}:{password}@{hostname}/nova_cell1')).toThrow(/template/);
  });

  it('refuses a URL without a database', () => {
    expect(() => parseDbUrl('postgresql://nova:pw@db1:5432')).toThrow(/names no database/);
    expect(() => parseDbUrl('postgresql://nova:pw@db1:5432/')).toThrow(/names no database/);
  });

  it('refuses what is not a PostgreSQL URL, without echoing the password', () => {
    for (const bad of ['nova:s3cret@db1/nova', 'sqlite:///nova.db', 'postgresql:///nova']) {
      let message = '';
      try {
        parseDbUrl(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(DbUrlError);
        message = (e as Error).message;
      }
      expect(message, bad).not.toBe('');
      expect(message).not.toContain('s3cret');
    }
  });

  it.each([
    ['p@ss', 'postgresql://nova:p%40ss@db1:5432/nova'],
    ['p#ss', 'postgresql://nova:p%23ss@db1:5432/nova'],
    ['a@b#c/d?e:f', 'postgresql://nova:a%40b%23c%2Fd%3Fe%3Af@db1:5432/nova'],
    ['100%', 'postgresql://nova:100%25@db1:5432/nova'],
  ])('percent-encodes the raw password %j so new URL() reads it back', (password, expected) => {
    const { url, database } = parseDbUrl(`postgresql://nova:${password}@db1:5432/nova`);
    expect(url).toBe(expected);
    expect(database).toBe('nova');
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.password)).toBe(password);
    expect(parsed.username).toBe('nova');
    expect(parsed.hostname).toBe('db1');
    expect(parsed.port).toBe('5432');
    expect(parsed.pathname).toBe('/nova');
  });

  it('keeps an already percent-encoded password as it is', () => {
    const { url } = parseDbUrl('postgresql://nova:p%40ss@db1/nova');
    expect(url).toBe('postgresql://nova:p%40ss@db1/nova');
    expect(decodeURIComponent(new URL(url).password)).toBe('p@ss');
  });

  it('keeps an IPv6 host and a socket directory in the query', () => {
    expect(parseDbUrl('postgresql://nova:pw@[::1]:5432/nova').url).toBe('postgresql://nova:pw@[::1]:5432/nova');
    expect(parseDbUrl('postgresql://nova@/nova?host=/var/run/postgresql')).toEqual({
      url: 'postgresql://nova@/nova?host=/var/run/postgresql',
      database: 'nova',
    });
  });
});

/** SQLAlchemy's dialect+driver URLs, as nova stores them in cell_mappings.database_connection. */
describe('postgresql+<driver>:// URLs', () => {
  const DRIVERS = ['psycopg2', 'psycopg', 'pg8000', 'asyncpg'];
  const NOVA_URL = 'postgresql+psycopg2://nova:secret@db.example:5432/nova_cell1?sslmode=require';
  /** A driver name as SQLAlchemy spells them: a Python identifier. */
  const driverName = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
  const password = fc
    .array(fc.constantFrom(...'abcXYZ0129@:/?#%,&=[]! {}+;.~-_'), { minLength: 4, maxLength: 16 })
    .map((a) => a.join(''))
    .filter((p) => !/^\{password\d*\}$/.test(p));

  it('tells PostgreSQL schemes, with any driver, from the rest', () => {
    for (const scheme of ['postgres', 'postgresql', 'POSTGRESQL', ...DRIVERS.map((d) => `postgresql+${d}`), 'postgresql+psycopg2cffi', 'PostgreSQL+PsycoPG2']) {
      expect(isPostgresScheme(scheme), scheme).toBe(true);
    }
    for (const scheme of [
      'mysql',
      'mysql+pymysql',
      'mariadb+pymysql',
      'postgresql+',
      'postgresql+1x',
      'postgresql+a+b',
      'postgres+psycopg2',
      'sqlite',
      'pgsql',
      '{scheme}',
    ]) {
      expect(isPostgresScheme(scheme), scheme).toBe(false);
    }
  });

  describe('parseDbUrl', () => {
    it("connects nova's URL as PostgreSQL: the driver is dropped, sslmode kept", () => {
      expect(parseDbUrl(NOVA_URL)).toEqual({ url: 'postgresql://nova:secret@db.example:5432/nova_cell1?sslmode=require', database: 'nova_cell1' });
    });

    it.each(DRIVERS)('accepts postgresql+%s://', (driver) => {
      expect(parseDbUrl(`postgresql+${driver}://nova:pw@db1:5432/nova_cell1?sslmode=verify-full`)).toEqual({
        url: 'postgresql://nova:pw@db1:5432/nova_cell1?sslmode=verify-full',
        database: 'nova_cell1',
      });
    });

    it('reads any driver name, in any case, exactly as it reads postgresql:// (property)', () => {
      fc.assert(
        fc.property(driverName, password, fc.boolean(), (driver, pw, upper) => {
          const scheme = upper ? `PostgreSQL+${driver.toUpperCase()}` : `postgresql+${driver}`;
          const rest = `nova:${pw}@db1.example:5432/nova_cell1?sslmode=require`;
          const read = (url: string) => {
            try {
              return parseDbUrl(url);
            } catch (e) {
              expect(e).toBeInstanceOf(DbUrlError);
              return (e as Error).message;
            }
          };
          expect(read(`${scheme}://${rest}`)).toEqual(read(`postgresql://${rest}`));
        }),
        { numRuns: 1000 },
      );
    });

    it('gives the driver a postgresql:// URL it reads the stored credentials back from (property)', () => {
      fc.assert(
        fc.property(driverName, password, (driver, pw) => {
          const { url, database } = parseDbUrl(`postgresql+${driver}://nova:${encodeURIComponent(pw)}@db1.example:5432/nova_cell1?sslmode=require`);
          expect(database).toBe('nova_cell1');
          const parsed = new URL(url);
          expect(parsed.protocol).toBe('postgresql:');
          expect(decodeURIComponent(parsed.password)).toBe(pw);
          expect([parsed.username, parsed.hostname, parsed.port, parsed.pathname, parsed.search]).toEqual([
            'nova',
            'db1.example',
            '5432',
            '/nova_cell1',
            '?sslmode=require',
          ]);
        }),
        { numRuns: 500 },
      );
    });

    it('drops SQLAlchemy- and driver-only query parameters, keeps the ones postgres.js or the server understand', () => {
      expect(parseDbUrl('postgresql+psycopg2://nova:pw@db1/nova?charset=utf8&sslmode=require&client_encoding=utf8&plugin=dbcounter').url).toBe(
        'postgresql://nova:pw@db1/nova?sslmode=require',
      );
      expect(parseDbUrl('postgresql+psycopg2://nova:pw@db1/nova?charset=utf8').url).toBe('postgresql://nova:pw@db1/nova');
      expect(parseDbUrl('postgresql://nova:pw@db1/nova?CLIENT_ENCODING=UTF8&keepalives=1&keepalives_idle=30&use_batch_mode=true').url).toBe(
        'postgresql://nova:pw@db1/nova',
      );
      const kept = 'sslmode=verify-full&application_name=nova-api&connect_timeout=5&target_session_attrs=read-write&options=-c%20statement_timeout%3D5000';
      expect(parseDbUrl(`postgresql+psycopg://nova:pw@db1/nova?${kept}&charset=utf8`).url).toBe(`postgresql://nova:pw@db1/nova?${kept}`);
      // A TLS file parameter is not dropped: connecting without it would weaken the connection.
      expect(parseDbUrl('postgresql+psycopg2://nova:pw@db1/nova?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem').url).toBe(
        'postgresql://nova:pw@db1/nova?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem',
      );
    });

    it("turns libpq's sslrootcert=system into sslmode=verify-full", () => {
      expect(parseDbUrl('postgresql+psycopg2://nova:pw@db1/nova?sslrootcert=system').url).toBe('postgresql://nova:pw@db1/nova?sslmode=verify-full');
      expect(parseDbUrl('postgresql+psycopg2://nova:pw@db1/nova?sslmode=require&sslrootcert=system&application_name=x').url).toBe(
        'postgresql://nova:pw@db1/nova?application_name=x&sslmode=verify-full',
      );
    });

    it('gives postgres.js the TLS mode, the credentials and no driver-only startup parameter', () => {
      const sql = postgres(parseDbUrl('postgresql+psycopg2://nova:p%40ss@db.example:5433/nova_cell1?sslmode=require&charset=utf8&client_encoding=utf8').url);
      const o = sql.options as unknown as {
        host: string[];
        port: number[];
        database: string;
        user: string;
        pass: string;
        ssl: unknown;
        connection: Record<string, string>;
      };
      expect([o.host, o.port, o.database, o.user, o.pass, o.ssl]).toEqual([['db.example'], [5433], 'nova_cell1', 'nova', 'p@ss', 'require']);
      expect(Object.keys(o.connection)).toEqual(['application_name']);
      const system = postgres(parseDbUrl('postgresql+asyncpg://nova@db.example/nova?sslrootcert=system').url);
      expect(system.options.ssl).toBe('verify-full');
      expect(Object.keys((system.options as unknown as { connection: object }).connection)).toEqual(['application_name']);
    });

    it.each([
      'mysql+pymysql://nova:S3cret@db1/nova_cell1?charset=utf8',
      'mysql+mysqldb://nova:S3cret@db1/nova_cell1',
      'mysql+mysqlconnector://nova:S3cret@db1/nova_cell1',
      'mysql://nova:S3cret@db1/nova_cell1',
      'MySQL+PyMySQL://nova:S3cret@db1/nova_cell1',
      'mariadb+pymysql://nova:S3cret@db1/nova_cell1',
    ])('refuses %s plainly, naming the scheme as written and not the password', (url) => {
      const scheme = url.slice(0, url.indexOf('://'));
      let error: unknown;
      try {
        parseDbUrl(url);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DbUrlError);
      expect((error as Error).message).toBe(
        `${scheme}:// URLs are not supported: Cellar's cell databases are PostgreSQL (postgresql://user:password@host:port/database).`,
      );
    });

    it('refuses an empty or malformed driver name as an unsupported scheme', () => {
      expect(() => parseDbUrl('postgresql+://nova:pw@db1/nova')).toThrow(/^Unsupported URL scheme 'postgresql\+'/);
      expect(() => parseDbUrl('postgresql+a+b://nova:pw@db1/nova')).toThrow(/^Unsupported URL scheme 'postgresql\+a\+b'/);
    });

    it('refuses a driver URL without a database or a host like any other', () => {
      expect(() => parseDbUrl('postgresql+psycopg2://nova:pw@db1:5432/')).toThrow(/names no database/);
      expect(() => parseDbUrl('postgresql+psycopg2:///nova')).toThrow(/names no host/);
    });
  });

  describe('maskUrl', () => {
    it('keeps the scheme as stored, so operators recognise it', () => {
      expect(maskUrl(NOVA_URL)).toBe('postgresql+psycopg2://nova:****@db.example:5432/nova_cell1?sslmode=require');
      for (const driver of DRIVERS) {
        expect(maskUrl(`postgresql+${driver}://nova:s3cret@db1/nova_cell1?charset=utf8&password=qs3cret`)).toBe(
          `postgresql+${driver}://nova:****@db1/nova_cell1?charset=utf8&password=****`,
        );
      }
      expect(maskUrl('postgresql+psycopg2://{username}:{password}@{hostname}:{port}/nova_cell1?{query}')).toBe(
        'postgresql+psycopg2://{username}:{password}@{hostname}:{port}/nova_cell1?{query}',
      );
      expect(maskUrl('mysql+pymysql://nova:s3cret@db1/nova_cell1?charset=utf8')).toBe('mysql+pymysql://nova:****@db1/nova_cell1?charset=utf8');
    });

    it('masks a driver URL as its postgresql:// twin, scheme kept, password never shown (property)', () => {
      fc.assert(
        fc.property(driverName, password, fc.boolean(), (driver, pw, multi) => {
          const rest = multi
            ? `nova:${pw}@db1.example:5432,cellar:${pw}@db2.example:5432/nova_cell1?sslmode=require`
            : `nova:${pw}@db1.example:5432/nova_cell1?sslmode=require`;
          const masked = maskUrl(`postgresql+${driver}://${rest}`)!;
          expect(masked).not.toContain(pw);
          expect(masked).toBe(maskUrl(`postgresql://${rest}`)!.replace(/^postgresql:/, `postgresql+${driver}:`));
        }),
        { numRuns: 2000 },
      );
      fc.assert(
        fc.property(driverName, password, (driver, pw) => {
          expect(maskUrl(`postgresql+${driver}://nova:${encodeURIComponent(pw)}@db1.example:5432/nova_cell1`)).toBe(
            `postgresql+${driver}://nova:****@db1.example:5432/nova_cell1`,
          );
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('expandTemplate', () => {
    const base = 'postgresql+psycopg2://nova:s3cret@DB.example:5432/nova_api?sslmode=require&charset=utf8';

    it('expands {scheme} to the driver form, and the result connects as PostgreSQL', () => {
      const expanded = expandTemplate('{scheme}://{username}:{password}@{hostname}:{port}/nova_cell1?{query}', base);
      expect(expanded).toBe('postgresql+psycopg2://nova:s3cret@db.example:5432/nova_cell1?sslmode=require&charset=utf8');
      expect(parseDbUrl(expanded)).toEqual({ url: 'postgresql://nova:s3cret@db.example:5432/nova_cell1?sslmode=require', database: 'nova_cell1' });
      expect(expandTemplate('{scheme}://{hostname}/{path}_cell0', base)).toBe('postgresql+psycopg2://db.example/nova_api_cell0');
    });

    it('expands a template that names its own driver, from a plain base or a driver base', () => {
      expect(expandTemplate('postgresql+pg8000://{username}:{password}@{hostname}:{port}/nova_cell2', 'postgresql://a:b@h1:5432/api')).toBe(
        'postgresql+pg8000://a:b@h1:5432/nova_cell2',
      );
      expect(expandTemplate('postgresql://{username}:{password}@{hostname}/nova_cell2?{query}', base)).toBe(
        'postgresql://nova:s3cret@db.example/nova_cell2?sslmode=require&charset=utf8',
      );
    });

    it('expands from a driver base as from its postgresql:// twin, {scheme} aside (property)', () => {
      const template = '{scheme}://{username}:{password}@{hostname}:{port}/nova_cell1?{query}';
      fc.assert(
        fc.property(driverName, password, (driver, pw) => {
          const rest = `nova:${pw}@DB1.example:6432/nova_api?sslmode=verify-full&client_encoding=utf8`;
          const expanded = expandTemplate(template, `postgresql+${driver}://${rest}`);
          expect(expanded.startsWith(`postgresql+${driver}://`)).toBe(true);
          expect(expanded).toBe(expandTemplate(template, `postgresql://${rest}`).replace(/^postgresql:/, `postgresql+${driver}:`));
          expect(maskUrl(expanded)).not.toContain(pw);
        }),
        { numRuns: 1000 },
      );
    });

    it('expands to a URL the driver reads the base credentials back from (property)', () => {
      fc.assert(
        fc.property(driverName, password, (driver, pw) => {
          const expanded = expandTemplate(
            '{scheme}://{username}:{password}@{hostname}:{port}/nova_cell1?{query}',
            `postgresql+${driver}://nova:${encodeURIComponent(pw)}@DB1.example:6432/nova_api?sslmode=verify-full&client_encoding=utf8`,
          );
          const parsed = new URL(parseDbUrl(expanded).url);
          expect(parsed.protocol).toBe('postgresql:');
          expect(decodeURIComponent(parsed.password)).toBe(pw);
          expect([parsed.hostname, parsed.port, parsed.pathname, parsed.search]).toEqual(['db1.example', '6432', '/nova_cell1', '?sslmode=verify-full']);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('on a real PostgreSQL server', () => {
    const server = () => process.env.CELLAR_TEST_DATABASE_URL ?? inject('testDatabaseUrl');
    /** The test server's URL with another scheme and these query parameters. */
    const serverAs = (scheme: string, query: string) => {
      const parts = splitUrl(server())!;
      return `${scheme}://${parts.netloc}${parts.path}?${query}`;
    };
    const probe = async (url: string) => {
      const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      try {
        const [row] = await sql<{ app: string; enc: string; text: string }[]>`
          select current_setting('application_name') as app, current_setting('client_encoding') as enc, 'é-ü-😀' as text`;
        return row!;
      } finally {
        await sql.end({ timeout: 2 });
      }
    };

    it.each([...DRIVERS, 'mydriver'])("connects a postgresql+%s:// URL with nova's query parameters", async (driver) => {
      const url = serverAs(`postgresql+${driver}`, 'sslmode=disable&charset=utf8&client_encoding=utf8&plugin=dbcounter&application_name=cellar-url-test');
      expect(await probe(parseDbUrl(url).url)).toEqual({ app: 'cellar-url-test', enc: 'UTF8', text: 'é-ü-😀' });
    });

    it('needs the drop: the server refuses charset= and plugin= as startup parameters', async () => {
      for (const query of ['charset=utf8', 'plugin=dbcounter']) {
        const error = await probe(serverAs('postgresql', query)).catch((e: unknown) => e);
        expect(error, query).toMatchObject({ code: '42704', message: expect.stringMatching(/^unrecognized configuration parameter/) });
      }
    });
  });
});

describe('withCredentials (CELLAR_CELL_DATABASE_USER)', () => {
  it("puts Cellar's role in place of the mapping's, and keeps host, port, database and query", () => {
    expect(withCredentials('postgresql+psycopg2://nova:secret@db.example:5432/nova_cell1?sslmode=require', 'cellar_ro', 'p@ss/word')).toBe(
      'postgresql+psycopg2://cellar_ro:p%40ss%2Fword@db.example:5432/nova_cell1?sslmode=require',
    );
    expect(withCredentials('postgresql://db.example/nova_cell1', 'cellar_ro', null)).toBe('postgresql://cellar_ro@db.example/nova_cell1');
  });
});
