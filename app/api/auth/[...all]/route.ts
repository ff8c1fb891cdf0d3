import { handleAuthRequest } from '@/server/auth/auth-handler';
import { runtimeDeps } from '@/server/deps';

export const dynamic = 'force-dynamic';

/** better-auth's sign-in and sign-out (the only two endpoints Cellar exposes). */
const handler = (req: Request) => handleAuthRequest(req, runtimeDeps());

export { handler as GET, handler as POST };
