// Our UGPNet checkpoint: a folder with `ugpnet.safetensors` and `arch.json`.
//
// ugpnet.safetensors holds float32 tensors under the official UGPNet state-dict keys, in the
// official (PyTorch) layouts, so `UGPNet.load_state_dict` in PyTorch takes it as is once the
// discriminator is filtered out:
//   resmodule.*              ResModule (regression.*, encoder.*) or RRDBNetX8 itself for rrdb_x8
//   synmodule.generator.*    StyleGAN2GeneratorF   ┐ the synmodule.pth dict's sections,
//   synmodule.fencoder.*     Fencoder              │ under `synmodule.` as UGPNet.synmodule
//   synmodule.wmodule.*      Wmodule               ┘
//   fusmodule.*              FusionNet
//   discriminator.*          StyleGAN2Discriminator (training only; not part of UGPNet)
// Sections may be partial (e.g. only `resmodule.regression.*` + `synmodule.generator.*` +
// `discriminator.*` for pretrained priors); `restore` needs resmodule, synmodule and fusmodule.
// Metadata: ugpnet_checkpoint (format version), parts (the loaded parts), arch (the config JSON).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import {
  type Module,
  pthStateDict,
  type PthValue,
  readPth,
  readSafetensors,
  Rng,
  StateDictError,
  type TorchTensor,
  writeSafetensors,
} from '@ugpnet/tensor';
import { ResModule } from '../archs/restoration-module.js';
import { StyleGan2Discriminator } from '../archs/stylegan2-discriminator.js';
import { UgpNet } from '../archs/ugpnet.js';
import { type ArchConfig, validateArchConfig } from '../config/arch.js';

export const UGPNET_WEIGHTS_FILE = 'ugpnet.safetensors';
export const UGPNET_ARCH_FILE = 'arch.json';
export const UGPNET_CHECKPOINT_FORMAT = '1';

export type StateDict = Map<string, TorchTensor>;

/** A loadable part of the checkpoint: its key prefix (with the trailing dot). */
export type UgpNetPart =
  | 'resmodule'
  | 'resmodule.regression'
  | 'synmodule.generator'
  | 'synmodule.fencoder'
  | 'synmodule.wmodule'
  | 'fusmodule'
  | 'discriminator';

/** Parts `restore` (UGPNet inference) needs. */
export const INFERENCE_PARTS: UgpNetPart[] = [
  'resmodule',
  'synmodule.generator',
  'synmodule.fencoder',
  'synmodule.wmodule',
  'fusmodule',
];

/** Official weight files, as `ugp weights import` takes them. */
export interface OfficialWeightFiles {
  /** train_resmodule.py output: a plain ResModule state dict (RRDBNetX8: `{params_ema}`). */
  resmodule?: string;
  /** train_synmodule.py output: {generator, fencoder, wmodule, discriminator}. */
  synmodule?: string;
  /** train_fusmodule.py output: a plain FusionNet state dict. */
  fusmodule?: string;
  /** A pretrained regression network: NAFNet/HINet `{params}`, or RRDBNetX8 `{params_ema}`. */
  regression?: string;
  /** A pretrained StyleGAN2 generator `{params_ema}`. */
  generator?: string;
  /** A pretrained StyleGAN2 discriminator `{params}`. */
  discriminator?: string;
}

function prefixed(dict: StateDict, prefix: string, into: StateDict): void {
  for (const [key, t] of dict) into.set(`${prefix}.${key}`, t);
}

/** The entries of `dict` under `prefix.`, with the prefix stripped. */
export function stateDictSection(dict: StateDict, prefix: string): StateDict {
  const head = `${prefix}.`;
  return new Map([...dict].filter(([k]) => k.startsWith(head)).map(([k, t]) => [k.slice(head.length), t]));
}

/**
 * Reads official .pth files into checkpoint tensors (prefixed keys). Each file may give one part
 * only once: --resmodule and --regression both give the regression network, --synmodule gives
 * the generator and (when it has one) the discriminator.
 */
