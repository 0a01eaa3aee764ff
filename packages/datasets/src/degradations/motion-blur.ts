// Motion blur (supplement S.7): one of a fixed bank of 2 000 random 51×51 camera-shake
// kernels per sample, applied by FFT convolution (fft-convolve.ts: exact linear convolution,
// borders extended by reflection without repeating the edge pixel, numpy 'reflect' /
// OpenCV BORDER_REFLECT_101), then clipped and 8-bit quantised by default.
import type { Rng } from '@ugpnet/tensor';
import { clipAndQuantise, type RgbImage } from '../image.js';
import type { Degradation } from './degradation.js';
import { convolveRgb } from './fft-convolve.js';
import { loadWasmFft } from './fft-wasm.js';
import { KernelBank, type KernelBankOptions } from './motion-kernels.js';

export interface MotionBlurOptions extends Omit<KernelBankOptions, 'size'> {
  /** Kernel side; default 51. */
  kernelSize?: number;
  /** Round to the 8-bit grid after clipping; default true. */
  quantise?: boolean;
}

export class MotionBlur implements Degradation {
  readonly name = 'blur';
  readonly quantise: boolean;

  constructor(
    readonly bank: KernelBank,
    options: { quantise?: boolean } = {},
  ) {
    this.quantise = options.quantise ?? true;
  }

  /**
   * Opens (generating and caching on first use) the kernel bank the options describe, and
   * loads the WebAssembly FFT for this thread (the JavaScript FFT is used if it cannot load).
   */
  static async open(options: MotionBlurOptions = {}): Promise<MotionBlur> {
    const { kernelSize, quantise, ...bank } = options;
    await loadWasmFft();
    return new MotionBlur(KernelBank.load({ ...bank, size: kernelSize ?? 51 }), { quantise });
  }

  lqSize(size: number): number {
    return size;
  }

  /** Index of the kernel a sample's stream picks (exposed for tests and previews). */
  pickKernel(rng: Rng): number {
    return rng.int(this.bank.count);
  }

  apply(gt: RgbImage, rng: Rng, out?: Float32Array): RgbImage {
    const kernel = this.bank.kernel(this.pickKernel(rng));
    return clipAndQuantise(convolveRgb(gt, kernel, this.bank.size, out), this.quantise);
  }
}
