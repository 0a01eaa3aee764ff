// An ablation grid: one table per metric (PSNR, SSIM, LPIPS, lpips_proxy) with a row per value of one axis
// and a column per combination of the others; each cell is the mean ± std over the cell's seeds, shaded
// as a heatmap (darker = better).
(() => {
  const ugp = window.ugp;
  const { el, fmt, fmtJson } = ugp;

  const RANKED = ['psnr', 'ssim', 'lpips', 'lpips_proxy'];

  /** Axes of a grid: cell-param keys (seeds excluded) with more than one value, values in cell order. */
  function gridAxes(runs) {
    const ordered = [...runs].sort((a, b) => (a.cellIndex ?? 0) - (b.cellIndex ?? 0));
    // R before G (the paper's order, as in run labels): R is the default row axis.
    const keys = ugp.labelKeyOrder(
      [...new Set(ordered.flatMap((r) => Object.keys(r.cellParams || {})))].filter((k) => !ugp.isSeedKey(k)),
    );
    const axes = [];
    const fixed = [];
    for (const key of keys) {
      const values = [];
      for (const r of ordered) {
        const v = fmtJson(key in r.cellParams ? r.cellParams[key] : null);
        if (!values.includes(v)) values.push(v);
      }
      (values.length > 1 ? axes : fixed).push({ key, values });
    }
    return { axes, fixed };
  }

  function cellKey(run, axes) {
    return axes.map((a) => fmtJson(a.key in run.cellParams ? run.cellParams[a.key] : null)).join('\0');
  }

  function product(lists) {
    return lists.reduce((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
  }

  /** An axis value in the paper's words (`R pretrained`); values arrive JSON-formatted. */
  function words(key, formatted) {
    let value = formatted;
    try {
      value = JSON.parse(formatted);
    } catch {
      // a plain string value
    }
    return ugp.paramWords(key, value);
  }

  /** An axis name alone (`R`, `G`, `seed`, or the key). */
  function axisName(key) {
    return words(key, 'true').replace(/ (true|pretrained)$/, '');
  }

  function pickKey(keys, kind) {
    // I_F, the result, first (the runner also logs a stage's own output under the plain name).
    return (
      keys.find((k) => k === `I_F/${kind}`) ||
      keys.find((k) => k === kind) ||
      keys.find((k) => /val/i.test(k)) ||
      keys.find((k) => !/train/i.test(k)) ||
      keys[0]
    );
  }

  function renderGrid(main, data, [gridId], state, rerender) {
    const runs = data.runs.filter((r) => r.gridId === gridId);
    const grid = data.grids.find((g) => g.id === gridId);
    main.append(el('h1', {}, `Grid ${grid ? grid.name : gridId}`));
    if (runs.length === 0) {
      main.append(el('p', { class: 'empty' }, `No runs in grid ${gridId}.`));
      return;
    }
    const counts = {};
    for (const r of runs) counts[r.status] = (counts[r.status] || 0) + 1;
    main.append(
      el(
        'p',
        { id: 'grid-progress' },
        `${runs.length} cells: `,
        Object.entries(counts).map(([s, n]) => el('span', { class: `status status-${s}` }, `${n} ${s}`)),
        grid?.specFile ? ` · spec ${grid.specFile}` : '',
      ),
    );
    const { axes, fixed } = gridAxes(runs);
    if (fixed.length) {
      main.append(
        el('p', {}, 'Same in every cell: ', fixed.map((f) => `${f.key}=${f.values[0]}`).join(', ')),
      );
    }

    const stages = ugp.stageSort(
      data,
      runs.flatMap((r) => r.summaries.map((s) => s.stage)),
    );
    if (stages.length === 0) {
      main.append(el('p', { class: 'empty' }, 'No metrics logged yet.'));
      return;
    }
    if (!stages.includes(state.stage)) state.stage = stages[stages.length - 1];
    state.mode ??= 'final';
    state.rowAxis = axes.some((a) => a.key === state.rowAxis) ? state.rowAxis : axes[0]?.key;
    state.keys ??= {};

    const stageSelect = el(
      'select',
      {
        id: 'grid-stage',
        onchange: () => {
          state.stage = stageSelect.value;
          rerender();
        },
      },
      stages.map((s) => el('option', { value: s, selected: s === state.stage }, s)),
    );
    const modeSelect = el(
      'select',
      {
        id: 'grid-mode',
        onchange: () => {
          state.mode = modeSelect.value;
          rerender();
        },
      },
      el('option', { value: 'final', selected: state.mode === 'final' }, 'final value'),
      el('option', { value: 'best', selected: state.mode === 'best' }, 'best value'),
    );
    const rowSelect =
      axes.length > 1
        ? el(
            'select',
            {
              id: 'grid-rows',
              onchange: () => {
                state.rowAxis = rowSelect.value;
                rerender();
              },
            },
            axes.map((a) => el('option', { value: a.key, selected: a.key === state.rowAxis }, a.key)),
          )
        : null;
    main.append(
      el(
        'div',
        { class: 'toolbar' },
        el('label', {}, 'stage ', stageSelect),
        el('label', {}, 'value ', modeSelect),
        rowSelect ? el('label', {}, 'rows ', rowSelect) : null,
      ),
    );

    const stageKeys = [
      ...new Set(runs.flatMap((r) => r.summaries.filter((s) => s.stage === state.stage).map((s) => s.key))),
    ];
    const rowAxis = axes.find((a) => a.key === state.rowAxis);
    const colAxes = axes.filter((a) => a !== rowAxis);
    const rowValues = rowAxis ? rowAxis.values : [''];
    const colCombos = product(colAxes.map((a) => a.values));
    const orderedAxes = [...(rowAxis ? [rowAxis] : []), ...colAxes];
    const byCell = new Map();
    for (const r of runs) {
      const k = cellKey(r, orderedAxes);
      if (!byCell.has(k)) byCell.set(k, []);
      byCell.get(k).push(r);
    }

    let tables = 0;
    for (const kind of RANKED) {
      const keys = stageKeys.filter((k) => data.metricKinds[k] === kind).sort();
      if (keys.length === 0) continue;
      tables += 1;
      if (!keys.includes(state.keys[kind])) state.keys[kind] = pickKey(keys, kind);
      const key = state.keys[kind];
      const better = data.kinds[kind].better;
      const value = (run) => {
        const s = run.summaries.find((x) => x.stage === state.stage && x.key === key);
        if (!s) return null;
        return state.mode === 'best' ? ugp.bestOf(data, s) : s.latest;
      };
      const cells = rowValues.map((rv) =>
        colCombos.map((combo) => {
          const members = byCell.get([...(rowAxis ? [rv] : []), ...combo].join('\0')) || [];
          return { members, ...ugp.meanStd(members.map(value)) };
        }),
      );
      const means = cells
        .flat()
        .map((c) => c.mean)
        .filter((m) => m !== null);
      const lo = Math.min(...means);
      const hi = Math.max(...means);
      const shade = (mean) => {
        if (mean === null || hi === lo) return null;
        const t = (mean - lo) / (hi - lo);
        const goodness = better === 'min' ? 1 - t : t;
        return `background-color: rgba(46, 139, 87, ${(0.1 + 0.5 * goodness).toFixed(3)})`;
      };
      const keySelect =
        keys.length > 1
          ? el(
              'select',
              {
                class: 'grid-key',
                'data-kind': kind,
                onchange: (e) => {
                  state.keys[kind] = e.target.value;
                  rerender();
                },
              },
              keys.map((k) => el('option', { value: k, selected: k === key }, k)),
            )
          : el('code', {}, key);
      const colLabel = (combo) =>
        colAxes.length ? colAxes.map((a, i) => words(a.key, combo[i])).join(' · ') : state.mode;
      main.append(
        el(
          'section',
          { class: 'grid-table' },
          el(
            'h2',
            {},
            `${data.kinds[kind].label} `,
            keySelect,
            ` · ${state.stage}, ${state.mode} value, mean ± std over seeds`,
          ),
          el(
            'table',
            { class: 'data heatmap', id: `grid-${kind}`, 'data-key': key },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                el(
                  'th',
                  {},
                  rowAxis
                    ? `${axisName(rowAxis.key)} \\ ${colAxes.map((a) => axisName(a.key)).join(', ') || ''}`
                    : '',
                ),
                colCombos.map((combo) => el('th', {}, colLabel(combo))),
              ),
            ),
            el(
              'tbody',
              {},
              rowValues.map((rv, i) =>
                el(
                  'tr',
                  {},
                  el(
                    'th',
                    { title: rowAxis ? `${rowAxis.key}=${rv}` : null },
                    rowAxis ? words(rowAxis.key, rv) : 'all',
                  ),
                  cells[i].map((c, j) =>
                    el(
                      'td',
                      {
                        class: 'num',
                        style: shade(c.mean),
                        'data-row': rv,
                        'data-col': colCombos[j].join(','),
                        'data-mean': c.mean ?? '',
                        'data-std': c.std ?? '',
                        'data-n': c.n,
                      },
                      c.members.length === 0
                        ? '–'
                        : el(
                            'a',
                            { href: `#/compare/${c.members.map((m) => encodeURIComponent(m.id)).join(',')}` },
                            c.n > 1
                              ? `${fmt(c.mean, kind)} ± ${fmt(c.std, kind)}`
                              : c.n
                                ? fmt(c.mean, kind)
                                : '–',
                            el('small', {}, ` n=${c.n}/${c.members.length}`),
                          ),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    }
    if (tables === 0) {
      main.append(
        el('p', { class: 'empty' }, `No PSNR, SSIM or LPIPS values logged in stage ${state.stage}.`),
      );
    }
    main.append(cellImages(data, runs, orderedAxes, state, rerender) || '');
    state.table ??= {};
    main.append(el('h2', {}, 'Cells'), ugp.runsTable(data, runs, state.table, rerender));
  }

  /** Test images per grid cell (one seed's run per cell, chosen with the seed picker). */
  function cellImages(data, runs, axes, state, rerender) {
    const cells = new Map();
    for (const r of [...runs].sort((a, b) => (a.cellIndex ?? 0) - (b.cellIndex ?? 0))) {
      const k = cellKey(r, axes);
      if (!cells.has(k)) cells.set(k, []);
      cells.get(k).push(r);
    }
    const seedOf = (r) =>
      r.seed ?? Object.entries(r.cellParams || {}).find(([k]) => ugp.isSeedKey(k))?.[1] ?? null;
    const seeds = [...new Set(runs.map(seedOf))].filter((s) => s !== null).sort((a, b) => a - b);
    if (!seeds.includes(state.imageSeed)) state.imageSeed = seeds[0] ?? null;
    const rows = [...cells.values()].map((members) => {
      const run = members.find((r) => seedOf(r) === state.imageSeed) ?? members[0];
      const label = axes.length
        ? axes.map((a) => words(a.key, fmtJson(run.cellParams[a.key] ?? null))).join(' · ')
        : run.name;
      return {
        key: members[0].cellId ?? members[0].id,
        label,
        title: `${run.name}\nrun ${run.id}`,
        href: `#/run/${encodeURIComponent(run.id)}`,
        run,
      };
    });
    state.images ??= {};
    const section = ugp.imageComparison(data, rows, state.images, rerender, {
      heading: 'Test images per cell (held-out test pass)',
    });
    if (section && seeds.length > 1) {
      const seedSelect = el(
        'select',
        {
          id: 'image-seed',
          onchange: (e) => {
            state.imageSeed = Number(e.target.value);
            rerender();
          },
        },
        seeds.map((s) => el('option', { value: String(s), selected: s === state.imageSeed }, `seed ${s}`)),
      );
      section.querySelector('.toolbar').append(el('label', {}, 'run of ', seedSelect));
    }
    return section;
  }

  Object.assign(ugp, { renderGrid, gridAxes });
})();
