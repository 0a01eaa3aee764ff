// The grid spec: which experiment to start from and which axes to sweep. Deliberately small; each cell
// becomes one run whose experiment is the `extends` file with the cell's axis values as overrides.
//
//   name: ablation-init
//   extends: celeba-denoise.yaml        # experiment file, relative to this file
//   axes:
//     init.regression: [pretrained, random]
//     init.generator: [pretrained, random]
//   seeds: [1, 2, 3]                    # shorthand for a last axis `seed`
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { configIssueLines, UserError } from '@ugpnet/core';

export type AxisValue = string | number | boolean | null;

export interface GridSpec {
  /** Grid id in the store and file-name stem of its SLURM stores: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** Experiment file the cells start from (relative to the grid file). */
  extends?: string;
  /** Axis name (a dotted experiment path, e.g. `init.regression`) → the values to sweep. */
  axes?: Record<string, AxisValue[]>;
  /** Seeds, swept last (same as an axis named `seed`). */
  seeds?: number[];
}

const axisValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const gridSpecSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        'expected letters, digits, ".", "_" or "-" (used in file names)',
      ),
    extends: z.string().min(1).optional(),
    axes: z
      .record(z.string().min(1), z.array(axisValue).min(1, 'an axis needs at least one value'))
      .default({}),
    seeds: z.array(z.number().int()).min(1).optional(),
  })
  .strict();

/** Validates a parsed grid spec; errors name the source and the field. */
export function validateGridSpec(raw: unknown, source: string): GridSpec {
  const result = gridSpecSchema.safeParse(raw);
  if (!result.success) {
    // Unknown keys name the closest valid one, as experiment files do (core's config-errors).
    const issues = configIssueLines(gridSpecSchema, result.error);
    throw new UserError(`${source}: invalid grid spec — ${issues.join('; ')}`);
  }
  const spec = result.data as GridSpec;
  const axes = spec.axes ?? {};
  if (spec.seeds && 'seed' in axes) {
    throw new UserError(`${source}: give seeds either as 'seeds' or as an axis 'seed', not both`);
  }
  if (Object.keys(axes).length === 0 && !spec.seeds) {
    throw new UserError(`${source}: a grid needs at least one axis or 'seeds'`);
  }
  for (const [axis, values] of Object.entries({
    ...spec.axes,
    ...(spec.seeds ? { seeds: spec.seeds } : {}),
  })) {
    const seen = new Set<string>();
    for (const v of values) {
      const key = JSON.stringify(v);
      if (seen.has(key)) throw new UserError(`${source}: axis '${axis}' lists ${key} twice`);
      seen.add(key);
    }
  }
  return spec;
}

/** Reads a grid spec file (JSON, or YAML for .yaml/.yml). */
export function readGridSpec(path: string): GridSpec {
  if (!existsSync(path)) throw new UserError(`grid file ${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new UserError(`grid file ${path} does not parse: ${(err as Error).message}`);
  }
  return validateGridSpec(raw, path);
}

/** The absolute path of the experiment file a grid extends (undefined when it extends none). */
export function gridExperimentFile(spec: GridSpec, specFile: string): string | undefined {
  return spec.extends === undefined ? undefined : resolve(dirname(resolve(specFile)), spec.extends);
}