export async function readOfficialWeights(arch: ArchConfig, files: OfficialWeightFiles): Promise<StateDict> {
  const out: StateDict = new Map();
  const conflict = (a: string, b: string, what: string) => {
    throw new UserError(`--${a} and --${b} both give the ${what} weights; pass one of them`);
  };
  if (files.resmodule && files.regression) conflict('resmodule', 'regression', 'regression network');
  if (files.synmodule && files.generator) conflict('synmodule', 'generator', 'generator');
  const rrdb = arch.regression.type === 'rrdb_x8';
  if (files.resmodule) {
    prefixed(pthStateDict(await readPth(files.resmodule), { source: files.resmodule }), 'resmodule', out);
  }
  if (files.regression) {
    const dict = pthStateDict(await readPth(files.regression), { source: files.regression });
    // RRDBNetX8 is the whole restoration module; NAFNet / HINet sit under ResModule.regression.
    prefixed(dict, rrdb ? 'resmodule' : 'resmodule.regression', out);
  }
  if (files.synmodule) {
    const value: PthValue = await readPth(files.synmodule);
    const sections = value instanceof Map ? [...value.keys()].map(String) : [];
    for (const section of ['generator', 'fencoder', 'wmodule']) {
      prefixed(pthStateDict(value, { section, source: files.synmodule }), `synmodule.${section}`, out);
    }
    if (sections.includes('discriminator')) {
      if (files.discriminator) conflict('synmodule', 'discriminator', 'discriminator');
      prefixed(
        pthStateDict(value, { section: 'discriminator', source: files.synmodule }),
        'discriminator',
        out,
      );
    }
    const unknown = sections.filter(
      (s) => !['generator', 'fencoder', 'wmodule', 'discriminator'].includes(s),
    );
    if (unknown.length) {
      throw new UserError(
        `${files.synmodule}: unexpected synmodule sections ${unknown.join(', ')} (expected generator, fencoder, wmodule, discriminator)`,
      );
    }
  }
  if (files.generator) {
    prefixed(
      pthStateDict(await readPth(files.generator), { source: files.generator }),
      'synmodule.generator',
      out,
    );
  }
  if (files.discriminator) {
    prefixed(
      pthStateDict(await readPth(files.discriminator), { source: files.discriminator }),
      'discriminator',
      out,
    );
  }
  if (files.fusmodule) {
    prefixed(pthStateDict(await readPth(files.fusmodule), { source: files.fusmodule }), 'fusmodule', out);
  }
  return out;
}

/**
 * Loads every part present in `tensors` (strictly: missing, unexpected and wrong-shape keys are
 * listed by name) into `net` and, when given, the discriminator. Keys outside the parts are
 * refused. Returns the parts loaded, in checkpoint order.
 */
export function loadUgpNetParts(
  tensors: StateDict,
  net: UgpNet,
  options: { discriminator?: StyleGan2Discriminator; source?: string } = {},
): UgpNetPart[] {
  const source = options.source ?? 'checkpoint';
  const top = new Set([...tensors.keys()].map((k) => k.split('.')[0]!));
  const unexpected = [...tensors.keys()].filter(
    (k) => !['resmodule', 'synmodule', 'fusmodule', 'discriminator'].includes(k.split('.')[0]!),
  );
  const synSections = new Set(
    [...tensors.keys()].filter((k) => k.startsWith('synmodule.')).map((k) => k.split('.')[1]!),
  );
  for (const s of synSections) {
    if (!['generator', 'fencoder', 'wmodule'].includes(s)) {
      unexpected.push(...[...tensors.keys()].filter((k) => k.startsWith(`synmodule.${s}.`)));
    }
  }
  if (top.has('discriminator') && !options.discriminator) {
    unexpected.push(...[...tensors.keys()].filter((k) => k.startsWith('discriminator.')));
  }
  if (unexpected.length) throw new StateDictError([], unexpected, [], source);

  const targets: Array<[UgpNetPart, Module]> = [];
  if (top.has('resmodule')) {
    const res = stateDictSection(tensors, 'resmodule');
    const onlyRegression =
      net.resmodule instanceof ResModule && [...res.keys()].every((k) => k.startsWith('regression.'));
    targets.push(
      onlyRegression
        ? ['resmodule.regression', (net.resmodule as ResModule).regression]
        : ['resmodule', net.resmodule],
    );
  }
  for (const section of ['generator', 'fencoder', 'wmodule'] as const) {
    if (synSections.has(section)) targets.push([`synmodule.${section}`, net.synmodule[section]]);
  }
  if (top.has('fusmodule')) targets.push(['fusmodule', net.fusmodule]);
  if (top.has('discriminator') && options.discriminator)
    targets.push(['discriminator', options.discriminator]);
  for (const [part, module] of targets) {
    module.loadTorchStateDict(stateDictSection(tensors, part), { source: `${source} (${part}.*)` });
  }
  return targets.map(([part]) => part);
}

