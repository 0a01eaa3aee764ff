// Short run labels: only the parameters in which the runs on a page differ, in the paper's words
// (`R pretrained · G random · seed 1`), unique among those runs; the full name, id and config go in
// the hover title. Tables, legends, captions and crumbs all use them.
(() => {
  const ugp = window.ugp;
  const { el, fmtJson } = ugp;

  /** The paper's names: R is the restoration module's regression network, G the generator. */
  const PAPER_NAMES = {
    'init.regression': 'R',
    pretrained_r: 'R',
    'init.generator': 'G',
    pretrained_g: 'G',
  };
  /** R, then G, then other parameters alphabetically, the seed last. */
  function keyRank(key) {
    if (key === 'experiment') return -1;
    const i = ['init.regression', 'pretrained_r', 'init.generator', 'pretrained_g'].indexOf(key);
    if (i >= 0) return i;
    return ugp.isSeedKey(key) ? 1000 : 100;
  }
  const byRank = (a, b) => keyRank(a) - keyRank(b) || a.localeCompare(b);

  /** One parameter in words: `R pretrained`, `G random`, `seed 1`, `lr 0.001`. */
  function paramWords(key, value) {
    if (key === 'experiment') return String(value);
    if (/^pretrained_/.test(key) && typeof value === 'boolean') {
      return `${PAPER_NAMES[key] ?? key.slice('pretrained_'.length)} ${value ? 'pretrained' : 'random'}`;
    }
    const name = PAPER_NAMES[key] ?? (ugp.isSeedKey(key) ? 'seed' : key);
    return `${name} ${fmtJson(value)}`;
  }

  /** The parameters a label may name: the grid cell's, plus the run's seed when the cell has none. */
  function labelParams(run) {
    const params = { ...(run.cellParams || {}) };
    if (!Object.keys(params).some(ugp.isSeedKey) && run.seed !== null && run.seed !== undefined) {
      params.seed = run.seed;
    }
    return params;
  }

  /** The hover text: full name, id, experiment, grid cell and the recorded config. */
  function fullTitle(run) {
    const lines = [run.name, `run ${run.id} · experiment ${run.experiment}`];
    const cell = Object.entries(run.cellParams || {});
    if (cell.length) lines.push(`cell: ${cell.map(([k, v]) => `${k}=${fmtJson(v)}`).join(', ')}`);
    const config = Object.entries(run.params || {});
    if (config.length) lines.push('config:', ...config.map(([k, v]) => `  ${k} = ${fmtJson(v)}`));
    return lines.join('\n');
  }

  /** run id → { label, title } for the runs of one page; labels are unique among them. */
  function shortLabels(runs) {
    const params = runs.map((r) => {
      const p = labelParams(r);
      if (new Set(runs.map((x) => x.experiment)).size > 1) p.experiment = r.experiment;
      return p;
    });
    const keys = [...new Set(params.flatMap((p) => Object.keys(p)))].sort(byRank);
    const differs = keys.filter((k) => new Set(params.map((p) => (k in p ? fmtJson(p[k]) : '\0'))).size > 1);
    // One run alone: name every cell parameter (the crumb and heading of a run page).
    const named = runs.length === 1 ? keys.filter((k) => k !== 'seed' || k in runs[0].cellParams) : differs;
    const labels = runs.map((r, i) => {
      const words = named.filter((k) => k in params[i]).map((k) => paramWords(k, params[i][k]));
      return words.length ? words.join(' · ') : r.name;
    });
    // Still equal (reruns of one cell, or runs outside grids): add the name, then the id.
    for (const extra of [(r) => r.name, (r) => `#${r.id.slice(0, 8)}`, (r) => `#${r.id}`]) {
      const count = new Map();
      for (const l of labels) count.set(l, (count.get(l) || 0) + 1);
      if ([...count.values()].every((n) => n === 1)) break;
      runs.forEach((r, i) => {
        if (count.get(labels[i]) > 1 && labels[i] !== extra(r)) labels[i] = `${labels[i]} · ${extra(r)}`;
      });
    }
    return new Map(runs.map((r, i) => [r.id, { label: labels[i], title: fullTitle(r) }]));
  }

  /** The runs a run is labelled among outside a page of its own: its grid, else its experiment. */
  function siblings(data, run) {
    return run.gridId
      ? data.runs.filter((r) => r.gridId === run.gridId)
      : data.runs.filter((r) => r.experiment === run.experiment);
  }

  function labelOf(data, run) {
    return shortLabels(siblings(data, run)).get(run.id);
  }

  /** A link to the run page showing its short label, the full config on hover. */
  function runLink(run, labels) {
    const l = labels.get(run.id);
    return el(
      'a',
      { href: `#/run/${encodeURIComponent(run.id)}`, title: l.title, class: 'run-label' },
      l.label,
    );
  }

  /** Parameter keys in label order (R, G, others, seed). */
  function labelKeyOrder(keys) {
    return [...keys].sort(byRank);
  }

  Object.assign(ugp, { shortLabels, labelOf, runLink, paramWords, siblings, labelKeyOrder });
})();
