// PSNR as UGPNet's utils.calculate_psnr computes it (RGB, 8-bit images scaled to [0,1],
// 100 dB when identical) and as BasicSR's calculate_psnr(test_y_channel=True) does
// (Y of YCbCr, border crop, ∞ when identical).
import { type Image8, planes, yPlane } from './image.js';

function checkSameSize(a: Image8, b: Image8): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new RangeError(
      `images differ in size: ${a.width}×${a.height}×${a.channels} vs ${b.width}×${b.height}×${b.channels}`,
    );
  }
}

function mse(a: Float64Array[], b: Float64Array[]): number {
  let sum = 0;
  let count = 0;
  for (let c = 0; c < a.length; c++) {
    const pa = a[c]!;
    const pb = b[c]!;
    for (let i = 0; i < pa.length; i++) {
      const d = pa[i]! - pb[i]!;
      sum += d * d;
    }
    count += pa.length;
  }
  return sum / count;
}

/** utils.calculate_psnr on 8-bit RGB: −10·log10(MSE of x/255); 100 when MSE is 0. */
export function psnr(a: Image8, b: Image8, options: { crop?: number } = {}): number {
  checkSameSize(a, b);
  const pa = planes(a, options.crop ?? 0);
  const pb = planes(b, options.crop ?? 0);
  const m = mse(pa.planes, pb.planes) / (255 * 255);
  return m === 0 ? 100 : -10 * Math.log10(m);
}

/** BasicSR calculate_psnr(crop_border, test_y_channel=True): 10·log10(255²/MSE_Y); ∞ when equal. */
export function psnrY(a: Image8, b: Image8, options: { crop?: number } = {}): number {
  checkSameSize(a, b);
  const pa = planes(a, options.crop ?? 0);
  const pb = planes(b, options.crop ?? 0);
  const ya = a.channels === 3 ? yPlane(pa.planes) : pa.planes[0]!;
  const yb = b.channels === 3 ? yPlane(pb.planes) : pb.planes[0]!;
  const m = mse([ya], [yb]);
  return m === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / m);
}

export { checkSameSize };
