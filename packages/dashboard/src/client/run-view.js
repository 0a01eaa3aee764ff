// One run: its settings, the best checkpoint of each stage (path and restore command), and per stage the
// curves of every logged metric (PSNR, SSIM, LPIPS, lpips_proxy, losses) and the validation samples.
(() => {
  const ugp = window.ugp;
  const { el, fmt, fmtJson } = ugp;

  /** The best checkpoint of each stage of a run. */
  function bestCheckpoints(run) {
    return run.checkpoints.filter((c) => c.isBest);
  }

  function copyButton(text) {
    return el(
      'button',
      {
        class: 'copy',
        onclick: (e) => {
          const button = e.target;
          const done = () => {
            button.textContent = 'copied';
            setTimeout(() => (button.textContent = 'copy'), 1500);
          };
          if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, () => {});
        },
      },
      'copy',
    );
  }

  function checkpointMetrics(c) {
    return Object.entries(c.metrics)
      .map(([k, v]) => `${k} ${fmt(v, k.includes('psnr') ? 'psnr' : undefined)}`)
      .join(', ');
  }

  function bestCheckpointTable(data, runs, labels) {
    const rows = runs.flatMap((run) =>
      ugp
        .stageSort(
          data,
          bestCheckpoints(run).map((c) => c.stage),
        )
        .map((stage) => {
          const c = bestCheckpoints(run).find((x) => x.stage === stage);
          return el(
            'tr',
            { 'data-stage': stage, 'data-run-id': run.id },
            runs.length > 1 ? el('td', {}, ugp.runLink(run, labels)) : null,
            el('td', {}, stage),
            el('td', { class: 'num' }, c.step),
            el('td', {}, checkpointMetrics(c), c.bestByFallback ? el('em', {}, ' (best by psnr)') : null),
            el('td', {}, el('code', { class: 'path' }, c.absolutePath)),
            el(
              'td',
              {},
              el('code', { class: 'restore' }, c.restoreCommand),
              ' ',
              copyButton(c.restoreCommand),
            ),
          );
        }),
    );
    if (rows.length === 0) return el('p', { class: 'empty' }, 'No checkpoints saved yet.');
    const heads = [
      runs.length > 1 ? 'run' : null,
      'stage',
      'step',
      'metrics at save',
      'path',
      'restore with it',
    ];
    return el(
      'table',
      { class: 'data', id: 'best-checkpoints' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          heads.filter(Boolean).map((h) => el('th', {}, h)),
        ),
      ),
      el('tbody', {}, rows),
    );
  }

  const isSample = (a) => a.kind === 'samples';

  /** Validation sample strips of a set of runs at one step, side by side (one column per run), at 2×. */
  function samplesAtStep(runs, labels, stage, step) {
    return el(
      'div',
      { class: 'samples', 'data-stage': stage, 'data-step': step },
      runs.map((run) => {
        const found = run.artifacts.filter((a) => isSample(a) && a.stage === stage && a.step === step);
        const label = labels.get(run.id).label;
        return el(
          'figure',
          { 'data-run-id': run.id },
          found.length
            ? found.map((a) => {
                if (!a.url) return el('p', { class: 'empty' }, `missing file ${a.path}`);
                return ugp.zoomable(a.url, `${label} · ${stage} samples, step ${step}`, 'strip', 640);
              })
            : el('p', { class: 'empty' }, `no sample at step ${step}`),
          el(
            'figcaption',
            {},
            runs.length > 1 ? `${label} · step ${step}` : `step ${step}`,
            ' · LQ | I_R | I_G | I_F | GT (as far as the stage makes them)',
          ),
        );
      }),
    );
  }

  function sampleSteps(runs, stage) {
    return [
      ...new Set(
        runs.flatMap((r) => r.artifacts.filter((a) => isSample(a) && a.stage === stage).map((a) => a.step)),
      ),
    ].sort((a, b) => a - b);
  }

  /** A step picker plus the samples of `runs` at that step; defaults to the last step all runs share. */
  function samplesSection(runs, labels, stage, state, rerender) {
    const steps = sampleSteps(runs, stage);
    if (steps.length === 0) return null;
    state.sampleStep ??= {};
    const shared = steps.filter((s) =>
      runs.every((r) => r.artifacts.some((a) => isSample(a) && a.stage === stage && a.step === s)),
    );
    let step = state.sampleStep[stage];
    if (!steps.includes(step)) step = shared.length ? shared[shared.length - 1] : steps[steps.length - 1];
    const select = el(
      'select',
      {
        class: 'sample-step',
        'data-stage': stage,
        onchange: () => {
          state.sampleStep[stage] = Number(select.value);
          rerender();
        },
      },
      steps.map((s) => el('option', { value: String(s), selected: s === step }, `step ${s}`)),
    );
    return el(
      'section',
      {},
      el('h3', {}, 'Validation samples ', select),
      samplesAtStep(runs, labels, stage, step),
    );
  }

  /** The test pass's scores: a row per output (I_R, I_G, I_F), a column per metric. */
  function testScoresTable(data, run) {
    const scores = run.summaries.filter((s) => s.stage === 'test');
    if (scores.length === 0) return null;
    const kinds = data.kindOrder.filter((k) => scores.some((s) => data.metricKinds[s.key] === k));
    const outputs = ['I_R', 'I_G', 'I_F'].filter((o) => scores.some((s) => s.key.startsWith(`${o}/`)));
    const value = (o, k) => scores.find((s) => s.key.startsWith(`${o}/`) && data.metricKinds[s.key] === k);
    return el(
      'table',
      { class: 'data', id: 'test-scores' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, ''),
          kinds.map((k) => el('th', { class: 'num' }, data.kinds[k].label)),
        ),
      ),
      el(
        'tbody',
        {},
        outputs.map((o) =>
          el(
            'tr',
            {},
            el('th', {}, o),
            kinds.map((k) => el('td', { class: 'num' }, fmt(value(o, k)?.latest ?? null, k))),
          ),
        ),
      ),
    );
  }

  /** Legend name of a curve: `I_R/psnr` in the PSNR chart is `I_R`; anything else keeps its key. */
  function curveName(key) {
    const m = /^(I_[RGF])\/[^/]+$/.exec(key);
    return m ? m[1] : key;
  }

  function renderRun(main, data, [id], state, rerender) {
    const run = data.runs.find((r) => r.id === id);
    if (!run) {
      main.append(el('p', { class: 'empty' }, `No run ${id} in the store.`));
      return;
    }
    const labels = ugp.shortLabels(ugp.siblings(data, run));
    const { label, title } = labels.get(run.id);
    const smoothing = ugp.recall('smoothing', 0);
    main.append(el('h1', { title }, label, ' ', ugp.statusBadge(run.status)));
    if (label !== run.name) main.append(el('p', { class: 'fullname muted' }, run.name));
    // Unusable data files the runner skipped (tag data.skipped_files): worth seeing before trusting scores.
    const skipped = run.tags['data.skipped_files'];
    const facts = [
      ['run id', run.id],
      ['experiment', el('a', { href: `#/experiment/${encodeURIComponent(run.experiment)}` }, run.experiment)],
      ['grid', run.gridId ? el('a', { href: `#/grid/${encodeURIComponent(run.gridId)}` }, run.gridId) : null],
      [
        'grid params',
        Object.entries(run.cellParams)
          .map(([k, v]) => `${k}=${fmtJson(v)}`)
          .join(', ') || null,
      ],
      ['stage', run.stage],
      ['backend', run.backend],
      ['seed', run.seed],
      ['host', run.host],
      ['worker', run.worker ? `${run.worker.name} (pid ${run.worker.pid})` : null],
      ['attempts', run.attempts],
      ['started', run.startTime ? ugp.fmtTime(run.startTime) : null],
      ['ended', run.endTime ? ugp.fmtTime(run.endTime) : null],
      ['git', run.gitCommit],
      [
        'skipped data files',
        skipped === undefined || skipped === null
          ? null
          : el('span', { id: 'skipped-files', class: Number(skipped) > 0 ? 'warn' : null }, fmtJson(skipped)),
      ],
      ['failure', run.failure],
    ].filter(([, v]) => v !== null && v !== undefined && v !== '');
    main.append(
      el(
        'dl',
        { class: 'facts' },
        facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
      ),
    );
    const params = Object.entries(run.params);
    if (params.length) {
      main.append(
        el(
          'details',
          { class: 'params' },
          el('summary', {}, `config (${params.length} params)`),
          el(
            'table',
            { class: 'data' },
            el(
              'tbody',
              {},
              params.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, fmtJson(v)))),
            ),
          ),
        ),
      );
    }

    const scores = testScoresTable(data, run);
    if (scores) main.append(el('h2', {}, 'Held-out test scores'), scores);
    state.images ??= {};
    const images = ugp.imageComparison(
      data,
      [{ key: run.id, label, title, href: null, run }],
      state.images,
      rerender,
    );
    if (images) main.append(images);

    main.append(el('h2', {}, 'Best checkpoint per stage'), bestCheckpointTable(data, [run], labels));
    main.append(el('div', { class: 'toolbar' }, ugp.smoothingControl(smoothing, rerender)));

    const series = data.series[run.id] || {};
    const stages = ugp
      .stageSort(data, [
        ...Object.keys(series),
        ...run.artifacts.filter(isSample).map((a) => a.stage),
        ...run.checkpoints.map((c) => c.stage),
      ])
      .filter((s) => s !== 'test'); // one step: a table above, not a chart
    for (const stage of stages) {
      const section = el('section', { class: 'stage', 'data-stage': stage }, el('h2', {}, stage));
      main.append(section);
      const best = bestCheckpoints(run).find((c) => c.stage === stage);
      const keys = ugp.distinctKeys(ugp.sortKeys(data, Object.keys(series[stage] || {})), [
        series[stage] || {},
      ]);
      // One colour per legend name across the section's charts (I_R is the same blue in PSNR and SSIM).
      const names = [...new Set(keys.map(curveName))];
      if (names.length) {
        section.append(
          ugp.legend(
            names.map((n, i) => ({ label: n, colorIndex: i })),
            { markers: Boolean(best) },
          ),
        );
      }
      const grid = el('div', { class: 'charts' });
      section.append(grid);
      for (const kind of data.kindOrder) {
        const ofKind = keys.filter((k) => (data.metricKinds[k] || 'other') === kind);
        if (ofKind.length === 0) continue;
        ugp.lineChart(grid, {
          id: `run:${stage}:${kind}`,
          title: data.kinds[kind].label,
          curves: ofKind.map((key) => ({
            key,
            label: key,
            kind,
            steps: series[stage][key].steps,
            values: series[stage][key].values,
            colorIndex: names.indexOf(curveName(key)),
            best: best ? { step: best.step, label: key } : null,
          })),
          smoothing,
        });
      }
      const samples = samplesSection([run], labels, stage, state, rerender);
      if (samples) section.append(samples);
    }
  }

  Object.assign(ugp, { renderRun, bestCheckpointTable, samplesSection });
})();
