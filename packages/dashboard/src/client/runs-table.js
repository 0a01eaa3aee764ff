// The home page (experiments and grids) and an experiment's runs table: status, grid params, backend and
// the best PSNR / LPIPS of each stage; sortable, filterable, with a remembered choice of columns.
(() => {
  const ugp = window.ugp;
  const { el, fmt, fmtJson } = ugp;

  function statusCounts(runs) {
    const counts = {};
    for (const r of runs) counts[r.status] = (counts[r.status] || 0) + 1;
    return Object.entries(counts).map(([s, n]) => el('span', { class: `status status-${s}` }, `${n} ${s}`));
  }

  function renderHome(main, data) {
    main.append(el('h1', {}, 'Experiments'));
    if (data.experiments.length === 0) {
      main.append(el('p', { class: 'empty' }, 'The store has no experiments yet.'));
      return;
    }
    const rows = data.experiments.map((e) => {
      const runs = data.runs.filter((r) => r.experiment === e.name);
      const grids = [...new Set(runs.map((r) => r.gridId).filter(Boolean))];
      return el(
        'tr',
        { 'data-experiment': e.name },
        el('td', {}, el('a', { href: `#/experiment/${encodeURIComponent(e.name)}` }, e.name)),
        el('td', { class: 'num' }, runs.length),
        el('td', {}, statusCounts(runs)),
        el(
          'td',
          {},
          grids.map((g) => el('a', { class: 'tag', href: `#/grid/${encodeURIComponent(g)}` }, g)),
        ),
        el('td', {}, e.specFile || '–'),
        el('td', {}, ugp.fmtTime(e.createdAt)),
      );
    });
    main.append(
      el(
        'table',
        { class: 'data', id: 'experiments' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['experiment', 'runs', 'status', 'grids', 'spec', 'created'].map((h) => el('th', {}, h)),
          ),
        ),
        el('tbody', {}, rows),
      ),
    );
  }

  /** The test pass's scores (stage `test`), the numbers an ablation is read by: I_F first, then I_R, I_G. */
  const HEADLINE_OUTPUTS = ['I_F', 'I_R', 'I_G'];
  const HEADLINE_KINDS = [
    ['psnr', 'PSNR'],
    ['ssim', 'SSIM'],
    ['lpips', 'LPIPS'],
    ['lpips_proxy', 'LPIPS proxy'],
  ];

  /** Every column the runs table can show; `show` is the default visibility, `head` a header group. */
  function runColumns(data, runs, labels) {
    const summary = (r, stage, key) => r.summaries.find((s) => s.stage === stage && s.key === key);
    const logged = new Set(runs.flatMap((r) => r.summaries.map((s) => `${s.stage}\0${s.key}`)));
    const headline = [];
    for (const output of HEADLINE_OUTPUTS) {
      for (const [kind, name] of HEADLINE_KINDS) {
        const key = `${output}/${kind}`;
        if (!logged.has(`test\0${key}`)) continue;
        headline.push({
          id: `test:${key}`,
          label: name,
          head: `test ${output}`,
          title: `held-out test ${data.kinds[kind].label} of ${output} (ugp eval / the demo's test pass)`,
          group: 'test scores',
          kind,
          numeric: true,
          show: true,
          get: (r) => summary(r, 'test', key)?.latest ?? null,
        });
      }
    }
    const cols = [
      {
        id: 'name',
        label: 'run',
        show: true,
        fixed: true,
        get: (r) => labels.get(r.id).label,
        cell: (r) => ugp.runLink(r, labels),
      },
      {
        id: 'status',
        label: 'status',
        show: true,
        get: (r) => r.status,
        cell: (r) => ugp.statusBadge(r.status),
      },
      ...headline,
      { id: 'stage', label: 'stage', show: true, get: (r) => r.stage },
      { id: 'backend', label: 'backend', show: headline.length === 0, get: (r) => r.backend },
      {
        id: 'seed',
        label: 'seed',
        show: false,
        get: (r) => r.seed ?? Object.entries(r.cellParams || {}).find(([k]) => ugp.isSeedKey(k))?.[1] ?? null,
      },
    ];
    // Seeds have their column above; the other grid parameters are in the run label too.
    const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.cellParams || {})))]
      .filter((k) => !ugp.isSeedKey(k))
      .sort();
    for (const k of paramKeys) {
      cols.push({
        id: `param:${k}`,
        label: k,
        group: 'grid params',
        show: false,
        get: (r) => (k in r.cellParams ? fmtJson(r.cellParams[k]) : null),
      });
    }
    const pairs = new Map();
    for (const r of runs)
      for (const s of r.summaries) if (s.stage !== 'test') pairs.set(`${s.stage}\0${s.key}`, s);
    const ordered = ugp
      .stageSort(
        data,
        [...pairs.values()].map((s) => s.stage),
      )
      .flatMap((stage) =>
        ugp
          .sortKeys(
            data,
            [...pairs.values()].filter((s) => s.stage === stage).map((s) => s.key),
          )
          .map((key) => ({ stage, key })),
      );
    for (const { stage, key } of ordered) {
      const kind = data.metricKinds[key] || 'other';
      const ranked = kind === 'psnr' || kind === 'ssim' || kind === 'lpips' || kind === 'lpips_proxy';
      cols.push({
        id: `${ranked ? 'best' : 'latest'}:${stage}:${key}`,
        label: key,
        head: `${stage} · ${ranked ? 'best' : 'last'}`,
        title: `${stage} validation, ${ranked ? 'best' : 'last'} value: ${data.kinds[kind].label}`,
        group: `${stage} validation`,
        kind,
        numeric: true,
        // Without test scores, the validation PSNR / LPIPS of the plain keys are the headline.
        show:
          headline.length === 0 &&
          !key.includes('/') &&
          (kind === 'psnr' || kind === 'lpips' || kind === 'lpips_proxy'),
        get: (r) => {
          const s = summary(r, stage, key);
          if (!s) return null;
          return ranked ? ugp.bestOf(data, s) : s.latest;
        },
      });
    }
    cols.push(
      {
        id: 'created',
        label: 'created',
        show: false,
        numeric: true,
        get: (r) => r.createdAt,
        text: ugp.fmtTime,
      },
      {
        id: 'duration',
        label: 'duration',
        show: false,
        numeric: true,
        get: (r) => (r.startTime ? (r.endTime || data.generatedAt) - r.startTime : null),
        text: ugp.fmtDuration,
      },
      { id: 'attempts', label: 'attempts', show: false, numeric: true, get: (r) => r.attempts },
      { id: 'host', label: 'host', show: false, get: (r) => r.host },
      { id: 'grid', label: 'grid', show: false, get: (r) => r.gridId },
    );
    return cols;
  }

  function compareValues(a, b) {
    const na = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a));
    const nb = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b));
    if (na || nb) return na && nb ? 0 : na ? 1 : -1; // missing values last in both directions
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  function cellText(col, run) {
    const v = col.get(run);
    if (col.text) return col.text(v);
    if (typeof v === 'number') return fmt(v, col.kind);
    return v === null || v === undefined ? '–' : String(v);
  }

  /** Rows matching every whitespace-separated word of the filter (in any shown cell or param). */
  function matches(run, cols, words) {
    if (words.length === 0) return true;
    const hay = [
      run.name,
      run.id,
      run.status,
      ...Object.entries(run.cellParams || {}).map(([k, v]) => `${k}=${fmtJson(v)}`),
      ...cols.map((c) => cellText(c, run)),
    ]
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  }

  function renderExperiment(main, data, [name], state, rerender) {
    const runs = data.runs.filter((r) => r.experiment === name);
    main.append(el('h1', {}, name));
    const grids = [...new Set(runs.map((r) => r.gridId).filter(Boolean))];
    if (grids.length) {
      main.append(
        el(
          'p',
          {},
          'Ablation grids: ',
          grids.map((g) => el('a', { class: 'tag', href: `#/grid/${encodeURIComponent(g)}` }, g)),
        ),
      );
    }
    if (runs.length === 0) {
      main.append(el('p', { class: 'empty' }, 'No runs in this experiment.'));
      return;
    }
    main.append(runsTable(data, runs, state, rerender));
  }

  /** The runs table with its controls; `state` keeps sort, filter and selection across refreshes. */
  function runsTable(data, runs, state, rerender) {
    state.sort ??= { col: 'name', dir: 1 }; // by label: the cells of an ablation in order
    state.filter ??= '';
    state.status ??= '';
    state.selected ??= [];
    const labels = ugp.shortLabels(runs);
    const cols = runColumns(data, runs, labels);
    const chosen = ugp.recall('columns', {});
    const visible = cols.filter((c) => c.fixed || (c.id in chosen ? chosen[c.id] : c.show));

    const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const sortCol = cols.find((c) => c.id === state.sort.col) || cols[0];
    const shown = runs
      .filter((r) => (!state.status || r.status === state.status) && matches(r, cols, words))
      .sort((a, b) => {
        const c = compareValues(sortCol.get(a), sortCol.get(b));
        const missing = sortCol.get(a) == null || sortCol.get(b) == null;
        return missing ? c : c * state.sort.dir;
      });

    const filter = el('input', {
      type: 'search',
      id: 'run-filter',
      placeholder: 'filter runs by words, e.g. random failed',
      value: state.filter,
      oninput: () => {
        state.filter = filter.value;
        rerender();
      },
    });
    const statuses = [...new Set(runs.map((r) => r.status))].sort();
    const status = el(
      'select',
      {
        id: 'status-filter',
        onchange: () => {
          state.status = status.value;
          rerender();
        },
      },
      el('option', { value: '' }, 'any status'),
      statuses.map((s) => el('option', { value: s, selected: s === state.status }, s)),
    );
    const compare = el(
      'button',
      {
        id: 'compare-selected',
        disabled: state.selected.length === 0,
        onclick: () => {
          location.hash = `#/compare/${state.selected.map(encodeURIComponent).join(',')}`;
        },
      },
      `compare selected (${state.selected.length})`,
    );
    const groups = [...new Set(cols.filter((c) => !c.fixed).map((c) => c.group || 'run'))];
    const chooser = el(
      'details',
      { class: 'columns', id: 'column-chooser', open: state.chooserOpen },
      el('summary', { onclick: () => (state.chooserOpen = !state.chooserOpen) }, 'columns'),
      groups.map((g) =>
        el(
          'div',
          { class: 'column-group' },
          el('span', { class: 'muted' }, `${g}: `),
          cols
            .filter((c) => !c.fixed && (c.group || 'run') === g)
            .map((c) =>
              el(
                'label',
                { title: c.title },
                el('input', {
                  type: 'checkbox',
                  'data-column': c.id,
                  checked: visible.includes(c),
                  onchange: (e) => {
                    const next = ugp.recall('columns', {});
                    next[c.id] = e.target.checked;
                    ugp.remember('columns', next);
                    rerender();
                  },
                }),
                ` ${c.head ? `${c.head} ${c.label}` : c.label}`,
              ),
            ),
        ),
      ),
    );

    const sortHeader = (c, attrs = {}) =>
      el(
        'th',
        {
          ...attrs,
          'data-col': c.id,
          title: c.title,
          class: c.numeric ? 'num sortable' : 'sortable',
          'aria-sort': c.id === sortCol.id ? (state.sort.dir > 0 ? 'ascending' : 'descending') : null,
          onclick: () => {
            state.sort = { col: c.id, dir: state.sort.col === c.id ? -state.sort.dir : c.numeric ? -1 : 1 };
            rerender();
          },
        },
        c.label,
        c.id === sortCol.id ? (state.sort.dir > 0 ? ' ▲' : ' ▼') : '',
      );
    // Two header rows when columns are grouped (`test I_F` over PSNR / SSIM / LPIPS).
    const grouped = visible.some((c) => c.head);
    const top = [el('th', grouped ? { rowspan: 2 } : {}, '')];
    const second = [];
    for (let i = 0; i < visible.length; i++) {
      const c = visible[i];
      if (!grouped || !c.head) {
        top.push(sortHeader(c, grouped ? { rowspan: 2 } : {}));
        continue;
      }
      let n = 1;
      while (visible[i + n]?.head === c.head) n += 1;
      top.push(el('th', { colspan: n, class: 'group' }, c.head));
      for (let j = i; j < i + n; j++) second.push(sortHeader(visible[j]));
      i += n - 1;
    }
    const head = [el('tr', {}, top), grouped ? el('tr', {}, second) : null];
    const body = shown.map((r) =>
      el(
        'tr',
        { 'data-run-id': r.id },
        el(
          'td',
          {},
          el('input', {
            type: 'checkbox',
            class: 'select-run',
            checked: state.selected.includes(r.id),
            onchange: (e) => {
              state.selected = e.target.checked
                ? [...state.selected, r.id]
                : state.selected.filter((id) => id !== r.id);
              rerender();
            },
          }),
        ),
        visible.map((c) => {
          const content = c.cell ? c.cell(r) : cellText(c, r);
          return el(
            'td',
            { class: c.numeric ? 'num' : c.id === 'name' ? 'label' : null, 'data-col': c.id },
            content,
          );
        }),
      ),
    );
    return el(
      'section',
      { class: 'runs' },
      el(
        'div',
        { class: 'toolbar' },
        filter,
        status,
        compare,
        el('span', { id: 'run-count' }, `${shown.length} of ${runs.length} runs`),
      ),
      chooser,
      // Columns added with the chooser may outgrow the window: then the table scrolls, not the page.
      el(
        'div',
        { class: 'table-wrap' },
        el('table', { class: 'data', id: 'runs' }, el('thead', {}, head), el('tbody', {}, body)),
      ),
    );
  }

  Object.assign(ugp, { renderHome, renderExperiment, runsTable, runColumns, compareValues });
})();
