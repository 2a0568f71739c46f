import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { DataSource } from '@/components/data-source';
import { NavLinks } from '@/components/nav-links';
import { ViewerStatus } from '@/components/viewer-status';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'LeadSignal', template: '%s · LeadSignal' },
  description: 'Transparent lead scores with fit narratives for SDRs.',
  icons: { icon: '/favicon.svg' },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
          Skip to content
        </a>
        <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur">
          <div className="mx-auto flex max-w-[1440px] flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2.5 sm:px-6">
            <Link href="/" className="flex items-center gap-2 text-sm font-semibold tracking-tight text-slate-900">
              <svg aria-hidden="true" viewBox="0 0 24 24" className="size-5 text-indigo-600" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round">
                <path d="M3 17l5-5 4 4 8-9" />
                <path d="M15 7h5v5" />
              </svg>
              LeadSignal
            </Link>
            <nav aria-label="Main">
              <NavLinks />
            </nav>
            <div className="ml-auto flex min-w-0 max-w-full flex-wrap items-center justify-end gap-x-3 gap-y-2">
              <Suspense fallback={<span className="block h-6 w-56 animate-pulse rounded-full bg-slate-100" />}>
                <DataSource />
              </Suspense>
              <Suspense fallback={<span className="block h-6 w-40 animate-pulse rounded-full bg-slate-100" />}>
                <ViewerStatus />
              </Suspense>
            </div>
          </div>
        </header>
        <main id="main" className="mx-auto max-w-[1440px] px-4 py-6 sm:px-6">
          {children}
        </main>
      </body>
    </html>
  );
}
