// Several runs side by side: overlaid curves of each metric of a stage (one colour per run, best
// checkpoints marked), their samples at the same step, and their best checkpoints.
(() => {
  const ugp = window.ugp;
  const { el, fmtJson } = ugp;

  function renderCompare(main, data, [list], state, rerender) {
    const ids = (list || '').split(',').filter(Boolean);
    const runs = ids.map((id) => data.runs.find((r) => r.id === id)).filter(Boolean);
    main.append(el('h1', {}, `Compare ${runs.length} runs`));
    const missing = ids.filter((id) => !runs.some((r) => r.id === id));
    if (missing.length) main.append(el('p', { class: 'empty' }, `Not in the store: ${missing.join(', ')}`));
    if (runs.length === 0) return;

    main.append(
      el(
        'table',
        { class: 'data', id: 'compare-runs' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['', 'run', 'status', 'grid params', 'backend', 'seed'].map((h) => el('th', {}, h)),
          ),
        ),
        el(
          'tbody',
          {},
          runs.map((r, i) =>
            el(
              'tr',
              { 'data-run-id': r.id },
              el('td', {}, el('span', { class: 'swatch', style: `background:${ugp.color(i)}` })),
              el('td', {}, el('a', { href: `#/run/${encodeURIComponent(r.id)}` }, r.name)),
              el('td', {}, ugp.statusBadge(r.status)),
              el(
                'td',
                {},
                Object.entries(r.cellParams)
                  .map(([k, v]) => `${k}=${fmtJson(v)}`)
                  .join(', ') || '–',
              ),
              el('td', {}, r.backend || '–'),
              el('td', {}, r.seed ?? '–'),
            ),
          ),
        ),
      ),
    );

    const stages = ugp.stageSort(
      data,
      runs.flatMap((r) => [...Object.keys(data.series[r.id] || {}), ...r.artifacts.map((a) => a.stage)]),
    );
    if (stages.length === 0) {
      main.append(el('p', { class: 'empty' }, 'No metrics logged yet.'));
      return;
    }
    if (!stages.includes(state.stage)) state.stage = stages[0];
    const stage = state.stage;
    const smoothing = ugp.recall('smoothing', 0);
    const stageSelect = el(
      'select',
      {
        id: 'compare-stage',
        onchange: () => {
          state.stage = stageSelect.value;
          rerender();
        },
      },
      stages.map((s) => el('option', { value: s, selected: s === stage }, s)),
    );
    main.append(
      el(
        'div',
        { class: 'toolbar' },
        el('label', {}, 'stage ', stageSelect),
        ugp.smoothingControl(smoothing, rerender),
      ),
    );

    const marks = runs.flatMap((r, i) => {
      const best = r.checkpoints.find((c) => c.isBest && c.stage === stage);
      return best ? [{ step: best.step, label: `best ${r.name} @ ${best.step}`, color: ugp.color(i) }] : [];
    });
    const keys = ugp.sortKeys(
      data,
      runs.flatMap((r) => Object.keys(data.series[r.id]?.[stage] || {})),
    );
    const charts = el('div', { class: 'charts' });
    main.append(charts);
    for (const key of keys) {
      const kind = data.metricKinds[key] || 'other';
      ugp.lineChart(charts, {
        id: `compare:${stage}:${key}`,
        title: `${key} · ${data.kinds[kind].label}`,
        curves: runs
          .map((r, i) => ({ run: r, i, s: data.series[r.id]?.[stage]?.[key] }))
          .filter((c) => c.s)
          .map(({ run, i, s }) => ({
            key,
            label: run.name,
            steps: s.steps,
            values: s.values,
            colorIndex: i,
          })),
        smoothing,
        marks,
      });
    }
    const samples = ugp.samplesSection(runs, stage, state, rerender);
    if (samples) main.append(samples);
    main.append(el('h2', {}, 'Best checkpoints'), ugp.bestCheckpointTable(data, runs));
  }

  Object.assign(ugp, { renderCompare });
})();
