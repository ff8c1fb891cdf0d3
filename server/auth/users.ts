import 'server-only';
/**
 * Console users: operators add them (console or CLI) with a role and a first password;
 * there is no self sign-up. Passwords are hashed with better-auth's own hashing (scrypt),
 * so its sign-in verifies them. Rules live here once for the console and the CLI.
 */
import crypto from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import type postgres from 'postgres';
import type { z } from 'zod';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { passwordSchema, usernameSchema } from './inputs';
import { type Role, roleSchema } from './roles';

type ApiDeps = Pick<Deps, 'api'>;

/** Exit codes of the user verbs (CLI) for refusals, in nova-manage's spirit: 1 bad input or unknown, 2 exists, 3 last operator. */
export const USER_EXIT = { notFound: 1, exists: 2, lastOperator: 3 } as const;

/** A readable random password (about 128 bits), for `user add` without --password-stdin. */
export function generatePassword(): string {
  return crypto.randomBytes(16).toString('base64url');
}

/** Validate at the domain's edge too (the CLI calls it directly): a bad value is a plain refusal. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // The first problem is enough to act on; the rest usually follow from it.
  throw refuse.invalid(r.error.issues[0]!.message, 1);
}

const syntheticEmail = (username: string) => `${username}@users.cellar.invalid`;

export interface UserRow {
  username: string;
  role: Role;
  createdAt: Date;
  /** When their newest session started (sign-in), if any. */
  lastSignInAt: Date | null;
  activeSessions: number;
}

export async function addUser(deps: ApiDeps, input: { username: string; role: Role; password: string }): Promise<{ username: string; role: Role }> {
  const username = parseInput(usernameSchema, input.username);
  const role = parseInput(roleSchema, input.role);
  const password = parseInput(passwordSchema, input.password);
  const hash = await hashPassword(password);
  const id = crypto.randomUUID();
  const created = await deps.api.sql.begin(async (sql) => {
    // The unique key decides between two operators adding the same name at once.
    const [user] = await sql<{ id: string }[]>`
      insert into cellar.users (id, name, email, email_verified, username, display_username, role)
      values (${id}, ${username}, ${syntheticEmail(username)}, false, ${username}, ${username}, ${role})
      on conflict do nothing
      returning id`;
    if (!user) return false;
    await sql`
      insert into cellar.accounts (id, account_id, provider_id, user_id, password)
      values (${crypto.randomUUID()}, ${id}, 'credential', ${id}, ${hash})`;
    return true;
  });
  if (!created) throw refuse.conflict(`A user named ${username} already exists.`, USER_EXIT.exists);
  return { username, role };
}

export async function listUsers(deps: ApiDeps): Promise<UserRow[]> {
  const rows = await deps.api.sql<{ username: string; role: Role; created_at: string; last_sign_in_at: string | null; active_sessions: number }[]>`
    select u.username, u.role, u.created_at::text,
           max(s.created_at)::text as last_sign_in_at,
           count(s.id) filter (where s.expires_at > (now() at time zone 'utc'))::int as active_sessions
    from cellar.users u
    left join cellar.sessions s on s.user_id = u.id
    group by u.id
    order by u.username`;
  return rows.map((r) => ({
    username: r.username,
    role: r.role,
    createdAt: utcDate(r.created_at)!,
    lastSignInAt: utcDate(r.last_sign_in_at),
    activeSessions: r.active_sessions,
  }));
}

export async function countUsers(deps: ApiDeps): Promise<number> {
  const [row] = await deps.api.sql<{ n: number }[]>`select count(*)::int as n from cellar.users`;
  return row?.n ?? 0;
}

/**
 * Change a user's role. Refuses to demote the last operator (nobody could manage users in
 * the console any more). Takes effect on their next request: roles are read per request.
 */
export async function setUserRole(deps: ApiDeps, input: { username: string; role: Role }): Promise<{ username: string; role: Role; previous: Role }> {
  const username = parseInput(usernameSchema, input.username);
  const role = parseInput(roleSchema, input.role);
  return deps.api.sql.begin(async (sql) => {
    const previous = await lockForOperatorChange(sql, username);
    if (previous.role === 'operator' && role !== 'operator' && previous.operators <= 1) {
      throw refuse.precondition(`${username} is the last operator; make another user an operator first.`, USER_EXIT.lastOperator);
    }
    await sql`update cellar.users set role = ${role}, updated_at = (now() at time zone 'utc') where username = ${username}`;
    return { username, role, previous: previous.role };
  });
}

/** Remove a user; their sessions go with them (foreign key), so they are signed out at once. */
export async function removeUser(deps: ApiDeps, input: { username: string }): Promise<{ username: string; role: Role }> {
  const username = parseInput(usernameSchema, input.username);
  return deps.api.sql.begin(async (sql) => {
    const previous = await lockForOperatorChange(sql, username);
    if (previous.role === 'operator' && previous.operators <= 1) {
      throw refuse.precondition(`${username} is the last operator; make another user an operator first.`, USER_EXIT.lastOperator);
    }
    await sql`delete from cellar.users where username = ${username}`;
    return { username, role: previous.role };
  });
}

/** Set a new password and end the user's sessions, so a leaked session ends with the old password. */
export async function resetPassword(deps: ApiDeps, input: { username: string; password: string }): Promise<{ username: string; sessionsEnded: number }> {
  const username = parseInput(usernameSchema, input.username);
  const password = parseInput(passwordSchema, input.password);
  const hash = await hashPassword(password);
  return deps.api.sql.begin(async (sql) => {
    const [user] = await sql<{ id: string }[]>`select id from cellar.users where username = ${username} for update`;
    if (!user) throw refuse.notFound(`There is no user named ${username}.`, USER_EXIT.notFound);
    const updated = await sql`
      update cellar.accounts set password = ${hash}, updated_at = (now() at time zone 'utc')
      where user_id = ${user.id} and provider_id = 'credential'`;
    if (updated.count === 0) {
      await sql`insert into cellar.accounts (id, account_id, provider_id, user_id, password) values (${crypto.randomUUID()}, ${user.id}, 'credential', ${user.id}, ${hash})`;
    }
    const ended = await sql`delete from cellar.sessions where user_id = ${user.id}`;
    return { username, sessionsEnded: ended.count };
  });
}

/**
 * Lock every operator row (and the user's own), so two concurrent demotions or removals
 * cannot both see "two operators" and leave none.
 */
async function lockForOperatorChange(sql: postgres.TransactionSql, username: string) {
  const rows = await sql<{ username: string; role: Role }[]>`
    select username, role from cellar.users where role = 'operator' or username = ${username} order by id for update`;
  const me = rows.find((r) => r.username === username);
  if (!me) throw refuse.notFound(`There is no user named ${username}.`, USER_EXIT.notFound);
  return { role: me.role, operators: rows.filter((r) => r.role === 'operator').length };
}
