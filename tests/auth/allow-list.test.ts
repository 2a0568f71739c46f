import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allows, describeAllowList, parseAllowList, type AllowList } from '@/lib/auth/allow-list';

function list(text: string): AllowList {
  const parsed = parseAllowList(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.list;
}

describe('allow-lists', () => {
  it('admits listed addresses and whole domains, case-insensitively', () => {
    const l = list(' Ada@Acme.com , @partner.io, example.org ');
    expect(allows(l, 'ada@acme.com')).toBe(true);
    expect(allows(l, 'ADA@ACME.COM')).toBe(true);
    expect(allows(l, 'grace@partner.io')).toBe(true);
    expect(allows(l, 'x@example.org')).toBe(true);
    expect(allows(l, 'bob@acme.com')).toBe(false);
  });

  it('matches a domain exactly: no subdomains, no look-alikes, no suffix tricks', () => {
    const l = list('@acme.com');
    for (const email of ['ada@eu.acme.com', 'ada@acme.com.evil.io', 'ada@evilacme.com', 'ada@acme.co', 'acme.com@evil.io', 'ada@acme.com@evil.io']) {
      expect(allows(l, email), email).toBe(false);
    }
    // The domain is what follows the last @.
    expect(allows(l, '"ada@evil.io"@acme.com')).toBe(true);
  });

  it('refuses missing or malformed addresses', () => {
    const l = list('@acme.com');
    for (const email of [undefined, null, '', '   ', '@acme.com', 'acme.com', 'ada@']) expect(allows(l, email), String(email)).toBe(false);
  });

  it('* admits anyone', () => {
    const l = list('*');
    expect(l.anyone).toBe(true);
    expect(allows(l, 'who@ever.example')).toBe(true);
    expect(describeAllowList(l)).toBe('anyone');
  });

  it('refuses entries that are neither an address nor a domain, and an empty list, naming the entry', () => {
    expect(parseAllowList('ada@acme.com, not a domain')).toEqual({ ok: false, message: expect.stringContaining('"not a domain"') });
    expect(parseAllowList('@-acme.com')).toEqual({ ok: false, message: expect.stringContaining('@-acme.com') });
    expect(parseAllowList('ada@@acme.com')).toEqual({ ok: false, message: expect.stringContaining('not a valid email address') });
    expect(parseAllowList(' , ,')).toEqual({ ok: false, message: expect.stringContaining('lists no email address') });
  });

  it('describes itself for the start-up log', () => {
    expect(describeAllowList(list('ada@acme.com, @partner.io'))).toBe('ada@acme.com, @partner.io');
  });

  it('a domain entry admits exactly the addresses whose part after the last @ is that domain (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,10}$/);
    const domain = fc.tuple(label, fc.constantFrom('com', 'io', 'org')).map(([a, b]) => `${a}.${b}`);
    fc.assert(
      fc.property(domain, domain, fc.stringMatching(/^[a-z0-9.+_-]{1,12}$/), (listed, other, local) => {
        const l = list(`@${listed}`);
        expect(allows(l, `${local}@${listed}`)).toBe(true);
        expect(allows(l, `${local}@${other}`)).toBe(other === listed);
        expect(allows(l, `${local}@sub.${listed}`)).toBe(false);
      }),
    );
  });
});
