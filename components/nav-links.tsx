'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { SIGN_IN_PATH } from '@/lib/auth/client-safe';

const LINKS = [
  { href: '/', label: 'Leads', active: (p: string) => p === '/' || p.startsWith('/leads/') },
  { href: '/validate', label: 'Backtest', active: (p: string) => p.startsWith('/validate') },
];

export function NavLinks() {
  const pathname = usePathname();
  // Signed out, these pages only lead back to sign-in.
  if (pathname === SIGN_IN_PATH) return null;
  return (
    <ul className="flex items-center gap-1">
      {LINKS.map((link) => {
        const active = link.active(pathname);
        return (
          <li key={link.href}>
            <Link
              href={link.href}
              aria-current={active ? 'page' : undefined}
              className={`rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors ${
                active ? 'bg-slate-900 text-white' : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900'
              }`}
            >
              {link.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
