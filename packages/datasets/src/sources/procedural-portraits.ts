// Synthetic portraits: a face-like stand-in for CelebA-HQ that needs no download. Each image
// is a pure function of (seed, split, index): head and jaw shape, skin tone, lighting, hair
// (style, colour, a hundred strands), eyes with lashes, hair-by-hair brows, nose, mouth,
// ears, clothes, background, plus pixel-level grain, so there is high-frequency detail to
// restore. Shapes are SVG rasterised by librsvg (through sharp) at 32–512 px; the grain is
// added in pixel code (SVG turbulence filters cost ~10× the whole drawing).
import { Rng } from '@ugpnet/tensor';
import type { RgbImage } from '../image.js';
import { addGrain, f1, hsl, pick, renderSvg } from './svg.js';

const SKIN: [number, number, number][] = [
  [28, 0.55, 0.86],
  [26, 0.5, 0.78],
  [24, 0.45, 0.68],
  [22, 0.45, 0.56],
  [20, 0.42, 0.44],
  [18, 0.4, 0.32],
];
const HAIR: [number, number, number][] = [
  [30, 0.25, 0.1],
  [28, 0.45, 0.22],
  [30, 0.5, 0.35],
  [40, 0.55, 0.55],
  [15, 0.6, 0.35],
  [0, 0, 0.65],
  [0, 0, 0.06],
];
const EYES = [
  [25, 0.55, 0.25],
  [200, 0.45, 0.45],
  [110, 0.3, 0.38],
  [30, 0.45, 0.15],
] as const;

