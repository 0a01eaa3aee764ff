// Images side by side: the fixed test images (LQ | I_R | I_G | I_F | GT) of several runs at a chosen
// stage's checkpoint (the one the test pass used: best, or synthesis's final), one row per run or grid cell; a click shows an image at 4× with
// nearest-neighbour scaling; a slider (and a flip button) wipes between two runs' I_F.
(() => {
  const ugp = window.ugp;
  const { el } = ugp;

  const COLUMNS = ['LQ', 'I_R', 'I_G', 'I_F', 'GT'];
  const COLUMN_TITLES = {
    LQ: 'degraded input',
    I_R: 'restoration module output (regression network R)',
    I_G: 'synthesis module output (generator G)',
    I_F: 'fusion output, the final result',
    GT: 'ground truth',
  };
  const ZOOM = 4;

  /** A run's test images: stage → { step, images: index → column → url }. */
  function testImages(run) {
    const byStage = {};
    for (const a of run.artifacts) {
      if (!a.testImage || !a.url) continue;
      byStage[a.stage] ??= { step: a.step, images: {} };
      const s = byStage[a.stage];
      if (a.step !== s.step) continue; // one checkpoint per stage
      s.images[a.testImage.index] ??= {};
      s.images[a.testImage.index][a.testImage.column] = a.url;
    }
    return byStage;
  }

  /** Shows `src` at ZOOM× its natural size, pixelated, over the page; a click or Escape closes it. */
  function zoom(src, caption) {
    document.querySelector('.zoom')?.remove();
    const img = el('img', { src, alt: caption, class: 'zoomed' });
    const close = () => {
      overlay.remove();
      document.removeEventListener('keydown', onKey);
    };
    const onKey = (e) => e.key === 'Escape' && close();
    const overlay = el(
      'div',
      { class: 'zoom', role: 'dialog', 'aria-label': caption, onclick: close },
      el('figure', {}, img, el('figcaption', {}, `${caption} · ${ZOOM}× (click or Esc to close)`)),
    );
    const size = () => {
      img.style.width = `${img.naturalWidth * ZOOM}px`;
    };
    if (img.complete && img.naturalWidth) size();
    else img.addEventListener('load', size);
    document.addEventListener('keydown', onKey);
    document.body.append(overlay);
  }

  /** Thumbnails at 2× (whole pixels, crisp), no wider than this. */
  const THUMB = 2;
  const THUMB_MAX = 160;

  /** An image shown at 2× (no wider than maxWidth, unless it is already) that opens the 4× view on click. */
  function zoomable(src, caption, cls, maxWidth = THUMB_MAX) {
    const img = el('img', {
      src,
      alt: caption,
      title: `${caption} (click: ${ZOOM}×)`,
      class: cls,
      loading: 'eager',
      onclick: () => zoom(src, caption),
    });
    const size = () => {
      img.style.width = `${Math.min(img.naturalWidth * THUMB, Math.max(maxWidth, img.naturalWidth))}px`;
    };
    if (img.complete && img.naturalWidth) size();
    else img.addEventListener('load', size);
    return img;
  }

  /**
   * The comparison section. rows: [{ key, label, title, href, run }] (run null: nothing to show);
   * `state` keeps the chosen stage, image, and the two runs of the slider.
   */
  function imageComparison(
    data,
    rows,
    state,
    rerender,
    { heading = 'Test images (held-out test pass)' } = {},
  ) {
    const images = new Map(rows.map((r) => [r.key, r.run ? testImages(r.run) : {}]));
    const stages = ugp.stageSort(
      data,
      [...images.values()].flatMap((byStage) => Object.keys(byStage)),
    );
    if (stages.length === 0) return null;
    if (!stages.includes(state.imageStage))
      state.imageStage = stages.includes('fusion') ? 'fusion' : stages.at(-1);
    const stage = state.imageStage;
    const indices = [
      ...new Set([...images.values()].flatMap((s) => Object.keys(s[stage]?.images || {}).map(Number))),
    ].sort((a, b) => a - b);
    if (!indices.includes(state.imageIndex)) state.imageIndex = indices[0];
    const index = state.imageIndex;
    const cellOf = (row) => images.get(row.key)[stage]?.images[index] || {};

    const stageSelect = el(
      'select',
      {
        class: 'image-stage',
        onchange: (e) => {
          state.imageStage = e.target.value;
          rerender();
        },
      },
      stages.map((s) => el('option', { value: s, selected: s === stage }, `at the ${s} checkpoint`)),
    );
    const picker = el(
      'span',
      { class: 'image-picker' },
      indices.map((i) =>
        el(
          'button',
          {
            class: i === index ? 'on' : null,
            'data-index': i,
            onclick: () => {
              state.imageIndex = i;
              rerender();
            },
          },
          `image ${i + 1}`,
        ),
      ),
    );

    const head = el(
      'tr',
      {},
      el('th', {}, ''),
      COLUMNS.map((c) => el('th', { title: COLUMN_TITLES[c] }, c)),
    );
    const body = rows.map((row) => {
      const found = images.get(row.key)[stage];
      const urls = cellOf(row);
      return el(
        'tr',
        { 'data-row': row.key },
        el(
          'th',
          { class: 'row-label' },
          row.href
            ? el('a', { href: row.href, title: row.title }, row.label)
            : el('span', { title: row.title }, row.label),
          el('small', {}, found ? `step ${found.step}` : row.run ? 'no test images' : 'no run'),
        ),
        COLUMNS.map((c) =>
          el(
            'td',
            { 'data-column': c },
            urls[c]
              ? zoomable(
                  urls[c],
                  `${row.label} · ${c} · ${stage} step ${found.step} · test image ${index + 1}`,
                )
              : el(
                  'span',
                  { class: 'empty', title: found ? `the ${stage} stage does not produce ${c}` : '' },
                  '–',
                ),
          ),
        ),
      );
    });

    return el(
      'section',
      { class: 'comparison', id: 'comparison' },
      el('h2', {}, heading),
      el(
        'div',
        { class: 'toolbar' },
        el(
          'label',
          {
            title:
              'the checkpoint the test pass used for each stage: the best by validation (synthesis: its final one, unless the experiment says best)',
          },
          stageSelect,
        ),
        picker,
      ),
      el('table', { class: 'data images' }, el('thead', {}, head), el('tbody', {}, body)),
      flipView(rows, images, stage, index, state, rerender),
    );
  }

  /** Two runs' I_F at ZOOM×, one over the other: the slider shows B right of the line, flip swaps wholly. */
  function flipView(rows, images, stage, index, state, rerender) {
    const withF = rows.filter((r) => images.get(r.key)[stage]?.images[index]?.I_F);
    if (withF.length < 2) return null;
    if (!withF.some((r) => r.key === state.flipA)) state.flipA = withF[0].key;
    if (!withF.some((r) => r.key === state.flipB) || state.flipB === state.flipA) {
      state.flipB = withF.find((r) => r.key !== state.flipA).key;
    }
    state.wipe ??= 50;
    const pick = (which) =>
      el(
        'select',
        {
          class: `flip-${which}`,
          onchange: (e) => {
            state[which === 'a' ? 'flipA' : 'flipB'] = e.target.value;
            rerender();
          },
        },
        withF.map((r) =>
          el(
            'option',
            { value: r.key, selected: r.key === (which === 'a' ? state.flipA : state.flipB) },
            r.label,
          ),
        ),
      );
    const srcOf = (key) => images.get(key)[stage].images[index].I_F;
    const a = el('img', { src: srcOf(state.flipA), alt: 'A', class: 'flip-a' });
    const b = el('img', { src: srcOf(state.flipB), alt: 'B', class: 'flip-b' });
    const line = el('div', { class: 'wipe-line' });
    const frame = el('div', { class: 'flip-frame' }, a, b, line);
    const setWipe = (v) => {
      state.wipe = v;
      b.style.clipPath = `inset(0 0 0 ${v}%)`;
      line.style.left = `${v}%`;
      slider.value = String(v);
    };
    const slider = el('input', {
      type: 'range',
      class: 'wipe',
      min: '0',
      max: '100',
      value: String(state.wipe),
      'aria-label': 'wipe between A and B',
      oninput: () => setWipe(Number(slider.value)),
    });
    const size = () => {
      frame.style.width = `${a.naturalWidth * ZOOM}px`;
      frame.style.height = `${a.naturalHeight * ZOOM}px`;
    };
    a.addEventListener('load', size);
    setWipe(state.wipe);
    return el(
      'div',
      { class: 'flip' },
      el(
        'div',
        { class: 'toolbar' },
        el('strong', {}, `I_F, ${ZOOM}×: `),
        el('label', {}, 'A ', pick('a')),
        el('label', {}, 'B ', pick('b')),
        slider,
        el(
          'button',
          { class: 'flip-button', onclick: () => setWipe(state.wipe > 50 ? 0 : 100) },
          'flip A / B',
        ),
        el('small', { class: 'muted' }, 'A left of the line, B right of it'),
      ),
      frame,
    );
  }

  Object.assign(ugp, { imageComparison, zoomable, testImages, IMAGE_COLUMNS: COLUMNS });
})();
