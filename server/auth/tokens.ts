import 'server-only';
/**
 * Automation tokens for scripts and test suites: `Authorization: Bearer cellar_…`. The
 * secret is 256 random bits shown once at creation; only its sha256 is stored (a
 * high-entropy secret needs no slow hash). Tokens carry a role and always expire.
 */
import crypto from 'node:crypto';
import type { z } from 'zod';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import type { Principal, Role } from './roles';
import { createTokenInput } from './inputs';
import { parseInput } from './users';

type TokenDeps = Pick<Deps, 'api' | 'now'>;

export const TOKEN_PREFIX = 'cellar_';

export interface TokenRow {
  id: number;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
  state: 'active' | 'expired' | 'revoked';
}

export const hashTokenSecret = (secret: string) => crypto.createHash('sha256').update(secret).digest('hex');

/** Create a token; the secret is returned here and never again. */
export async function createToken(deps: TokenDeps, input: z.input<typeof createTokenInput>, createdBy: string): Promise<{ token: TokenRow; secret: string }> {
  const { name, role, expiresInDays } = parseInput(createTokenInput, input);
  const secret = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(deps.now().getTime() + expiresInDays * 86_400_000);
  // The partial unique index (name among tokens not revoked) decides concurrent creations.
  const [row] = await deps.api.sql<RawToken[]>`
    insert into cellar.api_tokens (name, role, secret_hash, created_by, expires_at)
    values (${name}, ${role}, ${hashTokenSecret(secret)}, ${createdBy}, ${expiresAt.toISOString()}::timestamptz at time zone 'utc')
    on conflict do nothing
    returning ${tokenColumns(deps)}`;
  if (!row) throw refuse.conflict(`A token named ${name} already exists; revoke it first or choose another name.`, 2);
  return { token: toRow(row), secret };
}

export async function listTokens(deps: TokenDeps): Promise<TokenRow[]> {
  const rows = await deps.api.sql<RawToken[]>`
    select ${tokenColumns(deps)} from cellar.api_tokens order by (revoked_at is not null), created_at desc, id desc`;
  return rows.map(toRow);
}

/** Revoke by id (names repeat once revoked). Revoking twice is refused: nothing to do. */
export async function revokeToken(deps: TokenDeps, input: { id: number }, revokedBy: string): Promise<TokenRow> {
  const [row] = await deps.api.sql<RawToken[]>`
    update cellar.api_tokens set revoked_at = (now() at time zone 'utc'), revoked_by = ${revokedBy}
    where id = ${input.id} and revoked_at is null
    returning ${tokenColumns(deps)}`;
  if (row) return toRow(row);
  const [exists] = await deps.api.sql`select 1 from cellar.api_tokens where id = ${input.id}`;
  if (!exists) throw refuse.notFound(`There is no token with id ${input.id}.`);
  throw refuse.conflict('This token is already revoked.');
}

/**
 * The principal a bearer secret stands for, or the plain reason it is refused. Marks the
 * token used at most once a minute (a conditional UPDATE, not a write per request).
 */
export async function authenticateToken(deps: TokenDeps, secret: string): Promise<{ principal: Principal } | { refused: string }> {
  if (!secret.startsWith(TOKEN_PREFIX)) return { refused: 'This is not a Cellar token (they start with cellar_).' };
  const [row] = await deps.api.sql<RawToken[]>`
    select ${tokenColumns(deps)} from cellar.api_tokens where secret_hash = ${hashTokenSecret(secret)}`;
  if (!row) return { refused: 'This token is not valid.' };
  const token = toRow(row);
  if (token.state === 'revoked') return { refused: `The token ${token.name} was revoked; ask an operator for a new one.` };
  if (token.state === 'expired') return { refused: `The token ${token.name} expired at ${token.expiresAt.toISOString()}; ask an operator for a new one.` };
  void deps.api.sql`
    update cellar.api_tokens set last_used_at = (now() at time zone 'utc')
    where id = ${token.id} and (last_used_at is null or last_used_at < (now() at time zone 'utc') - interval '1 minute')`.catch(() => {});
  return { principal: { kind: 'token', name: token.name, role: token.role } };
}

interface RawToken {
  id: number;
  name: string;
  role: Role;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  last_used_at: string | null;
  expired: boolean;
}

/** `expired` is decided against deps.now() so tests can move the clock. */
function tokenColumns(deps: TokenDeps) {
  const now = deps.now().toISOString();
  return deps.api.sql`id, name, role, created_by, created_at::text, expires_at::text, revoked_at::text, revoked_by, last_used_at::text,
    expires_at <= (${now}::timestamptz at time zone 'utc') as expired`;
}

function toRow(r: RawToken): TokenRow {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    createdBy: r.created_by,
    createdAt: utcDate(r.created_at)!,
    expiresAt: utcDate(r.expires_at)!,
    revokedAt: utcDate(r.revoked_at),
    revokedBy: r.revoked_by,
    lastUsedAt: utcDate(r.last_used_at),
    state: r.revoked_at ? 'revoked' : r.expired ? 'expired' : 'active',
  };
}
