import { describe, expect, it } from 'vitest';
import { checkListenAddresses, isLoopback } from '@/lib/auth/listen';

describe('where the server may listen', () => {
  it('knows the loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', '0:0:0:0:0:0:0:1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', '128.0.0.1', 'example.com']) expect(isLoopback(a), a).toBe(false);
  });

  it('without sign-in, refuses any address beyond this machine, naming it and the ways out', () => {
    for (const addresses of [['0.0.0.0'], ['::'], ['127.0.0.1', '10.0.0.5']]) {
      expect(() => checkListenAddresses('local', addresses)).toThrow(/Refusing to start: no sign-in is configured.*AUTH_MODE=none/);
    }
    expect(() => checkListenAddresses('local', ['::'])).toThrow(/listens on :: \(every interface\)/);
  });

  it('allows loopback without sign-in, any address with sign-in, and any address with AUTH_MODE=none with a warning', () => {
    expect(checkListenAddresses('local', ['127.0.0.1'])).toEqual({});
    expect(checkListenAddresses('local', ['::1', '127.0.0.1'])).toEqual({});
    expect(checkListenAddresses('local', [])).toEqual({});
    expect(checkListenAddresses('oidc', ['0.0.0.0'])).toEqual({});
    expect(checkListenAddresses('password', ['::'])).toEqual({});
    expect(checkListenAddresses('none', ['0.0.0.0']).warning).toMatch(/^AUTH_MODE=none: no sign-in, and the server listens on 0\.0\.0\.0 \(every interface\)/);
    expect(checkListenAddresses('none', ['127.0.0.1'])).toEqual({});
  });
});
