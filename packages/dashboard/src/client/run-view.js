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

  function bestCheckpointTable(data, runs) {
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
            runs.length > 1 ? el('td', {}, run.name) : null,
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

  /** Samples of a set of runs at one step, side by side (one column per run). */
  function samplesAtStep(runs, stage, step) {
    return el(
      'div',
      { class: 'samples', 'data-stage': stage, 'data-step': step },
      runs.map((run) => {
        const found = run.artifacts.filter((a) => a.stage === stage && a.step === step);
        return el(
          'figure',
          { 'data-run-id': run.id },
          found.length
            ? found.map((a) =>
                a.url
                  ? el('img', { src: a.url, alt: `${run.name} ${a.kind} step ${step}`, title: a.path })
                  : el('p', { class: 'empty' }, `missing file ${a.path}`),
              )
            : el('p', { class: 'empty' }, `no sample at step ${step}`),
          el('figcaption', {}, runs.length > 1 ? `${ugp.runLabel(run)} · step ${step}` : `step ${step}`),
        );
      }),
    );
  }

  function sampleSteps(runs, stage) {
    return [
      ...new Set(runs.flatMap((r) => r.artifacts.filter((a) => a.stage === stage).map((a) => a.step))),
    ].sort((a, b) => a - b);
  }

  /** A step picker plus the samples of `runs` at that step; defaults to the last step all runs share. */
  function samplesSection(runs, stage, state, rerender) {
    const steps = sampleSteps(runs, stage);
    if (steps.length === 0) return null;
    state.sampleStep ??= {};
    const shared = steps.filter((s) =>
      runs.every((r) => r.artifacts.some((a) => a.stage === stage && a.step === s)),
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
    return el('section', {}, el('h3', {}, 'Samples ', select), samplesAtStep(runs, stage, step));
  }

  function renderRun(main, data, [id], state, rerender) {
    const run = data.runs.find((r) => r.id === id);
    if (!run) {
      main.append(el('p', { class: 'empty' }, `No run ${id} in the store.`));
      return;
    }
    const smoothing = ugp.recall('smoothing', 0);
    main.append(el('h1', {}, run.name, ' ', ugp.statusBadge(run.status)));
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

    main.append(el('h2', {}, 'Best checkpoint per stage'), bestCheckpointTable(data, [run]));
    main.append(el('div', { class: 'toolbar' }, ugp.smoothingControl(smoothing, rerender)));

    const series = data.series[run.id] || {};
    const stages = ugp.stageSort(data, [
      ...Object.keys(series),
      ...run.artifacts.map((a) => a.stage),
      ...run.checkpoints.map((c) => c.stage),
    ]);
    for (const stage of stages) {
      const section = el('section', { class: 'stage', 'data-stage': stage }, el('h2', {}, stage));
      main.append(section);
      const best = bestCheckpoints(run).find((c) => c.stage === stage);
      const marks = best ? [{ step: best.step, label: `best checkpoint @ ${best.step}`, color: '#444' }] : [];
      const keys = ugp.sortKeys(data, Object.keys(series[stage] || {}));
      const grid = el('div', { class: 'charts' });
      section.append(grid);
      for (const kind of data.kindOrder) {
        const ofKind = keys.filter((k) => (data.metricKinds[k] || 'other') === kind);
        if (ofKind.length === 0) continue;
        ugp.lineChart(grid, {
          id: `run:${stage}:${kind}`,
          title: data.kinds[kind].label,
          curves: ofKind.map((key, i) => ({
            key,
            label: key,
            steps: series[stage][key].steps,
            values: series[stage][key].values,
            colorIndex: i,
          })),
          smoothing,
          marks,
        });
      }
      const samples = samplesSection([run], stage, state, rerender);
      if (samples) section.append(samples);
    }
  }

  Object.assign(ugp, { renderRun, bestCheckpointTable, samplesSection });
})();
