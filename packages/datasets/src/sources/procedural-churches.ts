// Synthetic churches: a building-scene stand-in for LSUN-Church that needs no download. Each
// image is a pure function of (seed, split, index): sky (clear, dusk or overcast, clouds),
// hills and trees, a nave with a gable roof, one or two towers with spires or domes and
// crosses, arched and rose windows, a door, brick and roof-tile patterns, lighting, and
// pixel-level grain. Shapes are SVG rasterised by librsvg (through sharp) at 32–512 px.
import { Rng } from '@ugpnet/tensor';
import type { RgbImage } from '../image.js';
import { addGrain, f1, hsl, pick, renderSvg } from './svg.js';

type R = (a: number, b: number) => number;

function archPath(x: number, y: number, w: number, h: number): string {
  const r = w / 2;
  return `M${f1(x)},${f1(y + h)} L${f1(x)},${f1(y + r)} A${f1(r)},${f1(r)} 0 0 1 ${f1(x + w)},${f1(y + r)} L${f1(x + w)},${f1(y + h)} Z`;
}

function archedWindow(
  out: string[],
  x: number,
  y: number,
  w: number,
  h: number,
  glass: string,
  frame: string,
): void {
  out.push(
    `<path d="${archPath(x - 2, y - 2, w + 4, h + 3)}" fill="${frame}"/>`,
    `<path d="${archPath(x, y, w, h)}" fill="${glass}"/>`,
    `<line x1="${f1(x + w / 2)}" y1="${f1(y + 2)}" x2="${f1(x + w / 2)}" y2="${f1(y + h)}" stroke="${frame}" stroke-width="1.5"/>`,
  );
  for (let yy = y + w / 2 + 6; yy < y + h - 2; yy += 8) {
    out.push(
      `<line x1="${f1(x)}" y1="${f1(yy)}" x2="${f1(x + w)}" y2="${f1(yy)}" stroke="${frame}" stroke-width="0.8"/>`,
    );
  }
}

function tower(
  out: string[],
  rng: Rng,
  r: R,
  x: number,
  w: number,
  top: number,
  base: number,
  wall: string,
  roof: string,
  frame: string,
  sky: number,
): void {
  out.push(
    `<rect x="${f1(x)}" y="${f1(top)}" width="${f1(w)}" height="${f1(base - top)}" fill="url(#bricks)"/>`,
  );
  out.push(
    `<rect x="${f1(x)}" y="${f1(top)}" width="${f1(w)}" height="${f1(base - top)}" fill="${wall}" fill-opacity="0.35"/>`,
  );
  // cornices
  for (const yy of [top, top + (base - top) * 0.45]) {
    out.push(`<rect x="${f1(x - 4)}" y="${f1(yy - 3)}" width="${f1(w + 8)}" height="6" fill="${frame}"/>`);
  }
  // belfry openings
  const n = w > 60 ? 2 : 1;
  const ow = (w * 0.6) / n;
  const gap = (w - n * ow) / (n + 1);
  for (let i = 0; i < n; i++)
    archedWindow(out, x + gap + i * (ow + gap), top + 14, ow, r(30, 45), '#1c1a22', frame);
  // clock sometimes
  if (rng.uniform() < 0.4) {
    const cy = top + (base - top) * 0.45 + 30;
    const cr = w * 0.22;
    out.push(
      `<circle cx="${f1(x + w / 2)}" cy="${f1(cy)}" r="${f1(cr)}" fill="#eeeadc" stroke="${frame}" stroke-width="2"/>`,
      `<line x1="${f1(x + w / 2)}" y1="${f1(cy)}" x2="${f1(x + w / 2 + cr * 0.6)}" y2="${f1(cy - cr * 0.3)}" stroke="#111" stroke-width="1.5"/>`,
      `<line x1="${f1(x + w / 2)}" y1="${f1(cy)}" x2="${f1(x + w / 2 - cr * 0.1)}" y2="${f1(cy - cr * 0.8)}" stroke="#111" stroke-width="1"/>`,
    );
    for (let k = 0; k < 12; k++) {
      const a = (k * Math.PI) / 6;
      out.push(
        `<line x1="${f1(x + w / 2 + Math.cos(a) * cr * 0.8)}" y1="${f1(cy + Math.sin(a) * cr * 0.8)}" x2="${f1(x + w / 2 + Math.cos(a) * cr * 0.95)}" y2="${f1(cy + Math.sin(a) * cr * 0.95)}" stroke="#111" stroke-width="1"/>`,
      );
    }
  }
  // spire or dome, then a cross
  let tip: number;
  if (rng.uniform() < 0.7) {
    const h = w * r(1.2, 2.6);
    tip = top - h;
    out.push(
      `<path d="M${f1(x - 5)},${f1(top)} L${f1(x + w / 2)},${f1(tip)} L${f1(x + w + 5)},${f1(top)} Z" fill="url(#tiles)"/>`,
    );
    out.push(
      `<path d="M${f1(x - 5)},${f1(top)} L${f1(x + w / 2)},${f1(tip)} L${f1(x + w + 5)},${f1(top)} Z" fill="${roof}" fill-opacity="0.45"/>`,
    );
  } else {
    const dr = w * 0.55;
    tip = top - dr * 1.9;
    out.push(
      `<path d="M${f1(x + w / 2 - dr)},${f1(top)} C${f1(x + w / 2 - dr * 1.2)},${f1(top - dr)} ${f1(x + w / 2 - dr * 0.2)},${f1(top - dr * 1.3)} ${f1(x + w / 2)},${f1(tip)} ` +
        `C${f1(x + w / 2 + dr * 0.2)},${f1(top - dr * 1.3)} ${f1(x + w / 2 + dr * 1.2)},${f1(top - dr)} ${f1(x + w / 2 + dr)},${f1(top)} Z" fill="${hsl(sky + 160, r(0.2, 0.5), r(0.25, 0.45))}"/>`,
    );
  }
  const cw = Math.max(3, w * 0.06);
  out.push(
    `<rect x="${f1(x + w / 2 - cw / 2)}" y="${f1(tip - cw * 7)}" width="${f1(cw)}" height="${f1(cw * 7)}" fill="#2b2620"/>`,
    `<rect x="${f1(x + w / 2 - cw * 2)}" y="${f1(tip - cw * 5.5)}" width="${f1(cw * 4)}" height="${f1(cw)}" fill="#2b2620"/>`,
  );
}

