// Line charts of metric curves (chart.js): step on x, one dataset per curve, optional smoothing (a faint
// raw curve behind the smoothed one) and vertical markers at best-checkpoint steps.
(() => {
  const ugp = window.ugp;
  const { el } = ugp;

  /** Draws a dashed vertical line at each `marks[i].step` (the best checkpoint of a run and stage). */
  const bestCheckpointPlugin = {
    id: 'ugpBestCheckpoint',
    defaults: { marks: [] },
    afterDatasetsDraw(chart, _args, options) {
      const marks = options.marks || [];
      const x = chart.scales.x;
      const area = chart.chartArea;
      if (!x || !area) return;
      const ctx = chart.ctx;
      ctx.save();
      marks.forEach((mark, i) => {
        const px = x.getPixelForValue(mark.step);
        if (!(px >= area.left - 0.5 && px <= area.right + 0.5)) return;
        ctx.strokeStyle = mark.color || '#333';
        ctx.lineWidth = 1.5;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = mark.color || '#333';
        ctx.font = '11px sans-serif';
        ctx.textAlign = px > area.right - 80 ? 'right' : 'left';
        ctx.fillText(
          mark.label || `best @ ${mark.step}`,
          px + (ctx.textAlign === 'right' ? -4 : 4),
          area.top + 12 + 13 * i,
        );
      });
      ctx.restore();
    },
  };
  Chart.register(bestCheckpointPlugin);
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';

  function points(steps, values) {
    return steps.map((x, i) => ({ x, y: values[i] }));
  }

  /**
   * Appends a chart to `parent`. curves: [{ label, steps, values, color }]; marks: [{ step, label, color }].
   * Each dataset carries `ugpRole` ('value', or 'raw'/'smoothed' when smoothing > 0) and `ugpKey`.
   */
  function lineChart(parent, { id, title, yTitle, curves, smoothing = 0, marks = [] }) {
    const canvas = el('canvas', { 'data-chart': id });
    const box = el('div', { class: 'chart' }, canvas);
    parent.append(box);
    const datasets = [];
    curves.forEach((c) => {
      const few = c.steps.length <= 60;
      if (smoothing > 0) {
        datasets.push({
          label: `${c.label} (raw)`,
          ugpRole: 'raw',
          ugpKey: c.key,
          data: points(c.steps, c.values),
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
        data: points(c.steps, ugp.smooth(c.values, smoothing)),
        borderColor: ugp.color(c.colorIndex),
        backgroundColor: ugp.color(c.colorIndex),
        borderWidth: 2,
        pointRadius: few && smoothing === 0 ? 2.5 : 0,
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
          legend: { labels: { filter: (item, data) => data.datasets[item.datasetIndex].ugpRole !== 'raw' } },
          decimation: { enabled: true, algorithm: 'min-max' },
          ugpBestCheckpoint: { marks },
        },
      },
    });
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

  Object.assign(ugp, { lineChart, destroyCharts, smoothingControl });
})();
