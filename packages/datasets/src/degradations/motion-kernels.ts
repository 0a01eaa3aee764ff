// Random camera-shake blur kernels after Boracchi & Foi, "Modeling the performance of image
// restoration from motion blur" (TIP 2012): a particle moves with constant speed; at each of
// numT steps its velocity gets a centripetal pull, a Gaussian kick and, rarely, an abrupt
// reversal; the sampled trajectory is splatted bilinearly onto the kernel grid
// (createTrajectory.m + createPSFs.m with exposure T = 1) and normalised to sum 1.
//
// A bank of `count` kernels is a pure function of (seed, count, size, options); it is cached
// as raw float32 under data/kernels/ so workers and later runs load instead of regenerate.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { Rng } from '@ugpnet/tensor';

export interface TrajectoryOptions {
  /** Samples along the trajectory (numT); default 2000. */
  steps?: number;
  /** Trajectory length range in pixels (MaxTotalLength), drawn per kernel; default [10, 48]. */
  length?: [number, number];
  /** Shake amount range (anxiety), drawn per kernel; default [0.001, 0.008]. */
  anxiety?: [number, number];
}

export interface KernelBankOptions extends TrajectoryOptions {
  /** Kernels in the bank; default 2000. */
  count?: number;
  /** Kernel side (odd); default 51. */
  size?: number;
  seed?: number;
  /** Cache folder; default `$UGP_DATA_DIR/kernels` or `./data/kernels`; null disables caching. */
  cacheDir?: string | null;
}

export const KERNEL_BANK_DEFAULTS = {
  count: 2000,
  size: 51,
  seed: 0,
  steps: 2000,
  length: [10, 48] as [number, number],
  anxiety: [0.001, 0.008] as [number, number],
};

/** The default data folder: UGP_DATA_DIR, else ./data under the working directory. */
export function defaultDataDir(): string {
  return process.env.UGP_DATA_DIR ?? join(process.cwd(), 'data');
}

/** One camera-shake trajectory: positions (x, y) in pixels, numT samples. */
export function shakeTrajectory(rng: Rng, steps: number, maxLength: number, anxiety: number): Float64Array {
  const xy = new Float64Array(2 * steps);
  const centripetal = 0.7 * rng.uniform();
  const gaussianTerm = 10 * rng.uniform();
  const freqBigShakes = 0.2 * rng.uniform();
  const angle = 2 * Math.PI * rng.uniform();
  const speed = maxLength / (steps - 1);
  let vx = Math.cos(angle) * anxiety;
  let vy = Math.sin(angle) * anxiety;
  for (let t = 0; t < steps - 1; t++) {
    let nx = 0;
    let ny = 0;
    if (rng.uniform() < freqBigShakes * anxiety) {
      // abrupt shake: likely opposite to the current direction
      const turn = Math.PI + (rng.uniform() - 0.5);
      const c = Math.cos(turn);
      const s = Math.sin(turn);
      nx = 2 * (vx * c - vy * s);
      ny = 2 * (vx * s + vy * c);
    }
    const px = xy[2 * t]!;
    const py = xy[2 * t + 1]!;
    vx += nx + anxiety * (gaussianTerm * rng.normal() - centripetal * px) * speed;
    vy += ny + anxiety * (gaussianTerm * rng.normal() - centripetal * py) * speed;
    const norm = Math.hypot(vx, vy) || 1;
    vx = (vx / norm) * speed;
    vy = (vy / norm) * speed;
    xy[2 * t + 2] = px + vx;
    xy[2 * t + 3] = py + vy;
  }
  return xy;
}

/**
 * Splat a trajectory onto a size×size grid (createPSFs with T = 1): centred on its
 * barycentre, bilinear weights, then normalised to sum 1. Samples are clamped to the grid.
 */
