import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import type { Resolution } from '@/server/auth/contract';
import { signInPageNotes } from '@/server/auth/sign-in-page';
import { API_DOWN_MESSAGE, isApiDatabaseDown } from '@/server/errors';
import { requestPrincipal } from '../_trpc/server';
import { landingPath } from './landing';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

/** Sign in with a user name and password; what this installation needs to say first. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const next = landingPath(typeof sp.next === 'string' ? sp.next : null);
  // A session cookie is looked up in the api database: when that does not answer, the page
  // says so (and the form stays, for when it is back) instead of failing.
  let who: Resolution;
  let lookupDown = false;
  try {
    who = await requestPrincipal();
  } catch (e) {
    if (!isApiDatabaseDown(e)) throw e;
    who = { none: true };
    lookupDown = true;
  }
  if ('principal' in who) redirect(next);
  const notes = await signInPageNotes();
  const apiDown = notes.apiDown ?? (lookupDown ? API_DOWN_MESSAGE : null);

  return (
    <main className="mx-auto mt-16 max-w-sm px-4">
      <h1 className="mb-1 text-2xl font-semibold tracking-tight">Cellar</h1>
      <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400">Sign in to the console.</p>
      {apiDown ? (
        <section
          role="alert"
          aria-label="The api database does not answer"
          className="mb-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
        >
          <p className="font-medium">{apiDown}</p>
          <p className="mt-1">
            Signing in needs it.{' '}
            <a href={`/sign-in?${new URLSearchParams({ next })}`} className="underline">
              Try again
            </a>
            .
          </p>
        </section>
      ) : null}
      {sp.ended === '1' ? (
        <p role="status" className="mb-4 rounded border border-zinc-300 bg-white p-3 text-sm dark:border-zinc-700 dark:bg-zinc-900">
          Your session has ended; sign in again.
        </p>
      ) : null}
      {!notes.hasUsers ? (
        <section
          aria-label="No users yet"
          className="mb-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
        >
          <p className="font-medium">This installation has no users yet.</p>
          <p className="mt-1">
            Create the first operator on the server with <code className="font-mono">npx cellar user add NAME --role operator</code>; it prints the password
            once.
          </p>
        </section>
      ) : null}
      <SignInForm next={next} />
      {notes.demoUsers ? (
        <section aria-label="Demo users" className="mt-6 rounded border border-dashed border-zinc-300 p-3 text-sm dark:border-zinc-700">
          <p className="font-medium">
            Demo only <span className="font-normal text-zinc-600 dark:text-zinc-400">(the embedded demo deployment; never on a real one)</span>
          </p>
          <table className="mt-2 w-full text-left text-xs" aria-label="Demo users">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Password</th>
                <th scope="col">Role</th>
              </tr>
            </thead>
            <tbody className="font-mono">
              {notes.demoUsers.map((u) => (
                <tr key={u.username}>
                  <td>{u.username}</td>
                  <td>{u.password}</td>
                  <td>{u.role}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </main>
  );
}
