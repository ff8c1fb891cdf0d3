import 'server-only';
/**
 * Failed sign-ins are limited per account and per address: 5 failures within 15 minutes
 * lock the account for 15 minutes, 20 lock the address. Attempts are written before the
 * password is checked, so a burst of concurrent guesses counts against itself; an attempt
 * refused by a lock is not a failure and does not extend it.
 */
import type { Deps } from '../deps';

export const SIGN_IN_LIMITS = {
  account: { failures: 5, windowMin: 15, lockMin: 15 },
  address: { failures: 20, windowMin: 15, lockMin: 15 },
} as const;

type LimitDeps = Pick<Deps, 'api' | 'now'>;

export type AttemptStart = { attemptId: number } | { refused: string; retryAfterS: number };

const minutes = (s: number) => Math.max(1, Math.ceil(s / 60));

export function normalizeAttemptName(username: unknown): string {
  return (typeof username === 'string' ? username.trim().toLowerCase() : '').slice(0, 255);
}

function lockedMessage(what: 'account' | 'address', retryAfterS: number): string {
  const wait = `${minutes(retryAfterS)} minute${minutes(retryAfterS) === 1 ? '' : 's'}`;
  return what === 'account'
    ? `Too many failed sign-ins for this account. It is locked; try again in ${wait}.`
    : `Too many failed sign-ins from your address. Try again in ${wait}.`;
}

export async function beginSignInAttempt(deps: LimitDeps, who: { username: string; address: string }): Promise<AttemptStart> {
  const sql = deps.api.sql;
  const now = deps.now().toISOString();
  const at = sql`(${now}::timestamptz at time zone 'utc')`;
  const { account, address } = SIGN_IN_LIMITS;
  const [lock] = await sql<{ account_until: string | null; address_until: string | null }[]>`
    select
      (max(at + make_interval(mins => ${account.lockMin})) filter (where state = 'lock:account' and username = ${who.username}))::text as account_until,
      (max(at + make_interval(mins => ${address.lockMin})) filter (where state = 'lock:address' and address = ${who.address}))::text as address_until
    from cellar.sign_in_attempts
    where state in ('lock:account', 'lock:address') and (username = ${who.username} or address = ${who.address})
      and at > ${at} - make_interval(mins => ${Math.max(account.lockMin, address.lockMin)})`;
  const nowMs = deps.now().getTime();
  const until = (s: string | null | undefined) => (s ? new Date(`${s.replace(' ', 'T')}Z`).getTime() : 0);
  if (until(lock?.account_until) > nowMs) {
    const wait = (until(lock!.account_until) - nowMs) / 1000;
    return { refused: lockedMessage('account', wait), retryAfterS: Math.ceil(wait) };
  }
  if (until(lock?.address_until) > nowMs) {
    const wait = (until(lock!.address_until) - nowMs) / 1000;
    return { refused: lockedMessage('address', wait), retryAfterS: Math.ceil(wait) };
  }

  const [mine] = await sql<{ id: string }[]>`
    insert into cellar.sign_in_attempts (at, username, address, state) values (${at}, ${who.username}, ${who.address}, 'pending') returning id::text`;
  const attemptId = Number(mine!.id);
  // Counted after our own row is in: of N concurrent guesses, the later ones see the earlier.
  const [counts] = await sql<{ account_n: number; address_n: number }[]>`
    select count(*) filter (where username = ${who.username})::int as account_n,
           count(*) filter (where address = ${who.address})::int as address_n
    from cellar.sign_in_attempts
    where state in ('pending', 'failed') and id <> ${attemptId} and (username = ${who.username} or address = ${who.address})
      and at > ${at} - make_interval(mins => ${account.windowMin})`;
  if ((counts?.account_n ?? 0) >= account.failures || (counts?.address_n ?? 0) >= address.failures) {
    await sql`delete from cellar.sign_in_attempts where id = ${attemptId}`;
    const what = (counts?.account_n ?? 0) >= account.failures ? 'account' : 'address';
    const wait = SIGN_IN_LIMITS[what].lockMin * 60;
    return { refused: lockedMessage(what, wait), retryAfterS: wait };
  }
  return { attemptId };
}

/**
 * The attempt's result. A success forgets the account's failures; a failure may complete
 * a set and start a lock (of the account, the address, or both).
 */
export async function finishSignInAttempt(
  deps: LimitDeps,
  attemptId: number,
  who: { username: string; address: string },
  result: 'succeeded' | 'failed' | 'not-counted',
): Promise<void> {
  const sql = deps.api.sql;
  if (result !== 'failed') {
    await sql`delete from cellar.sign_in_attempts where id = ${attemptId}
      ${result === 'succeeded' ? sql`or (username = ${who.username} and state in ('failed'))` : sql``}`;
    return;
  }
  const at = sql`(${deps.now().toISOString()}::timestamptz at time zone 'utc')`;
  const { account, address } = SIGN_IN_LIMITS;
  await sql`update cellar.sign_in_attempts set state = 'failed' where id = ${attemptId}`;
  const [counts] = await sql<{ account_n: number; address_n: number }[]>`
    select count(*) filter (where username = ${who.username})::int as account_n,
           count(*) filter (where address = ${who.address})::int as address_n
    from cellar.sign_in_attempts
    where state = 'failed' and (username = ${who.username} or address = ${who.address})
      and at > ${at} - make_interval(mins => ${account.windowMin})`;
  if ((counts?.account_n ?? 0) >= account.failures) {
    await sql`insert into cellar.sign_in_attempts (at, username, address, state) values (${at}, ${who.username}, '', 'lock:account')`;
  }
  if ((counts?.address_n ?? 0) >= address.failures) {
    await sql`insert into cellar.sign_in_attempts (at, username, address, state) values (${at}, '', ${who.address}, 'lock:address')`;
  }
  // Old rows are only history: drop this account's and address's rows older than a day.
  await sql`delete from cellar.sign_in_attempts
    where (username = ${who.username} or address = ${who.address}) and at < ${at} - interval '1 day'`;
}
