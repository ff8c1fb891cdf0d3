import { headers } from 'next/headers';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { type Resolution, type Role, roleAtLeast } from '@/server/auth/contract';
import { PATH_HEADER, safeNextPath } from '@/server/auth/web-guard';
import { API_DOWN_MESSAGE, isApiDatabaseDown } from '@/server/errors';
import { NavLink } from '../_components/nav-link';
import { MeProvider } from '../_components/require-role';
import { SignOutButton } from '../_components/sign-out-button';
import { requestPrincipal } from '../_trpc/server';

const NAV = [
  { href: '/', label: 'Cells' },
  { href: '/hosts', label: 'Host mappings' },
  { href: '/computes', label: 'Unmapped computes' },
  { href: '/instances', label: 'Instances' },
  { href: '/checks', label: 'Checks' },
  { href: '/cell0', label: 'cell0' },
  { href: '/build-requests', label: 'Build requests' },
] as const;

/** Access control's pages, shown only to the roles that may use them. */
const ACCESS_NAV: readonly { href: string; label: string; role: Role }[] = [
  { href: '/users', label: 'Users', role: 'operator' },
  { href: '/tokens', label: 'Tokens', role: 'operator' },
  { href: '/audit', label: 'Audit', role: 'viewer' },
];

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  // Every console page needs a principal; the proxy only saw that a cookie was there.
  // One resolution per render: the page's prefetches share this request's context (app/_trpc/server.tsx).
  let who: Resolution;
  try {
    who = await requestPrincipal();
  } catch (e) {
    // Stopped or stalled: the api pool's bounds end the wait, and the page says so plainly.
    if (!isApiDatabaseDown(e)) throw e;
    return <ApiDatabaseDown retry={safeNextPath((await headers()).get(PATH_HEADER))} />;
  }
  if (!('principal' in who)) {
    const next = (await headers()).get(PATH_HEADER) ?? '/';
    redirect(`/sign-in?${new URLSearchParams({ next, ...('refused' in who ? { ended: '1' } : {}) })}`);
  }
  const me = who.principal;
  return (
    <div className="flex min-h-screen">
      <nav aria-label="Main" className="w-52 shrink-0 border-r border-zinc-200 bg-white px-3 py-4 dark:border-zinc-800 dark:bg-zinc-900">
        <Link href="/" className="mb-6 block px-2 text-lg font-semibold tracking-tight">
          Cellar
        </Link>
        <ul className="space-y-1">
          {NAV.map((n) => (
            <li key={n.href}>
              <NavLink href={n.href}>{n.label}</NavLink>
            </li>
          ))}
          {ACCESS_NAV.filter((n) => roleAtLeast(me.role, n.role)).map((n) => (
            <li key={n.href}>
              <NavLink href={n.href}>{n.label}</NavLink>
            </li>
          ))}
        </ul>
        <section aria-label="Signed in" className="mt-6 border-t border-zinc-200 px-2 pt-4 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
          <p className="mb-2">
            Signed in as <strong className="text-zinc-900 dark:text-zinc-100">{me.name}</strong> ({me.role}
            {me.kind === 'token' ? ', token' : ''})
          </p>
          {me.kind === 'user' ? <SignOutButton /> : null}
        </section>
      </nav>
      <main className="min-w-0 flex-1 px-8 py-6">
        <MeProvider me={me}>{children}</MeProvider>
      </main>
    </div>
  );
}

/**
 * The whole console needs the api database (who is signed in, the cell mappings): when it
 * does not answer, one plain page instead of the console, with a link that loads it again.
 * (The status stays 200: a layout cannot set one; /api/health and the API answer 503.)
 */
function ApiDatabaseDown({ retry }: { retry: string }) {
  return (
    <main className="mx-auto mt-16 max-w-xl px-4">
      <h1 className="mb-2 text-xl font-semibold">Cellar</h1>
      <section
        role="alert"
        aria-label="The api database does not answer"
        className="rounded border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
      >
        <p className="font-medium">{API_DOWN_MESSAGE}</p>
        <p className="mt-2">
          Nothing in the console can be shown without it.{' '}
          <a href={retry} className="underline">
            Try again
          </a>
          .
        </p>
      </section>
    </main>
  );
}
