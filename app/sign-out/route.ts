import { handleSignOutForm } from '@/server/auth/auth-handler';
import { runtimeDeps } from '@/server/deps';

export const dynamic = 'force-dynamic';

/** The console's sign-out form posts here; the session row is deleted and the cookie cleared. */
export function POST(req: Request) {
  return handleSignOutForm(req, runtimeDeps());
}
