import 'server-only';
/**
 * What the sign-in page needs of the server, as one domain function: the page asks, this
 * module holds the database handle. (Who the request already is comes from the server
 * caller's context, app/_trpc/server.tsx, like every other page.)
 */
import { API_DOWN_MESSAGE, isApiDatabaseDown } from '@/db/api-unavailable';
import { type Deps, runtimeDeps } from '../deps';
import { type DEMO_USERS, signInNotes } from './demo-users';

export interface SignInPageNotes {
  /** False on an installation with no users at all: the page says how to make the first operator. */
  hasUsers: boolean;
  /** The embedded demo's users and passwords, on the demo alone; null everywhere else. */
  demoUsers: typeof DEMO_USERS | null;
  /**
   * The line to show instead when the api database does not answer (stopped or stalled; the
   * api pool's bounds end the wait), so the page is a plain notice rather than an error.
   */
  apiDown: string | null;
}

/** What the sign-in page may say about this installation. */
export async function signInPageNotes(deps: Pick<Deps, 'api'> = runtimeDeps()): Promise<SignInPageNotes> {
  try {
    return { ...(await signInNotes(deps.api)), apiDown: null };
  } catch (e) {
    if (!isApiDatabaseDown(e)) throw e;
    // Nothing is known about the users; the notice says why.
    return { hasUsers: true, demoUsers: null, apiDown: API_DOWN_MESSAGE };
  }
}
