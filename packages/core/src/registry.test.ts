import { describe, expect, it } from 'vitest';
import { isUserError } from './errors.js';
import { Registry } from './registry.js';

describe('Registry', () => {
  it('returns entries by name and lists the known names for an unknown one', () => {
    const archs = new Registry<number>('arch').register('nafnet', 1).register('rrdb', 2);
    expect(archs.get('rrdb')).toBe(2);
    expect(archs.names()).toEqual(['nafnet', 'rrdb']);
    let thrown: unknown;
    try {
      archs.get('unet', '--arch');
    } catch (error) {
      thrown = error;
    }
    expect(isUserError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe("--arch: unknown arch 'unet' (known: nafnet, rrdb)");
  });

  it('refuses a name registered twice', () => {
    expect(() => new Registry<number>('arch').register('a', 1).register('a', 2)).toThrow(/registered twice/);
  });
});
