// `ugp models summary`: parameters per module and the shapes UGPNet's tensors take, either
// measured by a forward pass (small architectures) or derived from the configuration (paper
// sizes, whose forward takes long on CPU).
import * as tf from '@tensorflow/tfjs-core';
import { type Module, Rng } from '@ugpnet/tensor';
import type { ArchConfig } from '../config/arch.js';
import { fencoderBlocks } from './fencoder.js';
import { ResModule } from './restoration-module.js';
import { StyleGan2Discriminator } from './stylegan2-discriminator.js';
import { UgpNet } from './ugpnet.js';

export interface ModuleSummary {
  /** Official state-dict prefix. */
  module: string;
  parameters: number;
  /** Saved but not trained: BatchNorm running stats, StyleGAN2 noise. */
  buffers: number;
  note?: string;
}

export interface TensorShape {
  name: string;
  /** PyTorch layout: NCHW for images and features, [N, L, C] for latents, [N, 1] for logits. */
  shape: number[];
  description: string;
}

export interface UgpNetSummary {
  modules: ModuleSummary[];
  /** Parameters of UGPNet itself (restoration + synthesis + fusion; no discriminator). */
  ugpnetParameters: number;
  shapes: TensorShape[];
  shapesFrom: 'forward' | 'config';
  /** Wall time of the batch-1 forward, when one ran. */
  forwardMs?: number;
}

function count(module: Module, name: string, note?: string): ModuleSummary {
  let parameters = 0;
  let buffers = 0;
  for (const [, e] of module.namedEntries()) {
    if (e.isBuffer) buffers += e.variable.size;
    else parameters += e.variable.size;
  }
  return { module: name, parameters, buffers, ...(note ? { note } : {}) };
}

const nchw = (t: tf.Tensor) =>
  t.rank === 4 ? [t.shape[0]!, t.shape[3]!, t.shape[1]!, t.shape[2]!] : [...t.shape];

const DESCRIPTIONS: Record<string, string> = {
  input: 'degraded input x_lq',
  I_R: 'restoration module image',
  F_R: 'restoration feature (to fusion)',
  basecode: 'F-encoder basecode (F-space code)',
  w_input: 'F-encoder activation fed to the W-module',
  detailcode: 'W-module w+ latent',
  I_G: 'synthesis module image (G + 1)/2',
  F_G: "generator's final-resolution feature (to fusion)",
  I_F: 'fusion output: the final image',
  D_logits: 'discriminator logits',
};

const shape = (name: string, dims: number[]): TensorShape => ({
  name,
  shape: dims,
  description: DESCRIPTIONS[name]!,
});

/** The shapes derived from the configuration alone, for a batch of one. */
function configShapes(net: UgpNet): TensorShape[] {
  const { arch } = net;
  const s = arch.image_size;
  const blocks = fencoderBlocks(arch.fencoder);
  let res = s;
  let wInput: number[] = [];
  for (const [, cout, down] of blocks) {
    if (down) res /= 2;
    if (res === net.synmodule.fencoder.options.w_input_size) wInput = [1, cout, res, res];
  }
  const w = net.synmodule.wmodule.options;
  return [
    shape('input', [1, 3, net.inputSize, net.inputSize]),
    shape('I_R', [1, 3, s, s]),
    shape('F_R', [1, net.resmodule.featureChannels, s, s]),
    shape('basecode', [1, net.synmodule.fencoder.outChannels, res, res]),
    shape('w_input', wInput),
    shape('detailcode', [1, w.wpdim, w.out_c]),
    shape('I_G', [1, 3, s, s]),
    shape('F_G', [1, net.synmodule.featureChannels, s, s]),
    shape('I_F', [1, 3, s, s]),
    shape('D_logits', [1, 1]),
  ];
}

/** Runs one batch-1 forward (random input) and records every tensor's shape. */
function forwardShapes(
  net: UgpNet,
  discriminator: StyleGan2Discriminator,
): { shapes: TensorShape[]; ms: number } {
  const x = tf.randomUniform([1, net.inputSize, net.inputSize, 3]) as tf.Tensor4D;
  const start = performance.now();
  let shapes: TensorShape[] = [];
  tf.tidy(() => {
    net.synmodule.randomizeNoise = false;
    const { image: iR, feature: fR } = net.resmodule.restore(x);
    const syn = net.synmodule.forward(iR);
    const iF = net.fusmodule.apply(syn.feature, fR);
    const logits = discriminator.apply(syn.image);
    const named: Array<[string, tf.Tensor]> = [
      ['input', x],
      ['I_R', iR],
      ['F_R', fR],
      ['basecode', syn.basecode],
      ['w_input', syn.wInput],
      ['detailcode', syn.detailcode],
      ['I_G', syn.image],
      ['F_G', syn.feature],
      ['I_F', iF],
      ['D_logits', logits],
    ];
    // Reading one value waits for the whole graph on async backends.
    iF.dataSync();
    shapes = named.map(([name, t]) => shape(name, nchw(t)));
  });
  const ms = performance.now() - start;
  x.dispose();
  return { shapes, ms };
}

/** Parameter counts per official module, and tensor shapes (from a forward when `forward`). */
export function summarizeUgpNet(arch: ArchConfig, options: { forward: boolean }): UgpNetSummary {
  const net = new UgpNet(arch, new Rng(0));
  const discriminator = new StyleGan2Discriminator(arch.discriminator, new Rng(1));
  try {
    const modules: ModuleSummary[] = [];
    if (net.resmodule instanceof ResModule) {
      modules.push(count(net.resmodule.regression, 'resmodule.regression', arch.regression.type));
      modules.push(count(net.resmodule.encoder, 'resmodule.encoder', 'ResidualEncoder (R_se + R_mg)'));
    } else {
      modules.push(count(net.resmodule, 'resmodule', 'RRDBNetX8 as the whole restoration module'));
    }
    modules.push(count(net.synmodule.fencoder, 'synmodule.fencoder'));
    modules.push(count(net.synmodule.wmodule, 'synmodule.wmodule'));
    const mlp = count(net.synmodule.generator.styleMlp, 'style_mlp');
    modules.push(
      count(
        net.synmodule.generator,
        'synmodule.generator',
        `incl. style_mlp ${mlp.parameters} (unused by SynModule: w+ comes from the W-module)`,
      ),
    );
    modules.push(count(net.fusmodule, 'fusmodule', 'FusionNet'));
    modules.push(count(discriminator, 'discriminator', 'training only'));
    const ugpnetParameters = net.parameterCount();
    if (options.forward) {
      const { shapes, ms } = forwardShapes(net, discriminator);
      return { modules, ugpnetParameters, shapes, shapesFrom: 'forward', forwardMs: ms };
    }
    return { modules, ugpnetParameters, shapes: configShapes(net), shapesFrom: 'config' };
  } finally {
    net.dispose();
    discriminator.dispose();
  }
}