/** The SVG body (512×512 viewBox) of portrait `index` drawn from `rng`. */
export function portraitSvg(rng: Rng): string {
  const r = (a: number, b: number) => rng.range(a, b);
  const cx = 256 + r(-18, 18);
  const cy = 240 + r(-15, 20);
  const rx = r(100, 130);
  const ry = rx * r(1.22, 1.42);
  const tilt = r(-8, 8);
  const light = r(0, 360);
  const [sh, ss, sl] = pick(rng, SKIN);
  const skin = hsl(sh + r(-3, 3), ss * r(0.85, 1.1), sl + r(-0.04, 0.04));
  const skinLight = hsl(sh, ss * 0.9, Math.min(0.95, sl + 0.12));
  const skinDark = hsl(sh - 4, ss, Math.max(0.08, sl - 0.18));
  const [hh, hs, hl] = pick(rng, HAIR);
  const hair = hsl(hh + r(-5, 5), hs, hl + r(-0.03, 0.03));
  const hairDark = hsl(hh, hs, Math.max(0.03, hl - 0.12));
  const hairLight = hsl(hh, hs, Math.min(0.9, hl + 0.15));
  const bgHue = r(0, 360);
  const cloth = hsl(r(0, 360), r(0.2, 0.7), r(0.15, 0.6));
  const longHair = rng.uniform() < 0.55;
  const lx = Math.cos((light * Math.PI) / 180);
  const ly = Math.sin((light * Math.PI) / 180);
  const out: string[] = [];

  out.push(
    '<defs>',
    `<linearGradient id="bg" x1="0" y1="0" x2="${f1(0.5 + 0.5 * lx)}" y2="1">` +
      `<stop offset="0" stop-color="${hsl(bgHue, r(0.1, 0.5), r(0.55, 0.85))}"/>` +
      `<stop offset="1" stop-color="${hsl(bgHue + r(-40, 40), r(0.1, 0.5), r(0.15, 0.45))}"/></linearGradient>`,
    `<radialGradient id="skin" cx="${f1(0.5 + 0.25 * lx)}" cy="${f1(0.4 + 0.2 * ly)}" r="0.75">` +
      `<stop offset="0" stop-color="${skinLight}"/><stop offset="0.55" stop-color="${skin}"/>` +
      `<stop offset="1" stop-color="${skinDark}"/></radialGradient>`,
    `<radialGradient id="blush"><stop offset="0" stop-color="${hsl(355, 0.6, 0.55)}" stop-opacity="0.35"/>` +
      `<stop offset="1" stop-color="${hsl(355, 0.6, 0.55)}" stop-opacity="0"/></radialGradient>`,
    '<radialGradient id="bokeh"><stop offset="0" stop-color="#ffffff" stop-opacity="0.35"/>' +
      '<stop offset="1" stop-color="#ffffff" stop-opacity="0"/></radialGradient>',
    `<linearGradient id="shade" x1="${f1(0.5 + 0.5 * lx)}" y1="${f1(0.5 + 0.5 * ly)}" x2="${f1(0.5 - 0.5 * lx)}" y2="${f1(0.5 - 0.5 * ly)}">` +
      '<stop offset="0" stop-color="#ffffff" stop-opacity="0.12"/><stop offset="1" stop-color="#000000" stop-opacity="0.3"/></linearGradient>',
    `<clipPath id="face"><path d="${facePath(cx, cy, rx, ry)}"/></clipPath>`,
    '</defs>',
  );
  // background with soft out-of-focus lights
  out.push('<rect width="512" height="512" fill="url(#bg)"/>');
  for (let i = 0, n = rng.int(6); i < n; i++) {
    out.push(`<circle cx="${f1(r(0, 512))}" cy="${f1(r(0, 400))}" r="${f1(r(20, 70))}" fill="url(#bokeh)"/>`);
  }
  out.push(`<g transform="rotate(${f1(tilt)} ${f1(cx)} ${f1(cy + ry)})">`);
  // hair behind the head
  if (longHair) {
    const w = rx * r(1.2, 1.45);
    out.push(
      `<path d="M${f1(cx - w)},${f1(cy)} Q${f1(cx - w * 1.05)},${f1(cy - ry * 1.3)} ${f1(cx)},${f1(cy - ry * 1.15)} ` +
        `Q${f1(cx + w * 1.05)},${f1(cy - ry * 1.3)} ${f1(cx + w)},${f1(cy)} L${f1(cx + w * r(0.9, 1.1))},${f1(cy + ry * r(1.2, 1.8))} ` +
        `L${f1(cx - w * r(0.9, 1.1))},${f1(cy + ry * r(1.2, 1.8))} Z" fill="${hairDark}"/>`,
    );
  }
  // neck and shoulders
  const neckW = rx * r(0.42, 0.55);
  out.push(
    `<rect x="${f1(cx - neckW)}" y="${f1(cy + ry * 0.5)}" width="${f1(2 * neckW)}" height="${f1(ry)}" fill="${skinDark}"/>`,
    `<path d="M${f1(cx - 250)},512 C${f1(cx - 230)},${f1(cy + ry * 1.05)} ${f1(cx - neckW * 2)},${f1(cy + ry * 0.98)} ${f1(cx)},${f1(cy + ry * 1.02)} ` +
      `C${f1(cx + neckW * 2)},${f1(cy + ry * 0.98)} ${f1(cx + 230)},${f1(cy + ry * 1.05)} ${f1(cx + 250)},512 Z" fill="${cloth}"/>`,
  );
  // ears
  for (const s of [-1, 1]) {
    out.push(
      `<ellipse cx="${f1(cx + s * rx * 0.97)}" cy="${f1(cy - ry * 0.02)}" rx="${f1(rx * 0.13)}" ry="${f1(ry * 0.17)}" fill="${skinDark}"/>`,
    );
  }
  // face, skin texture, blush
  out.push(
    `<path d="${facePath(cx, cy, rx, ry)}" fill="url(#skin)"/>`,
    '<g clip-path="url(#face)">',
    `<ellipse cx="${f1(cx - rx * 0.5)}" cy="${f1(cy + ry * 0.18)}" rx="${f1(rx * 0.3)}" ry="${f1(ry * 0.15)}" fill="url(#blush)"/>`,
    `<ellipse cx="${f1(cx + rx * 0.5)}" cy="${f1(cy + ry * 0.18)}" rx="${f1(rx * 0.3)}" ry="${f1(ry * 0.15)}" fill="url(#blush)"/>`,
    '</g>',
  );
  // eyes and brows
  const eyeY = cy - ry * r(0.06, 0.14);
  const eyeDx = rx * r(0.34, 0.42);
  const eyeW = rx * r(0.17, 0.22);
  const eyeH = eyeW * r(0.4, 0.55);
  const [eh, es, el] = pick(rng, EYES);
  const iris = hsl(eh + r(-10, 10), es, el + r(-0.05, 0.05));
  const look = r(-0.25, 0.25) * eyeW;
  for (const s of [-1, 1]) {
    const ex = cx + s * eyeDx;
    out.push(
      `<ellipse cx="${f1(ex)}" cy="${f1(eyeY)}" rx="${f1(eyeW)}" ry="${f1(eyeH)}" fill="#f4f1ec"/>`,
      `<circle cx="${f1(ex + look)}" cy="${f1(eyeY)}" r="${f1(eyeH * 0.95)}" fill="${iris}"/>`,
      `<circle cx="${f1(ex + look)}" cy="${f1(eyeY)}" r="${f1(eyeH * 0.45)}" fill="#0b0b0b"/>`,
      `<circle cx="${f1(ex + look - eyeH * 0.3)}" cy="${f1(eyeY - eyeH * 0.3)}" r="${f1(eyeH * 0.18)}" fill="#ffffff"/>`,
      `<path d="M${f1(ex - eyeW * 1.1)},${f1(eyeY + eyeH * 0.1)} Q${f1(ex)},${f1(eyeY - eyeH * 2)} ${f1(ex + eyeW * 1.1)},${f1(eyeY + eyeH * 0.1)}" ` +
        `fill="none" stroke="${hairDark}" stroke-width="${f1(eyeH * 0.28)}" stroke-linecap="round"/>`,
      `<path d="M${f1(ex - eyeW)},${f1(eyeY + eyeH * 0.4)} Q${f1(ex)},${f1(eyeY + eyeH * 1.5)} ${f1(ex + eyeW)},${f1(eyeY + eyeH * 0.4)}" ` +
        `fill="none" stroke="${skinDark}" stroke-width="1.2" stroke-opacity="0.6"/>`,
    );
    // eyelashes
    for (let i = 0; i < 9; i++) {
      const t = (i + 0.5) / 9;
      const px = ex - eyeW + 2 * eyeW * t;
      const py = eyeY - eyeH * 0.95 * Math.sin(Math.PI * t) - eyeH * 0.05;
      out.push(
        `<line x1="${f1(px)}" y1="${f1(py)}" x2="${f1(px + s * (t - 0.3) * 5)}" y2="${f1(py - r(3, 6))}" stroke="${hairDark}" stroke-width="0.9"/>`,
      );
    }
    // brow: many short hairs along an arc
    const browY = eyeY - eyeH * r(2.2, 3.0);
    const browArch = r(4, 12);
    for (let i = 0; i < 40; i++) {
      const t = i / 39;
      const bx = ex + s * (-eyeW * 1.05 + 2.3 * eyeW * t);
      const by = browY - browArch * Math.sin(Math.PI * Math.min(1, t * 1.2)) + r(-2, 2);
      const len = r(5, 10) * (1 - 0.5 * t);
      out.push(
        `<line x1="${f1(bx)}" y1="${f1(by + 3)}" x2="${f1(bx + s * len * 0.9)}" y2="${f1(by - len * 0.3)}" stroke="${pick(rng, [hair, hairDark])}" stroke-width="${f1(r(1, 2))}" stroke-linecap="round"/>`,
      );
    }
  }
  // nose
  const noseY = cy + ry * r(0.22, 0.3);
  const noseW = rx * r(0.14, 0.2);
  out.push(
    `<path d="M${f1(cx - eyeW * 0.3)},${f1(eyeY + eyeH)} Q${f1(cx - noseW * 0.6)},${f1((eyeY + noseY) / 2)} ${f1(cx - noseW)},${f1(noseY)}" fill="none" stroke="${skinDark}" stroke-width="2" stroke-opacity="0.45"/>`,
    `<path d="M${f1(cx - noseW)},${f1(noseY)} Q${f1(cx)},${f1(noseY + noseW * 0.9)} ${f1(cx + noseW)},${f1(noseY)}" fill="none" stroke="${skinDark}" stroke-width="2.2" stroke-opacity="0.6"/>`,
    `<ellipse cx="${f1(cx - noseW * 0.45)}" cy="${f1(noseY + noseW * 0.15)}" rx="${f1(noseW * 0.22)}" ry="${f1(noseW * 0.12)}" fill="#2a1410" fill-opacity="0.55"/>`,
    `<ellipse cx="${f1(cx + noseW * 0.45)}" cy="${f1(noseY + noseW * 0.15)}" rx="${f1(noseW * 0.22)}" ry="${f1(noseW * 0.12)}" fill="#2a1410" fill-opacity="0.55"/>`,
  );
  // mouth
  const mouthY = cy + ry * r(0.5, 0.58);
  const mouthW = rx * r(0.32, 0.45);
  const smile = r(-4, 14);
  const lip = hsl(r(350, 365) % 360, r(0.35, 0.6), r(0.35, 0.55));
  out.push(
    `<path d="M${f1(cx - mouthW)},${f1(mouthY)} Q${f1(cx - mouthW * 0.5)},${f1(mouthY - 10)} ${f1(cx)},${f1(mouthY - 5)} Q${f1(cx + mouthW * 0.5)},${f1(mouthY - 10)} ${f1(cx + mouthW)},${f1(mouthY)} ` +
      `Q${f1(cx)},${f1(mouthY + smile * 0.4)} ${f1(cx - mouthW)},${f1(mouthY)} Z" fill="${lip}"/>`,
    `<path d="M${f1(cx - mouthW)},${f1(mouthY)} Q${f1(cx)},${f1(mouthY + smile * 0.4 + 16)} ${f1(cx + mouthW)},${f1(mouthY)} Q${f1(cx)},${f1(mouthY + smile * 0.4)} ${f1(cx - mouthW)},${f1(mouthY)} Z" fill="${lip}" fill-opacity="0.85"/>`,
    `<path d="M${f1(cx - mouthW)},${f1(mouthY)} Q${f1(cx)},${f1(mouthY + smile * 0.4)} ${f1(cx + mouthW)},${f1(mouthY)}" fill="none" stroke="#3a1512" stroke-width="1.6" stroke-opacity="0.7"/>`,
  );
  // hair on top: a cap, then hundreds of strands from the crown
  const part = cx + r(-0.4, 0.4) * rx;
  const fringe = cy - ry * r(0.45, 0.7);
  out.push(
    `<path d="M${f1(cx - rx * 1.08)},${f1(cy - ry * 0.05)} C${f1(cx - rx * 1.15)},${f1(cy - ry * 1.25)} ${f1(cx + rx * 1.15)},${f1(cy - ry * 1.25)} ${f1(cx + rx * 1.08)},${f1(cy - ry * 0.05)} ` +
      `Q${f1(cx + rx * 0.6)},${f1(fringe)} ${f1(part)},${f1(fringe - 10)} Q${f1(cx - rx * 0.6)},${f1(fringe)} ${f1(cx - rx * 1.08)},${f1(cy - ry * 0.05)} Z" fill="${hair}"/>`,
  );
  const crownY = cy - ry * 1.02;
  for (let i = 0; i < 110; i++) {
    const side = rng.uniform() < 0.5 ? -1 : 1;
    const t = rng.uniform();
    const endX = part + side * rx * (0.15 + 1.0 * t);
    // long strands fall beside the face, never across it
    const falls = longHair && Math.abs(endX - cx) > rx * 0.95;
    const endY = falls ? cy + ry * r(0.3, 1.4) : fringe + (cy - ry * 0.05 - fringe) * t * r(0.8, 1.1);
    const ctrlX = part + side * rx * (0.6 + 0.7 * t);
    const ctrlY = crownY - r(0, 15);
    out.push(
      `<path d="M${f1(part + r(-6, 6))},${f1(crownY + r(-4, 6))} Q${f1(ctrlX)},${f1(ctrlY)} ${f1(endX)},${f1(endY)}" fill="none" ` +
        `stroke="${pick(rng, [hair, hairDark, hairLight])}" stroke-width="${f1(r(0.8, 2.4))}" stroke-opacity="${f1(r(0.5, 1))}"/>`,
    );
  }
  if (rng.uniform() < 0.2) {
    // glasses
    const gr = eyeW * 1.35;
    out.push(
      `<g fill="none" stroke="${hsl(r(0, 360), 0.2, 0.15)}" stroke-width="${f1(r(2, 4))}">` +
        `<circle cx="${f1(cx - eyeDx)}" cy="${f1(eyeY)}" r="${f1(gr)}"/><circle cx="${f1(cx + eyeDx)}" cy="${f1(eyeY)}" r="${f1(gr)}"/>` +
        `<path d="M${f1(cx - eyeDx + gr)},${f1(eyeY)} Q${f1(cx)},${f1(eyeY - 8)} ${f1(cx + eyeDx - gr)},${f1(eyeY)}"/></g>`,
    );
  }
  out.push('</g>');
  // directional light over everything
  out.push('<rect width="512" height="512" fill="url(#shade)"/>');
  return out.join('');
}

function facePath(cx: number, cy: number, rx: number, ry: number): string {
  return (
    `M${f1(cx)},${f1(cy - ry)} C${f1(cx + rx * 1.1)},${f1(cy - ry)} ${f1(cx + rx * 1.05)},${f1(cy + ry * 0.45)} ${f1(cx)},${f1(cy + ry * 0.98)} ` +
    `C${f1(cx - rx * 1.05)},${f1(cy + ry * 0.45)} ${f1(cx - rx * 1.1)},${f1(cy - ry)} ${f1(cx)},${f1(cy - ry)} Z`
  );
}

/** Portrait `index` of `split` for `seed`, at size×size. */
export async function renderPortrait(
  seed: number,
  split: string,
  index: number,
  size: number,
  into?: Float32Array,
): Promise<RgbImage> {
  const rng = new Rng(seed).fork(`portraits/${split}`).fork(index);
  const image = await renderSvg(portraitSvg(rng.fork('shapes')), size, `portraits/${split}/${index}`, into);
  return addGrain(image, rng.fork('grain'), { fine: 0.025, coarse: 0.035, cell: 3 });
}