/** The loaded parts' tensors from `tensors`, in the modules' key order (official layout, as read). */
function canonicalTensors(
  tensors: StateDict,
  net: UgpNet,
  discriminator?: StyleGan2Discriminator,
): StateDict {
  const keys = [
    ...net.namedEntries().map(([k]) => k),
    ...(discriminator?.namedEntries('discriminator.').map(([k]) => k) ?? []),
  ];
  const out: StateDict = new Map();
  for (const key of keys) {
    const t = tensors.get(key);
    if (t) out.set(key, t);
  }
  return out;
}

/**
 * Checks checkpoint tensors against the architecture by loading them into a freshly built UGPNet
 * (and discriminator), and returns them in canonical order with the parts they cover.
 */
export function validateUgpNetTensors(
  arch: ArchConfig,
  tensors: StateDict,
  source: string,
): { tensors: StateDict; parts: UgpNetPart[] } {
  const net = new UgpNet(arch, new Rng(0));
  const hasD = [...tensors.keys()].some((k) => k.startsWith('discriminator.'));
  const discriminator = hasD ? new StyleGan2Discriminator(arch.discriminator, new Rng(1)) : undefined;
  try {
    const parts = loadUgpNetParts(tensors, net, { discriminator, source });
    return { tensors: canonicalTensors(tensors, net, discriminator), parts };
  } finally {
    net.dispose();
    discriminator?.dispose();
  }
}

/** Writes DIR/ugpnet.safetensors and DIR/arch.json. */
export function writeUgpNetCheckpoint(
  dir: string,
  arch: ArchConfig,
  tensors: StateDict,
  parts: UgpNetPart[],
  extra: Record<string, string> = {},
): { weights: string; arch: string } {
  mkdirSync(dir, { recursive: true });
  const weights = join(dir, UGPNET_WEIGHTS_FILE);
  const archPath = join(dir, UGPNET_ARCH_FILE);
  writeSafetensors(weights, tensors, {
    ...extra,
    ugpnet_checkpoint: UGPNET_CHECKPOINT_FORMAT,
    parts: parts.join(','),
    arch: JSON.stringify(arch),
  });
  writeFileSync(archPath, `${JSON.stringify(arch, null, 2)}\n`);
  return { weights, arch: archPath };
}

export interface UgpNetCheckpoint {
  dir: string;
  weightsPath: string;
  arch: ArchConfig;
  tensors: StateDict;
}

