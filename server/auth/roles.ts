/**
 * Roles and principals: who is asking, and what they may do. viewer < support < operator.
 * viewer reads everything and never sees a secret; support also deletes cell0 instances and
 * build requests and exports; operator does everything, including users and tokens.
 */
import { z } from 'zod';

export const ROLES = ['viewer', 'support', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const roleSchema = z.enum(ROLES, { message: `a role is one of ${ROLES.join(', ')}` });

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/**
 * Who is asking. `user`: signed in to the console; `token`: an automation token;
 * `cli`: the OS user running `cellar` (it holds the database credentials, so it is an
 * operator); `internal`: server code calling procedures in-process (tests, scripts).
 */
export interface Principal {
  kind: 'user' | 'token' | 'cli' | 'internal';
  name: string;
  role: Role;
}

/** What the credentials of a request amount to: a principal, none at all, or a plain reason they were refused. */
export type Resolution = { principal: Principal } | { none: true } | { refused: string };

export const SIGN_IN_FIRST = 'Sign in first.';

export function forbiddenMessage(min: Role, principal: Principal): string {
  const as = principal.kind === 'token' ? `the token ${principal.name} has the ${principal.role} role` : `you are signed in as ${principal.role}`;
  return `This needs the ${min} role; ${as}.`;
}
