/**
 * Nothing a viewer or a support user can ask for holds a secret. On the demo deployment
 * with a cell whose URLs carry real passwords, users, sessions, a token, and audit rows of
 * operators handling those secrets, every query procedure of the app router is called as
 * a viewer and as a support user, and every answer (or refusal) is searched for the
 * database and broker passwords, the token secret, users' passwords and password hashes,
 * and session tokens.
 */
import { TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { type DemoSummary, seedDemo } from '../demo/seed';
import { REPAIR_KINDS } from '../repairs/contract';
import { CELL0_UUID } from '../nova/constants';
import { appRouter, createCaller } from '../root';
import { createContext } from '../trpc';
import { handleAuthRequest } from './auth-handler';
import { authTestDeps, cookieFrom, signInRequest } from './testing';
import { addUser } from './users';

type Caller = ReturnType<typeof createCaller>;
type Proc = { _def: { type: string } };

const DB_PASSWORD = 'Db-pa55word-in-a-cell-url';
const MQ_PASSWORD = 'Mq-pa55word-in-a-transport-url';
let dep: TestDeployment;
let demo: DemoSummary;
let secretCellUuid: string;
let jobId: number;
const needles: Record<string, string> = {};
const callers: Record<'viewer' | 'support', Caller> = {} as never;

function withPassword(url: string, password: string): string {
  const u = new URL(url.replace(/^postgres(ql)?:/, 'http:'));
  u.username ||= 'postgres';
  u.password = password;
  return u.toString().replace(/^http:/, 'postgresql:');
}

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  demo = await seedDemo({ api: dep.api, cells: { cell0: dep.cell0, cell1: dep.cells[0]!, cell2: dep.cells[1]! } });
  // A cell that answers (the test server trusts local connections, so the password is
  // accepted as is) and whose stored URLs hold passwords.
  const db = await dep.createCellDatabase();
  const cell = await dep.addCell({
    name: 'cell-with-secrets',
    url: withPassword(db.url, DB_PASSWORD),
    transportUrl: `rabbit://nova:${MQ_PASSWORD}@mq1.example.net:5672,nova:${MQ_PASSWORD}@mq2.example.net:5672/nova`,
  });
  secretCellUuid = cell.uuid;
  needles['cell database password'] = DB_PASSWORD;
  needles['cell transport password'] = MQ_PASSWORD;
  const serverPassword = new URL(dep.serverUrl.replace(/^postgres(ql)?:/, 'http:')).password;
  if (serverPassword) needles['test server password'] = decodeURIComponent(serverPassword);

  const deps = authTestDeps(dep);
  const passwords = { viewer: 'viewer-secret-pw-1', support: 'support-secret-pw-2', operator: 'operator-secret-pw-3' };
  const cookies: Record<string, string> = {};
  for (const [role, password] of Object.entries(passwords)) {
    await addUser(deps, { username: role, role: role as 'viewer', password });
    needles[`${role}'s password`] = password;
    cookies[role] = cookieFrom(await handleAuthRequest(signInRequest(role, password), deps));
  }
  const caller = (cookie: string) => createCaller(() => createContext({ headers: new Headers({ cookie }), deps: () => deps }));
  callers.viewer = caller(cookies.viewer!);
  callers.support = caller(cookies.support!);

  // Operators handle secrets; what they did lands in the audit log a viewer reads.
  const operator = caller(cookies.operator!);
  const { secret } = await operator.auth.tokens.create({ name: 'ci-suite', role: 'support', expiresInDays: 7 });
  needles['token secret'] = secret;
  const added = await operator.auth.users.add({ username: 'newbie', role: 'viewer' });
  needles["a generated user's password"] = added.generatedPassword!;
  await operator.auth.users.add({ username: 'typed', role: 'viewer', password: 'typed-in-password-9' });
  needles["a typed user's password"] = 'typed-in-password-9';
  jobId = (await operator.jobs.startMapInstances({ cellUuid: secretCellUuid })).job.id;
  const revealed = await operator.auth.revealUrls({ uuid: secretCellUuid });
  expect(revealed.databaseConnection).toContain(DB_PASSWORD);
  await operator.cells
    .create({ name: 'another', transportUrl: `rabbit://nova:${MQ_PASSWORD}@mq3.example.net/`, databaseConnection: withPassword(db.url, DB_PASSWORD) })
    .catch(() => undefined);

  for (const r of await dep.api.sql<{ password: string }[]>`select password from cellar.accounts where password is not null`)
    needles[`hash ${r.password.slice(0, 8)}`] = r.password;
  for (const r of await dep.api.sql<{ token: string }[]>`select token from cellar.sessions`) needles[`session ${r.token.slice(0, 4)}`] = r.token;
}, 120_000);
afterAll(() => dep?.close());

