// Border extension shared by the FFT convolutions.

/** Index into [0, n) of position i on a signal extended by reflect-101 (period 2n − 2). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let r = i % period;
  if (r < 0) r += period;
  return r < n ? r : period - r;
}
