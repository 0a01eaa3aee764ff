import { describe, expect, it } from 'vitest';
import { WASM_INTERNALS_VERSION, wasmExtensionsSupported } from './wasm-version.js';

describe('wasmExtensionsSupported', () => {
  it('holds for the installed tfjs-backend-wasm (the pinned release), silently', () => {
    const warnings: string[] = [];
    expect(wasmExtensionsSupported(undefined, (line) => warnings.push(line))).toBe(true);
    expect(wasmExtensionsSupported(WASM_INTERNALS_VERSION, (line) => warnings.push(line))).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('turns the extensions off on any other release, with one warning line naming both', () => {
    for (const other of ['4.22.1', '4.21.0', '5.0.0']) {
      const warnings: string[] = [];
      expect(wasmExtensionsSupported(other, (line) => warnings.push(line))).toBe(false);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`tfjs-backend-wasm ${other} is installed`);
      expect(warnings[0]).toContain(`written for ${WASM_INTERNALS_VERSION}`);
      expect(warnings[0]).not.toContain('\n');
    }
  });
});
