// Line charts of metric curves (chart.js): step on x, one dataset per curve, optional smoothing (a faint
// raw curve behind the smoothed one). Legends are shared per page section (`legend`), not drawn in each
// chart. A curve's best checkpoint is a diamond on the line; hovering it shows the value. Diamonds that
// would touch are drawn as one, whose tooltip lists them all, so markers never cover each other.
(() => {
  const ugp = window.ugp;
  const { el, fmt } = ugp;

  const MARKER = 5; // half the diamond's width, px

  /** y of a polyline at x (linear between neighbours; null outside it or across a gap). */
  function valueAt(points, x) {
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (p.x === x) return p.y;
      if (p.x > x) {
        const q = points[i - 1];
        if (!q || q.y === null || p.y === null) return null;
        return q.y + ((p.y - q.y) * (x - q.x)) / (p.x - q.x);
      }
    }
    return null;
  }

  /** Best-checkpoint markers of every dataset with `ugpBest`, merged where their boxes would meet. */
  function placeMarkers(chart) {
    const { x: xs, y: ys } = chart.scales;
    const area = chart.chartArea;
    const groups = [];
    chart.data.datasets.forEach((d, i) => {
      if (!d.ugpBest || !chart.isDatasetVisible(i)) return;
      const { step } = d.ugpBest;
      const drawn = valueAt(d.data, step);
      if (drawn === null) return;
      const px = xs.getPixelForValue(step);
      const py = ys.getPixelForValue(drawn);
      if (px < area.left - 1 || px > area.right + 1 || py < area.top - 1 || py > area.bottom + 1) return;
      const raw = valueAt(d.ugpRaw, step);
      const exact = d.ugpRaw.some((p) => p.x === step);
      const entry = {
        color: d.borderColor,
        text: `${d.ugpBest.label}: ${exact ? '' : '≈ '}${fmt(raw, d.ugpKind)} at step ${step}`,
      };
      const near = groups.find(
        (g) => Math.abs(g.x - px) < 2 * MARKER + 2 && Math.abs(g.y - py) < 2 * MARKER + 2,
      );
      if (near) near.entries.push(entry);
      else groups.push({ x: px, y: py, entries: [entry] });
    });
    return groups.map((g) => ({
      ...g,
      left: g.x - MARKER - 1,
      right: g.x + MARKER + 1,
      top: g.y - MARKER - 1,
      bottom: g.y + MARKER + 1,
    }));
  }

  function drawDiamond(ctx, { x, y, entries }) {
    ctx.beginPath();
    ctx.moveTo(x, y - MARKER);
    ctx.lineTo(x + MARKER, y);
    ctx.lineTo(x, y + MARKER);
    ctx.lineTo(x - MARKER, y);
    ctx.closePath();
    ctx.fillStyle = entries[0].color;
    ctx.fill();
    // Dark outline so the diamond stands out on its own line; thicker where several are one.
    ctx.lineWidth = entries.length > 1 ? 2.5 : 1.5;
    ctx.strokeStyle = '#111';
    ctx.stroke();
  }

  const bestMarkerPlugin = {
    id: 'ugpBestMarkers',
    afterDatasetsDraw(chart) {
      chart.$ugpMarkers = placeMarkers(chart);
      const ctx = chart.ctx;
      ctx.save();
      for (const m of chart.$ugpMarkers) drawDiamond(ctx, m);
      ctx.restore();
    },
    /** Before chart.js's tooltip sees the event: note the marker under the pointer (if any). */
    beforeEvent(chart, args) {
      const e = args.event;
      const hit =
        e.type === 'mouseout'
          ? null
          : (chart.$ugpMarkers || []).find(
              (m) => e.x >= m.left - 2 && e.x <= m.right + 2 && e.y >= m.top - 2 && e.y <= m.bottom + 2,
            );
      chart.$ugpHover = hit || null;
      const tip = chart.canvas.parentNode.querySelector('.marker-tip');
      if (!tip) return;
      if (!hit) {
        tip.hidden = true;
        return;
      }
      tip.replaceChildren(
        el('strong', {}, 'best checkpoint'),
        ...hit.entries.map((en) =>
          el('div', {}, el('span', { class: 'swatch', style: `background:${en.color}` }), ' ', en.text),
        ),
      );
      tip.hidden = false;
      const box = chart.canvas.parentNode.clientWidth;
      tip.style.top = `${hit.bottom + 6}px`;
      tip.style.left = `${Math.max(0, Math.min(hit.x - 20, box - tip.offsetWidth - 4))}px`;
    },
  };
  Chart.register(bestMarkerPlugin);
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';

  function points(steps, values) {
    return steps.map((x, i) => ({ x, y: values[i] }));
  }

  /**
   * Appends a chart to `parent`. curves: [{ key, label, steps, values, colorIndex, kind, best }] where
   * best = { step, label } marks the curve's best checkpoint. Each dataset carries `ugpRole` ('value', or
   * 'raw'/'smoothed' when smoothing > 0) and `ugpKey`.
   */
  function lineChart(parent, { id, title, yTitle, curves, smoothing = 0 }) {
    const canvas = el('canvas', { 'data-chart': id });
    const box = el('div', { class: 'chart' }, canvas, el('div', { class: 'marker-tip', hidden: true }));
    parent.append(box);
    const datasets = [];
    curves.forEach((c) => {
      const few = c.steps.length <= 60;
      const raw = points(c.steps, c.values);
      if (smoothing > 0) {
        datasets.push({
          label: `${c.label} (raw)`,
          ugpRole: 'raw',
          ugpKey: c.key,
          data: raw,
          borderColor: ugp.color(c.colorIndex, 0.25),
          backgroundColor: ugp.color(c.colorIndex, 0.25),
          borderWidth: 1,
          pointRadius: 0,
        });
      }
      datasets.push({
        label: c.label,
        ugpRole: smoothing > 0 ? 'smoothed' : 'value',
        ugpKey: c.key,
        ugpKind: c.kind,
        ugpBest: c.best || null,
        ugpRaw: raw,
        data: points(c.steps, ugp.smooth(c.values, smoothing)),
        borderColor: ugp.color(c.colorIndex),
        backgroundColor: ugp.color(c.colorIndex),
        borderWidth: 2,
        pointRadius: few && smoothing === 0 ? 2 : 0,
      });
    });
    return new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' } },
          y: { type: 'linear', title: { display: Boolean(yTitle), text: yTitle } },
        },
        plugins: {
          title: { display: Boolean(title), text: title },
          legend: { display: false },
          tooltip: {
            // The marker's own tooltip replaces chart.js's while the pointer is on a marker.
            filter: (item) => !item.chart.$ugpHover && item.dataset.ugpRole !== 'raw',
          },
          decimation: { enabled: true, algorithm: 'min-max' },
        },
      },
    });
  }

  /** The legend shared by a section's charts: [{ label, title, colorIndex }], plus the marker's meaning. */
  function legend(entries, { markers = true } = {}) {
    return el(
      'div',
      { class: 'legend' },
      entries.map((e) =>
        el(
          'span',
          { class: 'legend-item', title: e.title },
          el('span', { class: 'swatch', style: `background:${ugp.color(e.colorIndex)}` }),
          ' ',
          e.label,
        ),
      ),
      markers ? el('span', { class: 'legend-item muted' }, '◆ best checkpoint (hover for its value)') : null,
    );
  }

  /** Destroys every chart under `root` (before a view is re-rendered). */
  function destroyCharts(root) {
    for (const canvas of root.querySelectorAll('canvas[data-chart]')) Chart.getChart(canvas)?.destroy();
  }

  /** The smoothing slider (0 … 0.99, remembered). */
  function smoothingControl(value, onChange) {
    const out = el('output', {}, value.toFixed(2));
    const input = el('input', {
      type: 'range',
      id: 'smoothing',
      min: '0',
      max: '0.99',
      step: '0.01',
      value: String(value),
      oninput: () => {
        out.textContent = Number(input.value).toFixed(2);
      },
      onchange: () => {
        ugp.remember('smoothing', Number(input.value));
        onChange(Number(input.value));
      },
    });
    return el('label', { class: 'control' }, 'smoothing ', input, ' ', out);
  }

  Object.assign(ugp, { lineChart, legend, destroyCharts, smoothingControl });
})();
