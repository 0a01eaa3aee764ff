// Starts the page: hash routing to the views, state kept per view across refreshes, and (when served
// live) polling the server for a newer snapshot while runs train.
(() => {
  const ugp = window.ugp;
  const { el } = ugp;
  let data = window.UGP_DATA;
  /** Per-route UI state (sort, filters, selections), kept while the page lives. */
  const states = {};
  ugp.renders = 0;

  const views = {
    '': ugp.renderHome,
    experiment: ugp.renderExperiment,
    run: ugp.renderRun,
    grid: ugp.renderGrid,
    compare: ugp.renderCompare,
  };

  function route() {
    const [view, ...args] = location.hash.replace(/^#\/?/, '').split('/');
    return { view, args: args.map(decodeURIComponent) };
  }

  function crumbs({ view, args }) {
    const nav = document.getElementById('crumbs');
    const parts = [];
    if (view === 'experiment') parts.push(args[0]);
    if (view === 'run' || view === 'grid') {
      const run =
        view === 'run'
          ? data.runs.find((r) => r.id === args[0])
          : data.runs.find((r) => r.gridId === args[0]);
      if (run)
        parts.push(el('a', { href: `#/experiment/${encodeURIComponent(run.experiment)}` }, run.experiment));
      if (view === 'run' && run) {
        const { label, title } = ugp.labelOf(data, run);
        parts.push(el('span', { title }, label));
      } else parts.push(view === 'run' ? args[0] : `grid ${args[0]}`);
    }
    if (view === 'compare') parts.push('compare');
    nav.replaceChildren(...parts.flatMap((p) => [' › ', p]));
  }

  function render() {
    const main = document.getElementById('app');
    const active = document.activeElement;
    const focus = active?.id
      ? { id: active.id, start: active.selectionStart, end: active.selectionEnd }
      : null;
    const scroll = window.scrollY;
    ugp.destroyCharts(main);
    main.replaceChildren();
    if (!data) {
      main.append(el('p', { class: 'empty' }, 'No data: data.js did not load.'));
      return;
    }
    const r = route();
    const key = `${r.view}/${r.args.join('/')}`;
    const view = views[r.view];
    if (!states[key]) states[key] = {};
    if (view) view(main, data, r.args, states[key], render);
    else
      main.append(
        el('p', { class: 'empty' }, `Unknown page #/${r.view}. `, el('a', { href: '#/' }, 'Experiments')),
      );
    crumbs(r);
    document
      .getElementById('footer')
      .replaceChildren(
        `store ${data.storePath} · ${data.runs.length} runs · snapshot ${ugp.fmtTime(data.generatedAt)}`,
      );
    if (focus) {
      const again = document.getElementById(focus.id);
      if (again) {
        again.focus();
        if (typeof focus.start === 'number' && 'setSelectionRange' in again) {
          try {
            again.setSelectionRange(focus.start, focus.end);
          } catch {
            // not a text field
          }
        }
      }
    }
    window.scrollTo(0, scroll);
    ugp.renders += 1;
  }

  /** Live pages: ask for a snapshot newer than ours; the server answers 204 when nothing changed. */
  function startPolling(meta) {
    const url = meta.content;
    const ms = Number(meta.dataset.ms) || 5000;
    const status = document.getElementById('live-status');
    status.textContent = 'live';
    async function poll() {
      try {
        const res = await fetch(`${url}?since=${encodeURIComponent(data ? data.version : '')}`, {
          cache: 'no-store',
        });
        if (res.status === 200) {
          data = await res.json();
          window.UGP_DATA = data;
          render();
        }
        status.textContent = 'live';
        status.className = 'ok';
      } catch {
        status.textContent = 'server unreachable';
        status.className = 'down';
      } finally {
        setTimeout(poll, ms);
      }
    }
    setTimeout(poll, ms);
  }

  window.addEventListener('hashchange', () => {
    render();
    window.scrollTo(0, 0);
  });
  render();
  const meta = document.querySelector('meta[name="ugp-poll"]');
  if (meta) startPolling(meta);
})();