/** Reads a checkpoint folder (or its ugpnet.safetensors); the architecture comes from arch.json next to it. */
export function readUgpNetCheckpoint(path: string): UgpNetCheckpoint {
  if (!existsSync(path)) throw new UserError(`checkpoint ${path} does not exist`);
  const isDir = statSync(path).isDirectory();
  const dir = isDir ? path : dirname(path);
  const weightsPath = isDir ? join(dir, UGPNET_WEIGHTS_FILE) : path;
  if (!existsSync(weightsPath)) {
    throw new UserError(
      `checkpoint ${path}: no ${UGPNET_WEIGHTS_FILE} (make one with ugp weights import, or export a run)`,
    );
  }
  const archPath = join(dir, UGPNET_ARCH_FILE);
  const { tensors, metadata } = readSafetensors(weightsPath);
  let raw: unknown;
  if (existsSync(archPath)) {
    try {
      raw = JSON.parse(readFileSync(archPath, 'utf8'));
    } catch (err) {
      throw new UserError(`${archPath}: not valid JSON (${(err as Error).message})`);
    }
  } else if (metadata.arch) {
    raw = JSON.parse(metadata.arch);
  } else {
    throw new UserError(`checkpoint ${path}: no ${UGPNET_ARCH_FILE} next to ${weightsPath}`);
  }
  return { dir, weightsPath, arch: validateArchConfig(raw, archPath), tensors };
}

/** A UGPNet ready for inference from a checkpoint folder: every inference part must be present. */
export function loadUgpNet(path: string): UgpNet {
  const checkpoint = readUgpNetCheckpoint(path);
  const net = new UgpNet(checkpoint.arch, new Rng(0));
  try {
    const inference = new Map([...checkpoint.tensors].filter(([k]) => !k.startsWith('discriminator.')));
    const parts = loadUgpNetParts(inference, net, { source: checkpoint.weightsPath });
    const absent = INFERENCE_PARTS.filter((p) => !parts.includes(p));
    if (absent.length) {
      throw new UserError(
        `${checkpoint.weightsPath}: no ${absent.map((p) => `${p}.*`).join(', ')} weights for inference` +
          ` (it holds ${parts.join(', ') || 'nothing loadable'}); add them with ugp weights import`,
      );
    }
    return net;
  } catch (err) {
    net.dispose();
    throw err;
  }
}

/** A UGPNet from the three official files, as UGPNet.load_ckpt() loads them (the discriminator is ignored). */
export async function loadOfficialUgpNet(
  arch: ArchConfig,
  files: Required<Pick<OfficialWeightFiles, 'resmodule' | 'synmodule' | 'fusmodule'>>,
): Promise<UgpNet> {
  const tensors = await readOfficialWeights(arch, files);
  const net = new UgpNet(arch, new Rng(0));
  try {
    const inference = new Map([...tensors].filter(([k]) => !k.startsWith('discriminator.')));
    loadUgpNetParts(inference, net, { source: Object.values(files).join(' + ') });
    return net;
  } catch (err) {
    net.dispose();
    throw err;
  }
}

/**
 * Checkpoint tensors from the runner's stage checkpoints (each with its own keys and `optim.*`
 * entries): restoration = plain ResModule keys, synthesis = generator/fencoder/wmodule/
 * discriminator, fusion = plain FusionNet keys.
 */
export function ugpnetTensorsFromStages(stages: {
  restoration?: StateDict;
  synthesis?: StateDict;
  fusion?: StateDict;
}): StateDict {
  const out: StateDict = new Map();
  const weights = (dict: StateDict) => [...dict].filter(([k]) => !k.startsWith('optim.'));
  for (const [k, t] of weights(stages.restoration ?? new Map())) out.set(`resmodule.${k}`, t);
  for (const [k, t] of weights(stages.synthesis ?? new Map())) {
    out.set(k.startsWith('discriminator.') ? k : `synmodule.${k}`, t);
  }
  for (const [k, t] of weights(stages.fusion ?? new Map())) out.set(`fusmodule.${k}`, t);
  return out;
}

/** Ours → official layout, read back (for writing a module's weights into a checkpoint). */
export function moduleTensors(module: Module, prefix: string): StateDict {
  const out: StateDict = new Map();
  const dict = module.torchStateDict();
  for (const [key, t] of dict)
    out.set(`${prefix}${key}`, { shape: [...t.shape], data: t.dataSync() as Float32Array });
  tf.dispose([...dict.values()]);
  return out;
}
