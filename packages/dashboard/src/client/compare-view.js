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
    const labels = ugp.shortLabels(runs);
    // The test pass's I_F scores, when the runs have them.
    const headline = [
      ['psnr', 'test I_F PSNR'],
      ['ssim', 'SSIM'],
      ['lpips', 'LPIPS'],
      ['lpips_proxy', 'LPIPS proxy'],
    ]
      .map(([kind, head]) => ({ kind, head, key: `I_F/${kind}` }))
      .filter((h) => runs.some((r) => r.summaries.some((s) => s.stage === 'test' && s.key === h.key)));

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
            ['', 'run', 'status', ...headline.map((h) => h.head), 'grid params', 'backend', 'seed'].map((h) =>
              el('th', {}, h),
            ),
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
              el('td', { class: 'label' }, ugp.runLink(r, labels)),
              el('td', {}, ugp.statusBadge(r.status)),
              headline.map((h) => {
                const v = r.summaries.find((x) => x.stage === 'test' && x.key === h.key)?.latest ?? null;
                return el('td', { class: 'num', 'data-col': `test:${h.key}` }, ugp.fmt(v, h.kind));
              }),
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

    state.images ??= {};
    const images = ugp.imageComparison(
      data,
      runs.map((r) => ({
        key: r.id,
        ...labels.get(r.id),
        href: `#/run/${encodeURIComponent(r.id)}`,
        run: r,
      })),
      state.images,
      rerender,
    );
    if (images) main.append(images);

    const stages = ugp
      .stageSort(
        data,
        runs.flatMap((r) => [
          ...Object.keys(data.series[r.id] || {}),
          ...r.artifacts.filter((a) => a.kind === 'samples').map((a) => a.stage),
        ]),
      )
      .filter((s) => s !== 'test');
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
      el('h2', {}, 'Curves'),
      el(
        'div',
        { class: 'toolbar' },
        el('label', {}, 'stage ', stageSelect),
        ugp.smoothingControl(smoothing, rerender),
      ),
    );

    const keys = ugp.distinctKeys(
      ugp.sortKeys(
        data,
        runs.flatMap((r) => Object.keys(data.series[r.id]?.[stage] || {})),
      ),
      runs.map((r) => data.series[r.id]?.[stage] || {}),
    );
    // One legend for every chart of the stage: a colour per run.
    main.append(
      ugp.legend(
        runs.map((r, i) => ({ ...labels.get(r.id), colorIndex: i })),
        { markers: runs.some((r) => r.checkpoints.some((c) => c.isBest && c.stage === stage)) },
      ),
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
          .map(({ run, i, s }) => {
            const best = run.checkpoints.find((c) => c.isBest && c.stage === stage);
            const label = labels.get(run.id).label;
            return {
              key,
              label,
              kind,
              steps: s.steps,
              values: s.values,
              colorIndex: i,
              best: best ? { step: best.step, label } : null,
            };
          }),
        smoothing,
      });
    }
    const samples = ugp.samplesSection(runs, labels, stage, state, rerender);
    if (samples) main.append(samples);
    main.append(el('h2', {}, 'Best checkpoints'), ugp.bestCheckpointTable(data, runs, labels));
  }

  Object.assign(ugp, { renderCompare });
})();
