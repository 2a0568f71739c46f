import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { SIGN_IN_PATH } from '@/lib/auth/client-safe';
import { lookUpViewer, type Viewer, type ViewerLookup } from '@/lib/auth/viewer';

/** Who is asking, once per request (the header, the page and its metadata share one session read). */
export const currentViewer: () => Promise<ViewerLookup> = cache(async () => lookUpViewer(await headers()));

/** Pages: the viewer, or off to the sign-in page. Every store read goes through this (app/_lib/page-data.ts). */
export async function requireViewer(): Promise<Viewer> {
  const viewer = await currentViewer();
  if (viewer.kind === 'signed-out') redirect(SIGN_IN_PATH);
  if (viewer.kind === 'refused') redirect(`${SIGN_IN_PATH}?error=not_allowed`);
  return viewer;
}
