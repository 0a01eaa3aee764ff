// Field types of the architecture blocks, each with one wording for its error
// ("expected an integer ≥ 1, got "8"") so every block reads the same.
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'required' : `got ${JSON.stringify(input)}`);
const says = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'required' : `expected ${expected}, ${got(issue.input)}`;

/** An integer ≥ `min`. */
export const int = (min: number) => {
  const error = says(`an integer ≥ ${min}`);
  return z.int({ error }).min(min, { error });
};

/** A finite number (> 0 when `positive`). */
export const number = (options: { positive?: boolean } = {}) => {
  if (!options.positive) return z.number({ error: says('a number') });
  const error = says('a number > 0');
  return z.number({ error }).positive({ error });
};

/** An array of integers ≥ `min` (block counts per level). */
export const intList = (min: number) => z.array(int(min), { error: says(`an array of integers ≥ ${min}`) });

/** A non-empty array of numbers (a resample kernel). */
export const numberList = () => {
  const error = says('a non-empty array of numbers');
  return z.array(number(), { error }).min(1, { error });
};

/** true or false. */
export const flag = () => z.boolean({ error: says('true or false') });
