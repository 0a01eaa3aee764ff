// Shared helpers of the dashboard pages: DOM building (text only, never innerHTML with data), number
// formatting, smoothing, statistics and remembered settings.
(() => {
  window.ugp = window.ugp || {};
  const ugp = window.ugp;

  /** Creates an element: el('a', { href: '#/', class: 'x', onclick: f }, 'text', child, [more]). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (k === 'class') node.className = v;
      else if (k === 'style')
        node.style.cssText = v; // CSSOM, so the server's CSP needs no 'unsafe-inline'
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k === 'value') node.value = v;
      else if (k === 'checked') node.checked = Boolean(v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /** A number for a table cell: 4 significant decimals for small values, 2 decimals for dB. */
  function fmt(v, kind) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    if (typeof v !== 'number') return String(v);
    if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
    if (kind === 'psnr') return v.toFixed(2);
    if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
    return v.toFixed(4);
  }

  function fmtJson(v) {
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  function fmtTime(ms) {
    if (!ms) return '–';
    const d = new Date(ms);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  function fmtDuration(ms) {
    if (ms === null || ms === undefined || ms < 0) return '–';
    const s = Math.round(ms / 1000);
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ${s % 60}s`;
    return `${Math.floor(m / 60)}h ${m % 60}m`;
  }

  /**
   * TensorBoard's smoothing: an exponential moving average with bias correction, so the first points
   * are not pulled towards zero. Gaps (null) stay gaps and do not reset the average.
   */
  function smooth(values, weight) {
    if (!(weight > 0)) return values.slice();
    let last = 0;
    let n = 0;
    return values.map((v) => {
      if (v === null || !Number.isFinite(v)) return null;
      last = last * weight + (1 - weight) * v;
      n += 1;
      return last / (1 - weight ** n);
    });
  }

  /** Mean, sample standard deviation (n − 1; 0 for one value) and count of the finite values. */
  function meanStd(values) {
    const xs = values.filter((v) => v !== null && Number.isFinite(v));
    const n = xs.length;
    if (n === 0) return { mean: null, std: null, n: 0 };
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
    return { mean, std, n };
  }

  /** Settings kept across visits (localStorage; silently in-memory where storage is unavailable). */
  const memory = {};
  function remember(key, value) {
    memory[key] = value;
    try {
      localStorage.setItem(`ugp.${key}`, JSON.stringify(value));
    } catch {
      // storage disabled: keep the in-memory value
    }
  }
  function recall(key, fallback) {
    try {
      const s = localStorage.getItem(`ugp.${key}`);
      if (s !== null) return JSON.parse(s);
    } catch {
      // storage disabled or a corrupt value
    }
    return key in memory ? memory[key] : fallback;
  }

  /** Stable order of keys by kind (PSNR first, losses last), then by name. */
  function sortKeys(data, keys) {
    const rank = (k) => data.kindOrder.indexOf(data.metricKinds[k] || 'other');
    return [...new Set(keys)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  function stageSort(data, stages) {
    const order = data.stageOrder;
    const rank = (s) => (order.includes(s) ? order.indexOf(s) : order.length);
    return [...new Set(stages)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  /** The best of a summary row for its key's kind (max for PSNR/SSIM, min for LPIPS and losses). */
  function bestOf(data, summary) {
    const better = data.kinds[data.metricKinds[summary.key] || 'other'].better;
    if (better === 'max') return summary.max;
    if (better === 'min') return summary.min;
    return summary.latest;
  }

  /**
   * Drops a plain key (`psnr`) whose curve repeats an output's (`I_R/psnr`) in every run: the runner logs
   * the stage's own output under both names (the plain one picks the best checkpoint).
   */
  function distinctKeys(keys, seriesOf) {
    const same = (a, b) =>
      a &&
      b &&
      a.steps.length === b.steps.length &&
      a.steps.every((s, i) => s === b.steps[i] && a.values[i] === b.values[i]);
    return keys.filter((k) => {
      if (k.includes('/')) return true;
      const twins = keys.filter((o) => /^I_[RGF]\//.test(o) && o.slice(4) === k);
      return !twins.some((t) => seriesOf.every((series) => !series[k] || same(series[k], series[t])));
    });
  }

  /** Grid-cell params that only tell seeds apart (averaged over in the grid view). */
  function isSeedKey(key) {
    return /(^|\.)seed$/i.test(key);
  }

  function statusBadge(status) {
    return el('span', { class: `status status-${status}` }, status);
  }

  const PALETTE = [
    '#1f77b4',
    '#d62728',
    '#2ca02c',
    '#ff7f0e',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#17becf',
    '#7f7f7f',
    '#bcbd22',
  ];
  function color(i, alpha) {
    const hex = PALETTE[i % PALETTE.length];
    if (alpha === undefined) return hex;
    const n = Number.parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }

  Object.assign(ugp, {
    el,
    append,
    fmt,
    fmtJson,
    fmtTime,
    fmtDuration,
    smooth,
    meanStd,
    remember,
    recall,
    sortKeys,
    distinctKeys,
    stageSort,
    bestOf,
    isSeedKey,
    statusBadge,
    color,
  });
})();
