import Link from 'next/link';
import { NavLink } from '../_components/nav-link';

const NAV = [
  { href: '/', label: 'Cells' },
  { href: '/hosts', label: 'Host mappings' },
  { href: '/computes', label: 'Unmapped computes' },
  { href: '/checks', label: 'Checks' },
] as const;

export default function ConsoleLayout({ children }: { children: React.ReactNode }) {
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
        </ul>
      </nav>
      <main className="min-w-0 flex-1 px-8 py-6">{children}</main>
    </div>
  );
}
