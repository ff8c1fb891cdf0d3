/**
 * `cellar user …` and `cellar audit`, and the audit of every CLI write verb (with the OS
 * user as actor, refusals included), on real PostgreSQL.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { handleAuthRequest } from '../auth/auth-handler';
import { authTestDeps, cookieFrom, signInRequest } from '../auth/testing';
import { runCli } from './testing';

let dep: TestDeployment;
const cli = (args: string[]) => runCli(args, { apiUrl: dep.apiUrl });
const me = os.userInfo().username;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
});
afterAll(() => dep?.close());

interface AuditDbRow {
  actor: string;
  actor_kind: string;
  role: string | null;
  source: string;
  action: string;
  target: string | null;
  input: Record<string, unknown>;
  outcome: string;
  reason: string | null;
  exit_code: number | null;
}
async function lastAudit(action: string): Promise<AuditDbRow | undefined> {
  const [row] = await dep.api.sql<AuditDbRow[]>`
    select actor, actor_kind, role, source, action, target, input, outcome, reason, exit_code
    from cellar.audit_log where action = ${action} order by id desc limit 1`;
  return row;
}

function cliWithStdin(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve('bin/cellar.mjs'), ...args], {
      env: { ...process.env, CELLAR_API_DATABASE_URL: dep.apiUrl, CELLAR_DATABASE_URL: dep.apiUrl, NODE_ENV: 'test' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() }));
    child.stdin.end(stdin);
  });
}

describe('cellar user', () => {
  it('adds the first operator with a generated password printed once, which signs in to the console', async () => {
    const r = await cli(['user', 'add', 'Ops1', '--role', 'operator']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Added user ops1 with the operator role.');
    const password = /^Password for ops1 \(shown once; store it now\): (\S+)$/.exec(lines[1]!)?.[1];
    expect(password).toBeDefined();
    const res = await handleAuthRequest(signInRequest('ops1', password!), authTestDeps(dep));
    expect(res.status).toBe(200);
    const [stored] = await dep.api.sql<{ password: string }[]>`
      select a.password from cellar.accounts a join cellar.users u on u.id = a.user_id where u.username = 'ops1'`;
    expect(stored!.password).not.toContain(password!);

    const row = await lastAudit('user add');
    expect(row).toMatchObject({ actor: me, actor_kind: 'cli', role: 'operator', source: 'cli', target: 'user Ops1', outcome: 'done', exit_code: 0 });
    expect(JSON.stringify(row)).not.toContain(password!);
  });

  it('takes the password from stdin with --password-stdin and prints none', async () => {
    const r = await cliWithStdin(['user', 'add', 'piped', '--role', 'viewer', '--password-stdin'], 'piped-password-123\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Added user piped with the viewer role.');
    expect((await handleAuthRequest(signInRequest('piped', 'piped-password-123'), authTestDeps(dep))).status).toBe(200);
  }, 60_000);

  it('refuses a name that is taken (exit 2), a role that does not exist and a short password (exit 1), each audited as refused', async () => {
    const taken = await cli(['user', 'add', 'ops1', '--role', 'viewer']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toBe('A user named ops1 already exists.');
    expect(await lastAudit('user add')).toMatchObject({ actor: me, outcome: 'refused', reason: 'A user named ops1 already exists.', exit_code: 2 });

    const role = await cli(['user', 'add', 'someone', '--role', 'admin']);
    expect(role.code).toBe(1);
    expect(role.stderr).toBe('a role is one of viewer, support, operator');

    const short = await cliWithStdin(['user', 'add', 'shorty', '--role', 'viewer', '--password-stdin'], 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('a password is at least 10 characters');
    const [n] = await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.users where username in ('someone', 'shorty')`;
    expect(n!.n).toBe(0);
  }, 60_000);

  it('lists users with their roles, as a table and as JSON, and never a password hash', async () => {
    const table = await cli(['user', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\|\s+ops1\s+\|\s+operator\s+\|/);
    const json = await cli(['user', 'list', '--json']);
    const users = JSON.parse(json.stdout) as { username: string; role: string }[];
    expect(users.map((u) => [u.username, u.role])).toEqual([
      ['ops1', 'operator'],
      ['piped', 'viewer'],
    ]);
    expect(json.stdout).not.toMatch(/scrypt|\$|password/i);
    // A read is not audited.
    expect(await lastAudit('user list')).toBeUndefined();
  });

  it('will not demote or remove the last operator (exit 3), and does once there is another', async () => {
    const demote = await cli(['user', 'set-role', 'ops1', 'viewer']);
    expect(demote.code).toBe(3);
    expect(demote.stderr).toBe('ops1 is the last operator; make another user an operator first.');
    expect((await cli(['user', 'remove', 'ops1'])).code).toBe(3);

    expect((await cli(['user', 'set-role', 'piped', 'operator'])).stdout).toBe('piped: viewer → operator.');
    expect((await cli(['user', 'set-role', 'ops1', 'support'])).stdout).toBe('ops1: operator → support.');
    expect(await lastAudit('user set-role')).toMatchObject({
      actor: me,
      outcome: 'done',
      target: 'user ops1',
      input: { args: ['ops1', 'support'], username: 'ops1' },
    });
  });

  it('resets a password: the old one stops working and open sessions end', async () => {
    const cookie = cookieFrom(await handleAuthRequest(signInRequest('piped', 'piped-password-123'), authTestDeps(dep)));
    expect(cookie).toContain('cellar.session_token=');
    const r = await cli(['user', 'reset-password', 'piped']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^New password set for piped; [1-9]\d* sessions? ended\.$/);
    const fresh = /: (\S+)$/.exec(r.stdout.split('\n')[1]!)![1]!;
    expect((await handleAuthRequest(signInRequest('piped', 'piped-password-123', { address: '192.0.2.77' }), authTestDeps(dep))).status).toBe(401);
    expect((await handleAuthRequest(signInRequest('piped', fresh), authTestDeps(dep))).status).toBe(200);
  });

  it('removes a user, and an unknown one is refused with exit 1', async () => {
    expect((await cli(['user', 'remove', 'ops1'])).stdout).toBe('Removed user ops1 (support); their sessions have ended.');
    const again = await cli(['user', 'remove', 'ops1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('There is no user named ops1.');
    expect(await lastAudit('user remove')).toMatchObject({ outcome: 'refused', reason: 'There is no user named ops1.', exit_code: 1 });
  });
});

describe('audit of CLI write verbs', () => {
  it('records a write verb with the OS user and its options, URLs masked', async () => {
    const r = await cli(['db', 'sync']);
    expect(r.code).toBe(0);
    expect(await lastAudit('db sync')).toMatchObject({ actor: me, actor_kind: 'cli', source: 'cli', outcome: 'done', exit_code: 0 });

    const created = await cli([
      'create_cell',
      '--name',
      'audited',
      '--transport-url',
      'rabbit://nova:mq-s3cret@mq.example.net:5672/',
      '--database_connection',
      'postgresql://nova:db-s3cret@127.0.0.1:1/x',
    ]);
    const row = await lastAudit('create_cell');
    expect(row).toMatchObject({ actor: me, exit_code: created.code });
    expect(JSON.stringify(row)).not.toMatch(/s3cret/);
    expect(row!.input).toMatchObject({ name: 'audited', transportUrl: 'rabbit://nova:****@mq.example.net:5672/' });
  });

  it("records a refused write with nova's exit code and the message the command printed", async () => {
    const unknown = '9d0c0b7e-0000-4000-8000-00000000beef';
    const r = await cli(['delete_cell', '--cell_uuid', unknown]);
    expect(r.code).toBe(1);
    expect(await lastAudit('delete_cell')).toMatchObject({
      actor: me,
      outcome: 'refused',
      reason: `Cell with uuid ${unknown} was not found.`,
      exit_code: 1,
      target: `cell ${unknown}`,
    });
  });

  it('writes the row before the verb runs: when it cannot be written, nothing is done (exit 1, one plain line)', async () => {
    await dep.api.sql.unsafe(`
      create function cellar.test_refuse_cli_audit() returns trigger language plpgsql as
        $$ begin if new.action = 'user add' and new.input->>'username' = 'unaudited' then raise exception 'audit refused by test'; end if; return new; end $$;
      create trigger test_refuse_cli_audit before insert on cellar.audit_log for each row execute function cellar.test_refuse_cli_audit();`);
    try {
      const r = await cli(['user', 'add', 'unaudited', '--role', 'viewer']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the audit log could not be written, so nothing was done');
      expect(r.stderr).not.toContain('audit refused by test');
      const [n] = await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.users where username = 'unaudited'`;
      expect(n!.n).toBe(0);
    } finally {
      await dep.api.sql.unsafe('drop trigger test_refuse_cli_audit on cellar.audit_log; drop function cellar.test_refuse_cli_audit();');
    }
    // A verb that ran has one row, started then finished: no row is left 'started'.
    const done = await cli(['user', 'add', 'audited-once', '--role', 'viewer']);
    expect(done.code).toBe(0);
    const rows = await dep.api.sql<
      { outcome: string }[]
    >`select outcome from cellar.audit_log where action = 'user add' and input->>'username' = 'audited-once'`;
    expect(rows).toEqual([{ outcome: 'done' }]);
  });

  it('puts every argument through the input guard: an argument too long is one plain line, exit 1, nothing run', async () => {
    const write = await cli(['delete_cell', '--cell_uuid', 'x'.repeat(20_000)]);
    expect(write.code).toBe(1);
    expect(write.stderr).toContain('cell_uuid: too long (at most 10000 characters)');
    expect(await lastAudit('delete_cell')).toMatchObject({ outcome: 'refused', exit_code: 1 });
    const read = await cli(['verify_instance', '--uuid', 'y'.repeat(20_000)]);
    expect(read.code).toBe(1);
    expect(read.stderr).toContain('uuid: too long');
  });

  it('does not record reads or help', async () => {
    const before = await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.audit_log`;
    await cli(['list_cells']);
    await cli(['delete_cell', '--help']);
    const after = await dep.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.audit_log`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});

describe('cellar audit', () => {
  it('prints the newest entries first, filters by time and outcome, and as JSON', async () => {
    const table = await cli(['audit']);
    expect(table.code).toBe(0);
    const body = table.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.includes('Time (UTC)'));
    expect(body[0]).toMatch(/\|\s+delete_cell\s+\|/);
    expect(body[0]).toContain(`${me} (cli)`);

    const refused = JSON.parse((await cli(['audit', '--outcome', 'refused', '--json'])).stdout) as { outcome: string; action: string }[];
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.outcome === 'refused')).toBe(true);

    const future = await cli(['audit', '--since', '2999-01-01T00:00:00Z']);
    expect(future.stdout).toBe('No audit entries match.');
    const all = JSON.parse((await cli(['audit', '--since', '2000-01-01', '--json'])).stdout) as unknown[];
    expect(all.length).toBeGreaterThan(5);
  });

  it('refuses a --since that is not a time, with exit 1 and a plain line', async () => {
    const r = await cli(['audit', '--since', 'yesterday']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('--since must be an ISO 8601 date or time, e.g. 2026-11-21 or 2026-11-21T09:00:00Z');
  });
});
