import { describe, expect, it } from 'vitest';
import { authClientAddress, canonicalIp, clientAddress, rateLimitKey, UNKNOWN_CLIENT } from '@/lib/client-ip';

const headers = (xff?: string) => new Headers(xff === undefined ? {} : { 'x-forwarded-for': xff });

describe('canonicalIp', () => {
  it.each([
    ['9.9.9.9', '9.9.9.9'],
    ['  9.9.9.9 ', '9.9.9.9'],
    ['9.9.9.9:1234', '9.9.9.9'],
    ['::ffff:9.9.9.9', '9.9.9.9'],
    ['::FFFF:909:909', '9.9.9.9'],
    ['[::ffff:9.9.9.9]:443', '9.9.9.9'],
    ['2001:db8::1', '2001:db8::/64'],
    ['2001:0DB8:0000:0000:abcd::1', '2001:db8::/64'],
    ['[2001:db8:1:2:3:4:5:6]:8080', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['::1', '::/64'],
  ])('%s → %s', (raw, canonical) => {
    expect(canonicalIp(raw)).toBe(canonical);
  });

  it.each(['009.9.9.9', '9.9.9.09', '0x9.9.9.9', '9.9.9', '1.2.3.4.5', '256.1.1.1', '9.9.9.9:port', 'unknown', '', '[9.9.9.9', 'a:b'])('refuses %j', (raw) => {
    expect(canonicalIp(raw)).toBeNull();
  });
});

describe('clientAddress and rateLimitKey', () => {
  it('reads nothing from the request without a trusted proxy', () => {
    expect(clientAddress(headers('9.9.9.9'), 0)).toBeNull();
    expect(rateLimitKey(headers('9.9.9.9'), { trustProxyHops: 0 })).toBe(UNKNOWN_CLIENT);
  });

  it('takes the N-th entry from the right, across several X-Forwarded-For headers', () => {
    expect(clientAddress(headers('1.1.1.1, 2.2.2.2, 3.3.3.3'), 1)).toBe('3.3.3.3');
    expect(clientAddress(headers('1.1.1.1, 2.2.2.2, 3.3.3.3'), 2)).toBe('2.2.2.2');
    const split = new Headers();
    split.append('x-forwarded-for', '1.1.1.1');
    split.append('x-forwarded-for', '2.2.2.2');
    expect(clientAddress(split, 2)).toBe('1.1.1.1');
    expect(clientAddress(headers('1.1.1.1'), 2)).toBeNull();
    expect(clientAddress(headers(), 1)).toBeNull();
  });

  it('keys a signed-in user by the user, whatever the address', () => {
    expect(rateLimitKey(headers('1.1.1.1'), { trustProxyHops: 1, userId: 'u_42' })).toBe('user:u_42');
    expect(rateLimitKey(headers('1.1.1.1'), { trustProxyHops: 1, userId: null })).toBe('ip:1.1.1.1');
  });
});

describe('authClientAddress (what Better Auth keys sign-in attempts on)', () => {
  it('is the trusted proxy entry, whatever the client put to its left', () => {
    expect(authClientAddress(headers('6.6.6.6, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(authClientAddress(headers('7.7.7.7, 203.0.113.9:5555'), 1)).toBe('203.0.113.9');
  });
  it('gives an IPv6 client its /64, as an address Better Auth accepts', () => {
    expect(authClientAddress(headers('2001:db8:1:2:3:4:5:6'), 1)).toBe('2001:db8:1:2::');
    expect(authClientAddress(headers('2001:db8:1:2:ffff::9'), 1)).toBe('2001:db8:1:2::');
  });
  it('puts every client it cannot know in one bucket, 0.0.0.0, never the address the client wrote', () => {
    expect(authClientAddress(headers('6.6.6.6'), 0)).toBe('0.0.0.0');
    expect(authClientAddress(headers(), 1)).toBe('0.0.0.0');
    expect(authClientAddress(headers('not an address'), 1)).toBe('0.0.0.0');
  });
});