export function trajectoryToKernel(xy: Float64Array, size: number): Float32Array {
  const steps = xy.length / 2;
  let mx = 0;
  let my = 0;
  for (let t = 0; t < steps; t++) {
    mx += xy[2 * t]!;
    my += xy[2 * t + 1]!;
  }
  mx /= steps;
  my /= steps;
  const centre = (size - 1) / 2;
  const k = new Float64Array(size * size);
  for (let t = 0; t < steps; t++) {
    const x = Math.min(size - 1, Math.max(0, xy[2 * t]! - mx + centre));
    const y = Math.min(size - 1, Math.max(0, xy[2 * t + 1]! - my + centre));
    const x0 = Math.min(size - 2, Math.floor(x));
    const y0 = Math.min(size - 2, Math.floor(y));
    const fx = x - x0;
    const fy = y - y0;
    k[y0 * size + x0]! += (1 - fx) * (1 - fy);
    k[y0 * size + x0 + 1]! += fx * (1 - fy);
    k[(y0 + 1) * size + x0]! += (1 - fx) * fy;
    k[(y0 + 1) * size + x0 + 1]! += fx * fy;
  }
  let sum = 0;
  for (let i = 0; i < k.length; i++) sum += k[i]!;
  const out = new Float32Array(size * size);
  for (let i = 0; i < k.length; i++) out[i] = k[i]! / sum;
  return out;
}

/** A fixed bank of blur kernels, one row of size² float32 values per kernel. */
export class KernelBank {
  constructor(
    readonly count: number,
    readonly size: number,
    readonly data: Float32Array,
    /** The cache file it was read from or written to (undefined when not cached). */
    readonly file?: string,
  ) {}

  kernel(index: number): Float32Array {
    const n = this.size * this.size;
    return this.data.subarray(index * n, (index + 1) * n);
  }

  /** Generates kernel `index` of a bank (each kernel has its own stream, so this is cheap). */
  static generateKernel(options: KernelBankOptions, index: number): Float32Array {
    const o = { ...KERNEL_BANK_DEFAULTS, ...options };
    const rng = new Rng(o.seed).fork('motion-kernels').fork(index);
    const length = rng.range(o.length[0], o.length[1]);
    const anxiety = rng.range(o.anxiety[0], o.anxiety[1]);
    return trajectoryToKernel(shakeTrajectory(rng, o.steps, length, anxiety), o.size);
  }

  static generate(options: KernelBankOptions = {}): KernelBank {
    const o = validate(options);
    const n = o.size * o.size;
    const data = new Float32Array(o.count * n);
    for (let i = 0; i < o.count; i++) data.set(KernelBank.generateKernel(o, i), i * n);
    return new KernelBank(o.count, o.size, data);
  }

  /** Loads the bank from its cache file, generating and caching it on first use. */
  static load(options: KernelBankOptions = {}): KernelBank {
    const o = validate(options);
    const dir = options.cacheDir === undefined ? join(defaultDataDir(), 'kernels') : options.cacheDir;
    if (dir === null) return KernelBank.generate(o);
    const name = `motion-s${o.seed}-n${o.count}-k${o.size}-t${o.steps}-l${o.length.join('_')}-a${o.anxiety.join('_')}.f32`;
    const file = join(dir, name);
    const bytes = o.count * o.size * o.size * 4;
    if (existsSync(file)) {
      const buf = readFileSync(file);
      if (buf.length === bytes) {
        const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytes));
        return new KernelBank(o.count, o.size, data, file);
      }
    }
    const bank = KernelBank.generate(o);
    mkdirSync(dir, { recursive: true });
    // write-then-rename so concurrent readers never see a partial file
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, new Uint8Array(bank.data.buffer, bank.data.byteOffset, bytes));
    renameSync(tmp, file);
    return new KernelBank(bank.count, bank.size, bank.data, file);
  }
}

function validate(options: KernelBankOptions): Required<Omit<KernelBankOptions, 'cacheDir'>> {
  const o = { ...KERNEL_BANK_DEFAULTS, ...stripUndefined(options) };
  if (!Number.isInteger(o.count) || o.count < 1)
    throw new UserError(`blur.count: expected an integer ≥ 1, got ${o.count}`);
  if (!Number.isInteger(o.size) || o.size < 3 || o.size % 2 === 0) {
    throw new UserError(`blur.kernelSize: expected an odd integer ≥ 3, got ${o.size}`);
  }
  if (!Number.isInteger(o.steps) || o.steps < 2)
    throw new UserError(`blur.steps: expected an integer ≥ 2, got ${o.steps}`);
  return { count: o.count, size: o.size, seed: o.seed, steps: o.steps, length: o.length, anxiety: o.anxiety };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
