import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  closestMatch,
  configIssueLines,
  formatConfigError,
  keysAtPath,
  unknownKeyLines,
} from './config-errors.js';

const schema = z.strictObject({
  name: z.string(),
  stages: z
    .strictObject({
      restoration: z.strictObject({
        lr: z.number().default(1),
        lr_regression: z.number().nullable().default(null),
      }),
    })
    .optional(),
  data: z
    .strictObject({
      degradation: z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('noise'), sigma: z.number() }),
        z.strictObject({ type: z.literal('blur'), kernel_size: z.number() }),
      ]),
    })
    .default({ degradation: { type: 'noise', sigma: 1 } }),
});

describe('strict configuration messages', () => {
  it('names the full path of a nested unknown key and the closest valid key', () => {
    const r = schema.safeParse({ name: 'x', stages: { restoration: { lr_regresion: 0 } } });
    expect(r.success).toBe(false);
    expect(configIssueLines(schema, r.error!)).toEqual([
      'stages.restoration.lr_regresion: unknown key; did you mean lr_regression?',
    ]);
  });

  it('looks through defaults and unions, and lists the valid keys when nothing is close', () => {
    const r = schema.safeParse({
      name: 'x',
      data: { degradation: { type: 'blur', kernel_sise: 3, zzz: 1 } },
    });
    expect(configIssueLines(schema, r.error!)).toEqual(
      expect.arrayContaining([
        'data.degradation.kernel_sise: unknown key; did you mean kernel_size?',
        'data.degradation.zzz: unknown key (valid keys here: kernel_size, sigma, type)',
      ]),
    );
  });

  it('keeps other issues as path: message, prefixed by the source', () => {
    const r = schema.safeParse({ name: 3, nmae: 'y' });
    const message = formatConfigError('exp.yaml', schema, r.error!);
    expect(message).toMatch(/^exp\.yaml: /);
    expect(message).toMatch(/name: /);
    expect(message).toMatch(/nmae: unknown key; did you mean name\?/);
  });

  it('suggests only plausible typos', () => {
    expect(closestMatch('lr_regresion', ['lr', 'lr_regression'])).toBe('lr_regression');
    expect(closestMatch('iteratoins', ['iterations', 'val_every'])).toBe('iterations');
    expect(closestMatch('banana', ['iterations', 'lr'])).toBeUndefined();
    expect(keysAtPath(schema, ['stages', 'restoration']).sort()).toEqual(['lr', 'lr_regression']);
  });

  it('finds unknown keys in a partial value (an override, one file of a chain) at any depth', () => {
    expect(unknownKeyLines(schema, { stages: { restoration: { lr_regresion: 1 } } })).toEqual([
      'stages.restoration.lr_regresion: unknown key; did you mean lr_regression?',
    ]);
    expect(unknownKeyLines(schema, { lr_regresion: 1 }, ['stages', 'restoration'])).toEqual([
      'stages.restoration.lr_regresion: unknown key; did you mean lr_regression?',
    ]);
    expect(unknownKeyLines(schema, { data: { degradation: { type: 'blur', kernel_size: 3 } } })).toEqual([]);
  });
});
