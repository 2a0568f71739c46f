import { describe, expect, it } from 'vitest';
import { mayReEnrich, maySignIn, signInRequired } from '@/lib/auth/access';
import { safeReturnPath } from '@/lib/auth/client-safe';
import { authModeOf, parseEnv } from '@/lib/env';

const SECRET = 's'.repeat(40);
const OIDC = {
  AUTH_OIDC_ISSUER: 'https://accounts.google.com',
  AUTH_OIDC_CLIENT_ID: 'client',
  AUTH_OIDC_CLIENT_SECRET: 'secret',
  AUTH_SECRET: SECRET,
  AUTH_URL: 'https://leads.example.com',
};

describe('AUTH_MODE', () => {
  it('is local (open access, this machine only) with nothing configured, and oidc once an issuer is set', () => {
    expect(authModeOf(parseEnv({}))).toBe('local');
    expect(authModeOf(parseEnv({ ...OIDC, AUTH_ALLOWED_EMAILS: '@acme.com' }))).toBe('oidc');
    expect(authModeOf(parseEnv({ AUTH_MODE: 'none' }))).toBe('none');
    expect(signInRequired('local')).toBe(false);
    expect(signInRequired('none')).toBe(false);
    expect(signInRequired('oidc')).toBe(true);
    expect(signInRequired('password')).toBe(true);
  });

  it('names what a sign-in mode is missing', () => {
    expect(() => parseEnv({ AUTH_MODE: 'password' })).toThrow(/AUTH_SECRET is required when AUTH_MODE=password.*AUTH_URL is required/);
    expect(() => parseEnv({ ...OIDC })).toThrow(/AUTH_ALLOWED_EMAILS is required when AUTH_MODE=oidc/);
    expect(() => parseEnv({ AUTH_MODE: 'oidc', AUTH_SECRET: SECRET, AUTH_URL: 'https://x.example' })).toThrow(/AUTH_OIDC_ISSUER is required.*AUTH_OIDC_CLIENT_ID is required/);
    expect(() => parseEnv({ AUTH_MODE: 'password', AUTH_SECRET: 'short', AUTH_URL: 'https://x.example' })).toThrow(/AUTH_SECRET: must be at least 32 characters/);
    expect(() => parseEnv({ AUTH_MODE: 'password', AUTH_SECRET: SECRET, AUTH_URL: 'ftp://x.example' })).toThrow(/AUTH_URL/);
    expect(() => parseEnv({ AUTH_MODE: 'sso' })).toThrow(/AUTH_MODE/);
    expect(() => parseEnv({ AUTH_RE_ENRICH_EMAILS: 'ada@' })).toThrow(/AUTH_RE_ENRICH_EMAILS: "ada@"/);
  });
});

describe('who may sign in and re-enrich', () => {
  it('with OIDC: only AUTH_ALLOWED_EMAILS signs in, only AUTH_RE_ENRICH_EMAILS re-enriches', () => {
    const env = parseEnv({ ...OIDC, AUTH_ALLOWED_EMAILS: '@acme.com', AUTH_RE_ENRICH_EMAILS: 'ops@acme.com' });
    expect(maySignIn(env, 'sdr@acme.com')).toBe(true);
    expect(maySignIn(env, 'sdr@gmail.com')).toBe(false);
    expect(mayReEnrich(env, 'ops@acme.com')).toBe(true);
    expect(mayReEnrich(env, 'sdr@acme.com')).toBe(false);
  });

  it('with passwords: every account signs in unless a list narrows it; nobody re-enriches until listed', () => {
    const base = { AUTH_MODE: 'password', AUTH_SECRET: SECRET, AUTH_URL: 'http://127.0.0.1:3000' };
    const env = parseEnv(base);
    expect(maySignIn(env, 'anyone@small.team')).toBe(true);
    expect(mayReEnrich(env, 'anyone@small.team')).toBe(false);
    const listed = parseEnv({ ...base, AUTH_ALLOWED_EMAILS: 'ada@small.team', AUTH_RE_ENRICH_EMAILS: '*' });
    expect(maySignIn(listed, 'bob@small.team')).toBe(false);
    expect(mayReEnrich(listed, 'bob@small.team')).toBe(true);
  });

  it('open access leaves re-enrich to the rate limit', () => {
    expect(mayReEnrich(parseEnv({}), undefined)).toBe(true);
    expect(mayReEnrich(parseEnv({ AUTH_MODE: 'none', AUTH_RE_ENRICH_EMAILS: 'x@acme.com' }), undefined)).toBe(true);
  });
});

describe('the return path after sign-in', () => {
  it('keeps paths on this site, with their query', () => {
    expect(safeReturnPath('/leads/a%20b?x=1')).toBe('/leads/a%20b?x=1');
    expect(safeReturnPath(['/validate', '/other'])).toBe('/validate');
  });

  it('never leaves the site or loops back to sign-in', () => {
    for (const bad of [undefined, '', 'https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', 'leads', '/\u0000x', '/sign-in', '/sign-in?next=/']) {
      expect(safeReturnPath(bad), String(bad)).toBe('/');
    }
  });
});