/** The smallest valid inputs that make each query show what it has (one call per entry). */
function inputsFor(path: string): unknown[] {
  const cells = [CELL0_UUID, dep.cells[0]!.uuid, dep.cells[1]!.uuid, secretCellUuid];
  switch (path) {
    case 'cells.detail':
      return cells.map((uuid) => ({ uuid }));
    case 'hosts.mappings':
      return [{}, { cell: secretCellUuid }];
    case 'instances.list':
      return [{}, { sort: 'created_at', dir: 'asc', limit: 200 }];
    case 'instances.findByName':
      return [{ name: 'web-prod-01' }, { name: 'web-prod-01', cellUuids: [secretCellUuid] }];
    case 'instances.lookup':
      return [{ uuid: demo.quotaRecheckErrorUuid }, { uuid: demo.cell0.twoFaultsUuid }, { uuid: demo.buildRequests.fresh[0] }];
    case 'triage.cell0.list':
      return [{ limit: 200 }];
    case 'triage.cell0.groups':
      return [{}];
    case 'triage.cell0.get':
      return [{ uuid: demo.cell0.twoFaultsUuid }];
    case 'triage.cell0.export':
      return [{ format: 'json' }, { format: 'csv' }];
    case 'triage.buildRequests.list':
      return [{}];
    case 'jobs.get':
      return [{ id: jobId }];
    case 'jobs.listForCell':
      return cells.map((cellUuid) => ({ cellUuid }));
    case 'auth.audit.list':
      return [{ limit: 200 }];
    case 'repairs.plan':
      // Every kind, over every cell and over the cell whose URL holds the secret.
      return REPAIR_KINDS.flatMap((kind) => [{ kind }, ...(kind === 'orphan_instance_mappings' ? [] : [{ kind, cellUuid: secretCellUuid }])]);
    case 'repairs.jobs':
      return REPAIR_KINDS.map((kind) => ({ kind }));
    default:
      // A query added later: with no input, or an empty object. If neither is valid the
      // test below fails and asks for an entry here.
      return [undefined, {}];
  }
}

async function ask(caller: Caller, path: string, input: unknown): Promise<{ text: string; code: string | null }> {
  const fn = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (i?: unknown) => Promise<unknown>;
  try {
    const value = await fn(input);
    // What goes over the wire: superjson, as the HTTP handler sends it.
    return { text: JSON.stringify(superjson.serialize(value)), code: null };
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { text: JSON.stringify({ code: e.code, message: e.message }), code: e.code };
  }
}

const queries = Object.entries(appRouter._def.procedures as unknown as Record<string, Proc>)
  .filter(([, p]) => p._def.type === 'query')
  .map(([path]) => path)
  .sort();

describe.each(['viewer', 'support'] as const)('as %s', (role) => {
  it.each(queries)('%s answers without a secret', async (path) => {
    const answers = [];
    for (const input of inputsFor(path)) answers.push(await ask(callers[role], path, input));
    // Each query must really be exercised: at least one input that passes validation.
    expect(
      answers.some((a) => a.code !== 'BAD_REQUEST'),
      `${path}: give it a minimal valid input in inputsFor()`,
    ).toBe(true);
    const all = answers.map((a) => a.text).join('\n');
    for (const [what, needle] of Object.entries(needles)) {
      expect(all.includes(needle), `${path} as ${role} shows the ${what}`).toBe(false);
    }
  });
});

it('really looked at the cell with secrets and at the audit of secret handling', async () => {
  const detail = await ask(callers.viewer, 'cells.detail', { uuid: secretCellUuid });
  expect(detail.code).toBeNull();
  expect(detail.text).toContain('mq1.example.net');
  expect(detail.text).toContain('****');
  const audit = await ask(callers.viewer, 'auth.audit.list', { limit: 200 });
  for (const action of ['auth.tokens.create', 'auth.users.add', 'auth.revealUrls', 'cells.create']) expect(audit.text).toContain(action);
});
