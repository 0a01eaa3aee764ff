import { describe, expect, it } from 'vitest';
import { runUgp } from '../testing/run-ugp.js';

describe('ugp models summary', () => {
  it('--json: parameters per official module and shapes from a forward (tiny-32)', async () => {
    const r = await runUgp(['models', 'summary', '--backend', 'wasm', '--arch', 'tiny-32', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.modules.map((m: { module: string }) => m.module)).toEqual([
      'resmodule.regression',
      'resmodule.encoder',
      'synmodule.fencoder',
      'synmodule.wmodule',
      'synmodule.generator',
      'fusmodule',
      'discriminator',
    ]);
    expect(s.shapesFrom).toBe('forward');
    expect(s.shapes.find((t: { name: string }) => t.name === 'F_G').shape).toEqual([1, 32, 32, 32]);
    expect(s.ugpnetParameters).toBeGreaterThan(0);
  });

  it('prints a table; --no-forward derives the shapes from the config', async () => {
    const r = await runUgp(['models', 'summary', '--backend', 'wasm', '--arch', 'tiny-32', '--no-forward']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^tiny-32: nafnet restoration, 32 px/);
    expect(r.out).toMatch(/synmodule\.generator\s+\d+/);
    expect(r.out).toContain('derived from the config');
    expect(r.out).toMatch(/I_F\s+\[1, 3, 32, 32\]/);
  });

  it('names an unknown preset (exit 1)', async () => {
    const r = await runUgp(['models', 'summary', '--arch', 'tiny-33']);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/--arch tiny-33: neither a preset/);
  });
});
