import 'server-only';
/**
 * The embedded demo's users, one per role. Demo only: created when the embedded default
 * generates its demo deployment, documented in the README and shown on the sign-in page
 * of that installation alone. Never created for a configured api database.
 */
import type { ApiHandle } from '@/db/connect';
import type { Role } from './roles';
import { addUser } from './users';

export const DEMO_USERS: readonly { username: string; role: Role; password: string }[] = [
  { username: 'viewer', role: 'viewer', password: 'viewer-demo-password' },
  { username: 'support', role: 'support', password: 'support-demo-password' },
  { username: 'operator', role: 'operator', password: 'operator-demo-password' },
];

/**
 * Create the demo users once per demo installation (also on a demo made before users
 * existed); the marker is set after they exist, so a start that dies half-way tries again,
 * and a demo user an operator removed later stays removed. Two processes starting
 * together both try: the unique user name keeps one of each.
 */
export async function ensureDemoUsers(api: ApiHandle): Promise<boolean> {
  const pending = await api.sql`
    select id from cellar.installation
    where id = 1 and notes->>'demo' = 'true' and notes->>'embedded' = 'true' and not (notes ? 'demoUsers')`;
  if (pending.length === 0) return false;
  for (const u of DEMO_USERS) {
    await addUser({ api }, u).catch((e: unknown) => {
      if ((e as { kind?: string }).kind !== 'conflict') throw e;
    });
  }
  await api.sql`update cellar.installation set notes = notes || '{"demoUsers": true}'::jsonb where id = 1`;
  return true;
}

/** What the sign-in page may say about this installation. */
export async function signInNotes(api: ApiHandle): Promise<{ hasUsers: boolean; demoUsers: typeof DEMO_USERS | null }> {
  const [row] = await api.sql<{ users: number; demo: boolean }[]>`
    select (select count(*)::int from cellar.users) as users,
           coalesce((select notes->>'demo' = 'true' and notes->>'embedded' = 'true' and notes ? 'demoUsers' from cellar.installation where id = 1), false) as demo`;
  return { hasUsers: (row?.users ?? 0) > 0, demoUsers: row?.demo ? DEMO_USERS : null };
}
