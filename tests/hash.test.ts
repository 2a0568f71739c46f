import { describe, expect, it } from 'vitest';
import { canonicalJson, hashString, stableHash, unitInterval } from '@/lib/hash';

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

  // Pinned: hash splits and drift samples are stored with rule sets, so these values must never move.
  it('gives the same hashes and unit-interval draws as it always has', () => {
    const pinned: [string, string, number][] = [
      ['', '811c9dc59f37782a', 0.32038151496089995],
      ['a', 'e40c292c06004aa7', 0.4030355606228113],
      ['1:lead_000001', 'ad4929925ecaeb86', 0.5492046787403524],
      ['drift:lead_123456_b7', '107c3e80fcb41c08', 0.6493576380889863],
      ['42:ünïcødé ✓', 'f63d9e97be8d4fba', 0.04944786662235856],
    ];
    for (const [text, hash, draw] of pinned) {
      expect(hashString(text)).toBe(hash);
      expect(unitInterval(text)).toBe(draw);
    }
  });
});
