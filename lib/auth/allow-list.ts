import { z } from 'zod';

/**
 * Who may sign in, and who may re-enrich: a comma-separated list of email addresses (`ada@acme.com`),
 * whole domains (`@acme.com`, or `acme.com`), or `*` for anyone. Matching is case-insensitive and exact:
 * `@acme.com` admits `ada@acme.com` but not `ada@eu.acme.com` or `ada@acme.com.evil.io` (list subdomains
 * on their own). Pure: no I/O.
 */
export interface AllowList {
  /** `*`: anyone (who got this far, i.e. signed in). */
  anyone: boolean;
  emails: ReadonlySet<string>;
  domains: ReadonlySet<string>;
}

export const NOBODY: AllowList = { anyone: false, emails: new Set(), domains: new Set() };

const EMAIL = z.email();
/** A DNS name: labels of letters, digits and inner hyphens, at least one dot. */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

export type AllowListParse = { ok: true; list: AllowList } | { ok: false; message: string };

export function parseAllowList(text: string): AllowListParse {
  const emails = new Set<string>();
  const domains = new Set<string>();
  let anyone = false;
  for (const raw of text.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') {
      anyone = true;
    } else if (entry.startsWith('@') || !entry.includes('@')) {
      const domain = entry.replace(/^@/, '');
      if (!DOMAIN.test(domain)) return { ok: false, message: `"${raw.trim()}" is neither an email address nor a domain like @example.com` };
      domains.add(domain);
    } else {
      if (!EMAIL.safeParse(entry).success) return { ok: false, message: `"${raw.trim()}" is not a valid email address` };
      emails.add(entry);
    }
  }
  if (!anyone && emails.size === 0 && domains.size === 0) return { ok: false, message: 'lists no email address, domain or *' };
  return { ok: true, list: { anyone, emails, domains } };
}

/** zod type for an allow-list variable: the raw text in, an AllowList out. */
export const allowListSchema = z.string().transform((text, ctx) => {
  const parsed = parseAllowList(text);
  if (parsed.ok) return parsed.list;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

export function allows(list: AllowList, email: string | null | undefined): boolean {
  if (list.anyone) return true;
  const address = email?.trim().toLowerCase();
  if (!address) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;
  return list.emails.has(address) || list.domains.has(address.slice(at + 1));
}

/** For logs and the start-up banner: `ada@acme.com, @acme.com` or `anyone`. */
export function describeAllowList(list: AllowList): string {
  if (list.anyone) return 'anyone';
  return [...list.emails, ...[...list.domains].map((d) => `@${d}`)].join(', ') || 'nobody';
}
