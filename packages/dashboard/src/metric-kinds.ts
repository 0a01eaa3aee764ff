// What a metric key measures, from its name: the dashboard groups curves by kind and picks "best" by it.
// Values computed with the LPIPS proxy network are their own kind (`lpips_proxy`), so they are never
// charted, ranked or averaged together with true LPIPS-VGG values.

export type MetricKind = 'psnr' | 'ssim' | 'lpips' | 'lpips_proxy' | 'loss' | 'other';

export interface MetricKindInfo {
  kind: MetricKind;
  /** Heading of the kind's chart and columns. */
  label: string;
  /** Which direction is better (null: neither, e.g. a learning rate). */
  better: 'max' | 'min' | null;
}

export const METRIC_KINDS: Record<MetricKind, MetricKindInfo> = {
  psnr: { kind: 'psnr', label: 'PSNR (dB)', better: 'max' },
  ssim: { kind: 'ssim', label: 'SSIM', better: 'max' },
  lpips: { kind: 'lpips', label: 'LPIPS', better: 'min' },
  lpips_proxy: { kind: 'lpips_proxy', label: 'lpips_proxy (proxy network, not LPIPS-VGG)', better: 'min' },
  loss: { kind: 'loss', label: 'Losses', better: 'min' },
  other: { kind: 'other', label: 'Other', better: null },
};

/** Chart and column order. */
export const METRIC_KIND_ORDER: readonly MetricKind[] = [
  'psnr',
  'ssim',
  'lpips',
  'lpips_proxy',
  'loss',
  'other',
];

/**
 * The kind of a metric key such as `val/psnr`, `psnr_y`, `lpips_proxy`, `loss/l1` or `g_loss`. Loss terms
 * are losses even when named after a metric (`loss/lpips` is the LPIPS loss term, not a validation score).
 */
export function metricKind(key: string): MetricKind {
  const k = key.toLowerCase();
  if (k.includes('loss') || /(^|[/_.])(l1|l2|mse|adv|r1|cx|contextual)($|[/_.])/.test(k)) {
    return 'loss';
  }
  if (k.includes('lpips_proxy') || k.includes('lpips-proxy')) return 'lpips_proxy';
  if (k.includes('lpips')) return 'lpips';
  if (k.includes('psnr')) return 'psnr';
  if (k.includes('ssim')) return 'ssim';
  return 'other';
}
