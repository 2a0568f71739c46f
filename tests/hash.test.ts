import { describe, expect, it } from 'vitest';
import { canonicalJson, hashString, stableHash } from '@/lib/hash';

describe('stable hashing', () => {
  it('ignores key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe('{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
    expect(stableHash({ x: 1, y: 2 })).toBe(stableHash({ y: 2, x: 1 }));
  });

  it('is 16 hex chars and changes with one character', () => {
    expect(hashString('abc')).toMatch(/^[0-9a-f]{16}$/);
    expect(hashString('abc')).not.toBe(hashString('abd'));
    expect(hashString('')).not.toBe(hashString(' '));
  });

  it('has no collisions over 100k short distinct inputs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(hashString(`lead_${i}`));
    expect(seen.size).toBe(100_000);
  });
});
