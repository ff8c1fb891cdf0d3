import 'server-only';
import crypto from 'node:crypto';
import { authSecret } from '@/db/api/schema';
import type { ApiHandle } from '@/db/connect';

/**
 * The secret that signs session cookies. BETTER_AUTH_SECRET or CELLAR_AUTH_SECRET when set;
 * otherwise one generated at first start and kept in the api database, so every replica
 * signs with the same one and it never lands in git or in a data directory.
 */
export async function readAuthSecret(api: ApiHandle, env: Record<string, string | undefined> = process.env): Promise<string> {
  const configured = env.CELLAR_AUTH_SECRET?.trim() || env.BETTER_AUTH_SECRET?.trim();
  if (configured) {
    if (configured.length < 32) throw new Error('CELLAR_AUTH_SECRET / BETTER_AUTH_SECRET must be at least 32 characters long.');
    return configured;
  }
  // First writer wins; everyone then reads the same row.
  await api.db
    .insert(authSecret)
    .values({ id: 1, secret: crypto.randomBytes(32).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await api.db.select({ secret: authSecret.secret }).from(authSecret);
  return row!.secret;
}
