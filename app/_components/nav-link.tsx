'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

export function NavLink({ href, children, prefetch }: { href: string; children: React.ReactNode; prefetch?: boolean }) {
  const path = usePathname();
  const active = href === '/' ? path === '/' : path.startsWith(href);
  return (
    <Link
      href={href}
      prefetch={prefetch}
      aria-current={active ? 'page' : undefined}
      className={`block rounded px-2 py-1.5 text-sm ${active ? 'bg-zinc-100 font-medium dark:bg-zinc-800' : 'text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800'}`}
    >
      {children}
    </Link>
  );
}
