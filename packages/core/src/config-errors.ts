// One wording for every configuration error (experiments, grids, architectures): a zod
// validation failure becomes lines like
//   stages.restoration.lr_regresion: unknown key; did you mean lr_regression?
// For unknown keys the valid keys are read from the schema at the issue's path, so strict
// schemas name the closest one without each caller listing them.
import type { z } from 'zod';

/** Edit distance with adjacent transpositions (optimal string alignment): "nmae" is 1 from "name". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `name`, if it is close enough to be a plausible typo (at most a
 * third of the longer name's letters differ, ignoring case, `-` and `_`), else undefined.
 */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(norm(name), norm(candidate));
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(name.length, best.candidate.length) / 3));
  return best.distance <= limit ? best.candidate : undefined;
}

type AnySchema = { _zod: { def: Record<string, unknown> & { type: string } } };

/** The object keys a schema accepts at `path` (through defaults, optionals, unions, arrays, records). */
export function keysAtPath(schema: unknown, path: ReadonlyArray<PropertyKey>): string[] {
  return [...(objectKeysAt(schema, path) ?? [])];
}

/** The keys an object schema at `path` accepts; undefined when no object schema is there. */
function objectKeysAt(schema: unknown, path: ReadonlyArray<PropertyKey>): Set<string> | undefined {
  const out = new Set<string>();
  let reached = false;
  // The schemas to look into next, with the path left to walk.
  const children = (
    node: AnySchema,
    rest: ReadonlyArray<PropertyKey>,
  ): Array<[AnySchema, ReadonlyArray<PropertyKey>]> => {
    const def = node._zod.def;
    const tail = rest.slice(1);
    switch (def.type) {
      case 'default':
      case 'prefault':
      case 'optional':
      case 'nullable':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        return [[def.innerType as AnySchema, rest]];
      case 'pipe':
        return [[def.in as AnySchema, rest]];
      case 'lazy':
        return [[(def.getter as () => AnySchema)(), rest]];
      case 'union':
        return (def.options as AnySchema[]).map((o) => [o, rest]);
      case 'intersection':
        return [
          [def.left as AnySchema, rest],
          [def.right as AnySchema, rest],
        ];
      case 'object': {
        const shape = def.shape as Record<string, AnySchema>;
        if (rest.length === 0) {
          reached = true;
          for (const key of Object.keys(shape)) out.add(key);
          return [];
        }
        const child = shape[String(rest[0])];
        return child ? [[child, tail]] : [];
      }
      case 'array':
        return rest.length ? [[def.element as AnySchema, tail]] : [];
      case 'tuple': {
        const item = (def.items as AnySchema[])[Number(rest[0])];
        return rest.length && item ? [[item, tail]] : [];
      }
      case 'record':
        return rest.length ? [[def.valueType as AnySchema, tail]] : [];
      default:
        return [];
    }
  };
  const visit = (node: AnySchema, rest: ReadonlyArray<PropertyKey>, depth: number): void => {
    if (!node?._zod || depth > 64) return;
    for (const [child, left] of children(node, rest)) visit(child, left, depth + 1);
  };
  visit(schema as AnySchema, path, 0);
  return reached ? out : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Unknown keys anywhere in a (partial) raw config `value`, checked against `schema` before any
 * merging, so the message can name the file, flag or grid axis the key came from. `prefix` is
 * where `value` sits in the whole config (e.g. a grid axis path).
 */
export function unknownKeyLines(
  schema: unknown,
  value: unknown,
  prefix: ReadonlyArray<PropertyKey> = [],
): string[] {
  const lines: string[] = [];
  const walk = (node: unknown, path: PropertyKey[]) => {
    if (!isPlainObject(node)) return;
    const valid = objectKeysAt(schema, path);
    if (!valid) return;
    for (const [key, child] of Object.entries(node)) {
      if (!valid.has(key)) lines.push(unknownKeyMessage(path, key, [...valid]));
      else walk(child, [...path, key]);
    }
  };
  walk(value, [...prefix]);
  return lines;
}

/** A dotted path (`stages.restoration.lr`), with `prefix` (e.g. a grid axis) in front. */
export function formatPath(
  path: ReadonlyArray<PropertyKey>,
  prefix: ReadonlyArray<PropertyKey> = [],
): string {
  const all = [...prefix, ...path];
  return all.length ? all.map(String).join('.') : '(top level)';
}

/** `<path>: unknown key; did you mean <closest>?` (or the valid keys when none is close). */
export function unknownKeyMessage(path: ReadonlyArray<PropertyKey>, key: string, valid: string[]): string {
  const where = formatPath([...path, key]);
  const closest = closestMatch(key, valid);
  if (closest) return `${where}: unknown key; did you mean ${closest}?`;
  return valid.length
    ? `${where}: unknown key (valid keys here: ${[...valid].sort().join(', ')})`
    : `${where}: unknown key`;
}

/**
 * One line per problem: unknown keys with their full path and closest valid key, every other
 * issue as `<path>: <zod message>`. `prefix` is prepended to every path.
 */
export function configIssueLines(
  schema: unknown,
  error: z.ZodError,
  prefix: ReadonlyArray<PropertyKey> = [],
): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const valid = keysAtPath(schema, issue.path);
      for (const key of issue.keys) lines.push(unknownKeyMessage([...prefix, ...issue.path], key, valid));
    } else {
      lines.push(`${formatPath(issue.path, prefix)}: ${issue.message}`);
    }
  }
  return lines;
}

/** `<source>: <line>; <line>` — the message of the UserError a caller throws. */
export function formatConfigError(source: string, schema: unknown, error: z.ZodError): string {
  return `${source}: ${configIssueLines(schema, error).join('; ')}`;
}
