// The architecture config: one block per official module, field names = the official constructor
// arguments (plus our width knobs `narrow` / `num_feat` / `w_input_size`, defaulting to the
// reference's numbers). Each block's schema sits beside its module; this file assembles them,
// checks what spans blocks (sizes, rrdb_x8 without a residual encoder) and resolves presets and
// config files (`extends` a preset, blocks merged field by field, `null` removes an entry).
import { existsSync, readFileSync } from 'node:fs';
import { closestMatch, formatPath, keysAtPath, UserError, unknownKeyMessage } from '@ugpnet/core';
import { z } from 'zod';
import { fencoderOptionsSchema } from '../archs/fencoder.js';
import { fusionNetOptionsSchema } from '../archs/fusion.js';
import { residualEncoderOptionsSchema } from '../archs/residual-encoder.js';
import { regressionConfigSchema } from '../archs/restoration-module.js';
import { styleGan2DiscriminatorOptionsSchema } from '../archs/stylegan2-discriminator.js';
import { styleGan2GeneratorOptionsSchema } from '../archs/stylegan2-generator.js';
import { wmoduleOptionsSchema } from '../archs/wmodule.js';
import { int } from './fields.js';
import { ARCH_PRESETS } from './presets.js';

export { ARCH_PRESETS } from './presets.js';

/** The architecture blocks: config key → the schema of that module's constructor arguments. */
export const ARCH_BLOCKS = {
  /** Image side the architecture is built for (default: the generator's out_size). */
  image_size: int(8).optional(),
  regression: regressionConfigSchema,
  /** Absent for rrdb_x8, which is the whole restoration module. */
  residual_encoder: residualEncoderOptionsSchema.optional(),
  fencoder: fencoderOptionsSchema,
  wmodule: wmoduleOptionsSchema,
  generator: styleGan2GeneratorOptionsSchema,
  discriminator: styleGan2DiscriminatorOptionsSchema,
  fusion: fusionNetOptionsSchema,
};

export const ARCH_KEYS = Object.keys(ARCH_BLOCKS) as Array<keyof typeof ARCH_BLOCKS>;

const archBlocksSchema = z.strictObject(ARCH_BLOCKS);

export const archConfigSchema = archBlocksSchema
  .superRefine((arch, ctx) => {
    if (arch.regression.type === 'rrdb_x8' && arch.residual_encoder !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['residual_encoder'],
        message:
          'not used with regression.type rrdb_x8 (RRDBNetX8 is the whole restoration module); remove it',
      });
    }
    const size = arch.image_size ?? arch.generator.out_size;
    if (size < 8) {
      ctx.addIssue({ code: 'custom', path: ['image_size'], message: `expected an integer ≥ 8, got ${size}` });
    }
    for (const block of ['generator', 'discriminator'] as const) {
      const outSize = arch[block].out_size;
      if (outSize !== size) {
        ctx.addIssue({
          code: 'custom',
          path: [block, 'out_size'],
          message: `${outSize} must equal image_size (${size})`,
        });
      }
    }
  })
  .transform((arch) => ({ ...arch, image_size: arch.image_size ?? arch.generator.out_size }));

export type ArchConfig = z.output<typeof archConfigSchema>;

const REGRESSION_TYPES = regressionConfigSchema.options.map((o) => o.shape.type.value);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One line per problem, in the wording of every other config error (`@ugpnet/core` config-errors). */
function issueLines(value: Record<string, unknown>, error: z.ZodError): string[] {
  const regressionType = isObject(value.regression) ? value.regression.type : undefined;
  const lines: string[] = [];
  for (const issue of error.issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      // A regression block is checked against its own type's arguments, not every type's.
      const chosen = regressionConfigSchema.options.find((o) => o.shape.type.value === regressionType);
      const valid =
        path.length === 1 && path[0] === 'regression' && chosen
          ? Object.keys(chosen.shape)
          : keysAtPath(archBlocksSchema, path);
      for (const key of issue.keys) lines.push(unknownKeyMessage(path, key, valid));
    } else if (issue.code === 'invalid_union' && 'discriminator' in issue) {
      const closest =
        typeof regressionType === 'string' ? closestMatch(regressionType, REGRESSION_TYPES) : undefined;
      lines.push(
        `${formatPath(path)}: expected one of ${REGRESSION_TYPES.join(', ')}, got ${JSON.stringify(regressionType)}` +
          (closest ? `; did you mean ${closest}?` : ''),
      );
    } else if (issue.code === 'invalid_type' && issue.expected === 'object') {
      lines.push(
        `${formatPath(path)}: ${/received undefined/.test(issue.message) ? 'required' : 'expected an object'}`,
      );
    } else {
      lines.push(`${formatPath(path)}: ${issue.message}`);
    }
  }
  return lines;
}

/**
 * Checks a config: known blocks only, each block's fields the official constructor arguments with
 * the right types (an unknown or misspelt name is refused with the closest valid one), a known
 * regression type, and sizes that agree. `source` names it in errors.
 */
export function validateArchConfig(value: unknown, source: string): ArchConfig {
  if (!isObject(value)) throw new UserError(`${source}: an architecture config must be a JSON object`);
  const { extends: _extends, ...blocks } = value;
  const parsed = archConfigSchema.safeParse(blocks);
  if (!parsed.success) throw new UserError(`${source}: ${issueLines(blocks, parsed.error).join('; ')}`);
  return parsed.data;
}

/** A preset with a config's overrides: blocks merge field by field; `regression` is replaced whole. */
function mergeArch(base: ArchConfig, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, v] of Object.entries(over)) {
    if (v === null) delete out[key];
    else
      out[key] =
        isObject(v) && isObject(out[key]) && key !== 'regression' ? { ...(out[key] as object), ...v } : v;
  }
  // Switching a ResModule preset to rrdb_x8 drops the residual encoder it no longer has.
  const regression = out.regression as Record<string, unknown> | undefined;
  if (regression?.type === 'rrdb_x8' && !('residual_encoder' in over)) delete out.residual_encoder;
  return out;
}

/** ` (did you mean x?)` for a near-miss preset name, else ''. */
function presetHint(name: string): string {
  const closest = closestMatch(name, Object.keys(ARCH_PRESETS));
  return closest ? `; did you mean ${closest}?` : '';
}

/** A preset name or a path to a JSON config (which may `extends` a preset; `null` removes an entry). */
export function resolveArch(nameOrPath: string): ArchConfig {
  const preset = ARCH_PRESETS[nameOrPath];
  if (preset) return structuredClone(preset);
  if (!existsSync(nameOrPath)) {
    throw new UserError(
      `--arch ${nameOrPath}: neither a preset (${Object.keys(ARCH_PRESETS).join(', ')}) nor an existing config file${presetHint(nameOrPath)}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (err) {
    throw new UserError(`--arch ${nameOrPath}: not valid JSON (${(err as Error).message})`);
  }
  if (isObject(raw) && raw.extends !== undefined) {
    const base = typeof raw.extends === 'string' ? ARCH_PRESETS[raw.extends] : undefined;
    if (!base) {
      throw new UserError(
        `${nameOrPath}: extends ${JSON.stringify(raw.extends)} is not a preset (${Object.keys(ARCH_PRESETS).join(', ')})${typeof raw.extends === 'string' ? presetHint(raw.extends) : ''}`,
      );
    }
    const { extends: _e, ...over } = raw;
    return validateArchConfig(mergeArch(structuredClone(base), over), nameOrPath);
  }
  return validateArchConfig(raw, nameOrPath);
}
