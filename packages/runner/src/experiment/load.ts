// Reads an experiment file (JSON or YAML), resolves `extends` chains, applies command-line
// overrides and validates the result. Errors name the file and the field.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { formatConfigError, UserError, unknownKeyLines } from '@ugpnet/core';
import YAML from 'yaml';
import { type Experiment, experimentSchema } from './schema.js';

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A block that names another `type` (e.g. data.degradation noise → blur) replaces the old one instead of merging into it. */
function switchesType(current: Json, over: Json): boolean {
  return 'type' in over && 'type' in current && over.type !== current.type;
}

/** Deep merge where `over` wins; arrays are replaced, not concatenated. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      isPlainObject(current) && isPlainObject(value) && !switchesType(current, value)
        ? deepMerge(current, value)
        : value;
  }
  return out;
}

function parseFile(path: string): Json {
  if (!existsSync(path)) throw new UserError(`experiment file ${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new UserError(
      `experiment file ${path} is not valid ${extname(path).slice(1) || 'JSON'}: ${(err as Error).message}`,
    );
  }
  if (!isPlainObject(value))
    throw new UserError(`experiment file ${path}: expected an object at the top level`);
  return value;
}

/** The raw (unvalidated) merged object of a file and everything it extends. */
export function readExperimentChain(path: string, seen: string[] = []): Json {
  const absolute = resolve(path);
  if (seen.includes(absolute)) {
    throw new UserError(
      `experiment file ${path}: 'extends' forms a cycle (${[...seen, absolute].join(' → ')})`,
    );
  }
  const own = parseFile(absolute);
  // Each file's own keys are checked here, so a typo is reported against the file that has it.
  const unknown = unknownKeyLines(experimentSchema, own);
  if (unknown.length) throw new UserError(`experiment file ${path}: ${unknown.join('; ')}`);
  const parent = own.extends;
  if (parent === undefined) return own;
  if (typeof parent !== 'string')
    throw new UserError(`experiment file ${path}: 'extends' must be a file path`);
  const base = readExperimentChain(resolve(dirname(absolute), parent), [...seen, absolute]);
  const { extends: _ignored, ...rest } = own;
  return deepMerge(base, rest);
}

/** Parses `a.b.c=value` overrides (value as JSON when it parses, else a string). */
export function parseOverrides(assignments: string[]): Json {
  let out: Json = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UserError(`--set ${assignment}: expected key.path=value`);
    const path = assignment.slice(0, eq).split('.');
    const raw = assignment.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    const nested = path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Json;
    out = deepMerge(out, nested);
  }
  return out;
}

/** Throws a UserError naming `source` (e.g. `--set`, `grid file g.yaml, axis a.b`) for unknown keys in a partial override. */
export function checkOverrideKeys(overrides: Json, source: string): void {
  const unknown = unknownKeyLines(experimentSchema, overrides);
  if (unknown.length) throw new UserError(`${source}: ${unknown.join('; ')}`);
}

export function validateExperiment(raw: unknown, source: string): Experiment {
  const result = experimentSchema.safeParse(raw);
  if (!result.success) throw new UserError(formatConfigError(source, experimentSchema, result.error));
  return result.data;
}

export interface LoadExperimentOptions {
  /** Where the overrides came from, for messages (default `--set`). */
  overridesSource?: string;
}

/**
 * Loads, merges, overrides and validates an experiment file. Every key is checked at every
 * depth: an unknown one is a UserError naming the file or the override it came from, its full
 * path and the closest valid key.
 */
export function loadExperiment(
  path: string,
  overrides: Json = {},
  options: LoadExperimentOptions = {},
): Experiment {
  const chain = readExperimentChain(path);
  checkOverrideKeys(overrides, options.overridesSource ?? '--set');
  const merged = deepMerge(chain, overrides);
  delete merged.extends;
  return validateExperiment(merged, path);
}
