import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { type Resolution, type Role, roleAtLeast } from '@/server/auth/contract';
import { PATH_HEADER, safeNextPath } from '@/server/auth/web-guard';
import { API_DOWN_MESSAGE, isApiDatabaseDown } from '@/server/errors';
import { ConsoleNav } from '../_components/console-nav';
import { NavLink } from '../_components/nav-link';
import { MeProvider } from '../_components/require-role';
import { Shortcuts, ShortcutsButton } from '../_components/shortcuts';
import { SignOutButton } from '../_components/sign-out-button';
import { requestPrincipal } from '../_trpc/server';

const NAV: readonly { href: string; label: string; prefetch?: boolean }[] = [
  { href: '/overview', label: 'Overview' },
  { href: '/', label: 'Cells' },
  { href: '/hosts', label: 'Host mappings' },
  { href: '/computes', label: 'Unmapped computes' },
  { href: '/instances', label: 'Instances' },
  { href: '/checks', label: 'Checks' },
  { href: '/cell0', label: 'cell0' },
  { href: '/build-requests', label: 'Build requests' },
  { href: '/repairs', label: 'Repairs' },
];

/** Access control's pages, shown only to the roles that may use them. */
const ACCESS_NAV: readonly { href: string; label: string; role: Role }[] = [
  { href: '/users', label: 'Users', role: 'operator' },
  { href: '/tokens', label: 'Tokens', role: 'operator' },
  { href: '/archive', label: 'Archive and purge', role: 'operator' },
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
    <div className="flex min-h-screen flex-col md:flex-row">
      {/* The first thing Tab reaches: past the navigation to the page. */}
      <a
        href="#content"
        className="sr-only rounded bg-white px-3 py-2 text-sm font-medium text-sky-800 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 dark:bg-zinc-900 dark:text-sky-300"
      >
        Skip to content
      </a>
      <ConsoleNav>
        <ul className="space-y-1">
          {NAV.map((n) => (
            <li key={n.href}>
              <NavLink href={n.href} prefetch={n.prefetch}>
                {n.label}
              </NavLink>
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
        <div className="mt-4 px-0.5">
          <ShortcutsButton />
        </div>
      </ConsoleNav>
      {/* tabIndex -1: the skip link moves focus here, so the next Tab starts in the page. */}
      <main id="content" tabIndex={-1} className="min-w-0 flex-1 px-4 py-4 break-words md:px-8 md:py-6">
        <MeProvider me={me}>{children}</MeProvider>
      </main>
      <Shortcuts />
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
