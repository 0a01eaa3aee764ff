import { describe, expect, it } from 'vitest';
import { metricKind } from './metric-kinds.js';

describe('metricKind', () => {
  it('keeps lpips_proxy apart from LPIPS-VGG', () => {
    expect(metricKind('lpips_proxy')).toBe('lpips_proxy');
    expect(metricKind('val/lpips_proxy')).toBe('lpips_proxy');
    expect(metricKind('lpips')).toBe('lpips');
    expect(metricKind('val/LPIPS')).toBe('lpips');
  });

  it('recognises PSNR, SSIM, losses and the rest', () => {
    expect(metricKind('psnr')).toBe('psnr');
    expect(metricKind('val/psnr_y')).toBe('psnr');
    expect(metricKind('ssim')).toBe('ssim');
    expect(metricKind('loss')).toBe('loss');
    expect(metricKind('loss/g')).toBe('loss');
    expect(metricKind('g_loss')).toBe('loss');
    expect(metricKind('train/l1')).toBe('loss');
    expect(metricKind('lr')).toBe('other');
  });

  it('counts loss terms named after a metric as losses', () => {
    expect(metricKind('loss/psnr')).toBe('loss');
    expect(metricKind('loss/lpips')).toBe('loss');
  });
});
