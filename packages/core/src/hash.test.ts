import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from './hash.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth so equal objects hash equally', () => {
    const a = { b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } };
    const b = { a: { c: null, d: [2, { y: 2, z: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(sha256(canonicalJson(a))).toBe(sha256(canonicalJson(b)));
  });

  it('hashes text as hex sha256', () => {
    expect(sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
