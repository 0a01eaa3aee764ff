import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultThreadCount } from './backend.js';

describe('defaultThreadCount', () => {
  const cpus = availableParallelism();
  it('uses the CPUs this process may use, capped by the Slurm task size; UGP_THREADS wins', () => {
    expect(defaultThreadCount({})).toBe(cpus);
    expect(defaultThreadCount({ SLURM_CPUS_PER_TASK: '1' })).toBe(1);
    expect(defaultThreadCount({ SLURM_CPUS_PER_TASK: String(cpus + 8) })).toBe(cpus);
    expect(defaultThreadCount({ SLURM_CPUS_PER_TASK: 'x' })).toBe(cpus);
    expect(defaultThreadCount({ SLURM_CPUS_PER_TASK: '1', UGP_THREADS: '3' })).toBe(3);
  });
});