/** The SVG body (512×512 viewBox) of a church scene drawn from `rng`. */
export function churchSvg(rng: Rng): string {
  const r: R = (a, b) => rng.range(a, b);
  const out: string[] = [];
  const mood = pick(rng, ['clear', 'dusk', 'overcast'] as const);
  const skyHue = mood === 'dusk' ? r(10, 40) : r(195, 225);
  const skyTop =
    mood === 'overcast'
      ? hsl(210, 0.08, r(0.55, 0.7))
      : hsl(skyHue + (mood === 'dusk' ? 200 : 0), r(0.4, 0.7), r(0.35, 0.55));
  const skyLow = mood === 'overcast' ? hsl(210, 0.05, r(0.75, 0.85)) : hsl(skyHue, r(0.4, 0.8), r(0.7, 0.85));
  const horizon = r(360, 430);
  const stone = pick(rng, [
    [20, 0.45, 0.45],
    [35, 0.3, 0.65],
    [0, 0, 0.6],
    [15, 0.55, 0.38],
    [45, 0.25, 0.75],
  ] as const);
  const wall = hsl(stone[0] + r(-5, 5), stone[1], stone[2]);
  const brickA = hsl(stone[0], stone[1], stone[2] + 0.05);
  const brickB = hsl(stone[0] + 5, stone[1] * 0.9, stone[2] - 0.07);
  const brickC = hsl(stone[0] - 5, stone[1] * 1.1, stone[2] - 0.02);
  const mortar = hsl(stone[0], 0.1, Math.min(0.9, stone[2] + 0.2));
  const roofHue = pick(rng, [8, 20, 200, 120, 30]);
  const roof = hsl(roofHue, r(0.2, 0.55), r(0.2, 0.4));
  const roofLight = hsl(roofHue, 0.3, 0.5);
  const glass = pick(rng, ['#22304a', '#2c2a3a', '#3a4a5c', '#4a3040']);
  const frame = hsl(stone[0], 0.15, Math.max(0.15, stone[2] - 0.25));
  const bw = r(14, 22);
  const bh = bw * r(0.38, 0.5);
  const sunX = r(0, 512);

  out.push(
    '<defs>',
    `<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${skyTop}"/><stop offset="1" stop-color="${skyLow}"/></linearGradient>`,
    '<radialGradient id="cloud"><stop offset="0" stop-color="#ffffff" stop-opacity="0.85"/><stop offset="0.6" stop-color="#f4f4f6" stop-opacity="0.5"/><stop offset="1" stop-color="#ffffff" stop-opacity="0"/></radialGradient>',
    `<pattern id="bricks" width="${f1(bw * 2)}" height="${f1(bh * 2)}" patternUnits="userSpaceOnUse">` +
      `<rect width="${f1(bw * 2)}" height="${f1(bh * 2)}" fill="${mortar}"/>` +
      `<rect x="0.7" y="0.7" width="${f1(bw - 1.4)}" height="${f1(bh - 1.4)}" fill="${brickA}"/>` +
      `<rect x="${f1(bw + 0.7)}" y="0.7" width="${f1(bw - 1.4)}" height="${f1(bh - 1.4)}" fill="${brickB}"/>` +
      `<rect x="${f1(-bw / 2 + 0.7)}" y="${f1(bh + 0.7)}" width="${f1(bw - 1.4)}" height="${f1(bh - 1.4)}" fill="${brickC}"/>` +
      `<rect x="${f1(bw / 2 + 0.7)}" y="${f1(bh + 0.7)}" width="${f1(bw - 1.4)}" height="${f1(bh - 1.4)}" fill="${brickA}"/>` +
      `<rect x="${f1(bw * 1.5 + 0.7)}" y="${f1(bh + 0.7)}" width="${f1(bw - 1.4)}" height="${f1(bh - 1.4)}" fill="${brickB}"/></pattern>`,
    `<pattern id="tiles" width="12" height="8" patternUnits="userSpaceOnUse"><rect width="12" height="8" fill="${roof}"/>` +
      `<path d="M0,8 Q3,3 6,8 Q9,3 12,8" fill="none" stroke="${roofLight}" stroke-width="1"/><line x1="0" y1="0.5" x2="12" y2="0.5" stroke="#1a1410" stroke-width="0.8"/></pattern>`,
    '<pattern id="grass" width="6" height="6" patternUnits="userSpaceOnUse">' +
      `<rect width="6" height="6" fill="${hsl(r(80, 120), r(0.3, 0.5), r(0.25, 0.38))}"/>` +
      `<path d="M1,6 L1.5,2 M3.5,6 L4,1 M5,6 L5.2,3" stroke="${hsl(r(80, 120), 0.45, 0.45)}" stroke-width="0.7"/></pattern>`,
    `<linearGradient id="light" x1="${sunX < 256 ? 0 : 1}" y1="0" x2="${sunX < 256 ? 1 : 0}" y2="0.3">` +
      '<stop offset="0" stop-color="#fff6e0" stop-opacity="0.18"/><stop offset="1" stop-color="#000010" stop-opacity="0.28"/></linearGradient>',
    '</defs>',
  );
  // sky and clouds
  out.push('<rect width="512" height="512" fill="url(#sky)"/>');
  for (let i = 0, n = mood === 'clear' ? rng.int(4) : 3 + rng.int(6); i < n; i++) {
    out.push(
      `<ellipse cx="${f1(r(-50, 560))}" cy="${f1(r(20, horizon - 150))}" rx="${f1(r(40, 120))}" ry="${f1(r(12, 35))}" fill="url(#cloud)"/>`,
    );
  }
  // distant hills, ground
  out.push(
    `<path d="M0,${f1(horizon - r(10, 50))} Q${f1(r(100, 200))},${f1(horizon - r(40, 90))} ${f1(r(250, 300))},${f1(horizon - r(10, 40))} T512,${f1(horizon - r(10, 60))} L512,512 L0,512 Z" fill="${hsl(r(90, 140), r(0.15, 0.35), r(0.3, 0.45))}"/>`,
    `<rect y="${f1(horizon)}" width="512" height="${f1(512 - horizon)}" fill="url(#grass)"/>`,
  );
  // the building: nave with gable roof, towers
  const naveW = r(170, 300);
  const naveX = 256 - naveW / 2 + r(-40, 40);
  const naveTop = horizon - r(110, 170);
  const gable = r(50, 110);
  const towerCount = rng.uniform() < 0.35 ? 2 : 1;
  const towerW = r(50, 85);
  const towerTop = naveTop - r(60, 140);
  out.push(
    `<path d="M${f1(naveX - 8)},${f1(naveTop)} L${f1(naveX + naveW / 2)},${f1(naveTop - gable)} L${f1(naveX + naveW + 8)},${f1(naveTop)} Z" fill="url(#tiles)"/>`,
    `<rect x="${f1(naveX)}" y="${f1(naveTop)}" width="${f1(naveW)}" height="${f1(horizon - naveTop + 6)}" fill="url(#bricks)"/>`,
    `<rect x="${f1(naveX)}" y="${f1(naveTop)}" width="${f1(naveW)}" height="${f1(horizon - naveTop + 6)}" fill="${wall}" fill-opacity="0.3"/>`,
    `<rect x="${f1(naveX - 6)}" y="${f1(naveTop - 4)}" width="${f1(naveW + 12)}" height="7" fill="${frame}"/>`,
  );
  // rose window in the gable, arched windows, door
  const rose = gable * 0.3;
  out.push(
    `<circle cx="${f1(naveX + naveW / 2)}" cy="${f1(naveTop + rose * 0.2)}" r="${f1(rose + 3)}" fill="${frame}"/>`,
  );
  out.push(
    `<circle cx="${f1(naveX + naveW / 2)}" cy="${f1(naveTop + rose * 0.2)}" r="${f1(rose)}" fill="${glass}"/>`,
  );
  for (let k = 0; k < 8; k++) {
    const a = (k * Math.PI) / 4;
    out.push(
      `<line x1="${f1(naveX + naveW / 2)}" y1="${f1(naveTop + rose * 0.2)}" x2="${f1(naveX + naveW / 2 + Math.cos(a) * rose)}" y2="${f1(naveTop + rose * 0.2 + Math.sin(a) * rose)}" stroke="${frame}" stroke-width="1.4"/>`,
    );
  }
  const doorW = r(36, 56);
  const doorH = doorW * r(1.5, 1.9);
  const doorX = naveX + naveW / 2 - doorW / 2;
  out.push(`<path d="${archPath(doorX - 4, horizon - doorH - 4, doorW + 8, doorH + 4)}" fill="${frame}"/>`);
  out.push(
    `<path d="${archPath(doorX, horizon - doorH, doorW, doorH)}" fill="${hsl(r(20, 35), r(0.4, 0.6), r(0.18, 0.3))}"/>`,
  );
  for (let xx = doorX + 5; xx < doorX + doorW - 2; xx += 5) {
    out.push(
      `<line x1="${f1(xx)}" y1="${f1(horizon - doorH + doorW / 2 - 2)}" x2="${f1(xx)}" y2="${f1(horizon)}" stroke="#1a0e08" stroke-width="0.8"/>`,
    );
  }
  const winW = r(16, 26);
  const winH = winW * r(2, 2.8);
  const winY = naveTop + (horizon - naveTop) * 0.22;
  for (let xx = naveX + 14; xx + winW < naveX + naveW - 10; xx += winW * r(2, 2.6)) {
    if (xx + winW > doorX - 8 && xx < doorX + doorW + 8) continue;
    archedWindow(out, xx, winY, winW, winH, glass, frame);
  }
  const towerXs =
    towerCount === 2
      ? [naveX - towerW * 0.6, naveX + naveW - towerW * 0.4]
      : [pick(rng, [naveX - towerW * 0.7, naveX + naveW / 2 - towerW / 2, naveX + naveW - towerW * 0.3])];
  for (const tx of towerXs) tower(out, rng, r, tx, towerW, towerTop, horizon + 6, wall, roof, frame, skyHue);
  // trees beside the church
  for (let i = 0, n = rng.int(5); i < n; i++) {
    const tx = pick(rng, [r(-20, naveX - 30), r(naveX + naveW + 30, 540)]);
    const th = r(60, 150);
    const green = hsl(r(85, 140), r(0.25, 0.5), r(0.16, 0.3));
    out.push(
      `<rect x="${f1(tx - 4)}" y="${f1(horizon - th * 0.35)}" width="8" height="${f1(th * 0.35 + 4)}" fill="#3b2a1a"/>`,
    );
    for (let k = 0; k < 9; k++) {
      out.push(
        `<circle cx="${f1(tx + r(-th * 0.3, th * 0.3))}" cy="${f1(horizon - th * 0.35 - r(0, th * 0.6))}" r="${f1(r(th * 0.12, th * 0.25))}" fill="${green}" fill-opacity="${f1(r(0.7, 1))}"/>`,
      );
    }
  }
  out.push('<rect width="512" height="512" fill="url(#light)"/>');
  return out.join('');
}

/** Church scene `index` of `split` for `seed`, at size×size. */
export async function renderChurch(
  seed: number,
  split: string,
  index: number,
  size: number,
  into?: Float32Array,
): Promise<RgbImage> {
  const rng = new Rng(seed).fork(`churches/${split}`).fork(index);
  const image = await renderSvg(churchSvg(rng.fork('shapes')), size, `churches/${split}/${index}`, into);
  return addGrain(image, rng.fork('grain'), { fine: 0.02, coarse: 0.03, cell: 4 });
}
