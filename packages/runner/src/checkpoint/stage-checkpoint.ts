// A stage checkpoint is one safetensors file: the trained modules' weights under their
// official state-dict keys and layouts (so `ugp weights` tools and PyTorch users can read
// them), the optimizer moments under `optim.<name>.`, and the loop state as metadata.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { readSafetensors, type TorchTensor, writeSafetensors } from '@ugpnet/tensor';
import type { StageTrainer } from '../stages/stage.js';

export interface CheckpointMeta {
  stage: string;
  iteration: number;
  optimizerSteps: Record<string, number>;
  [key: string]: unknown;
}

function read(tensor: tf.Tensor): TorchTensor {
  return { shape: [...tensor.shape], data: tensor.dataSync() as Float32Array };
}

/** Writes the trainer's weights and optimizer state atomically (temp file + rename). */
export function saveStageCheckpoint(path: string, trainer: StageTrainer, meta: CheckpointMeta): void {
  const tensors = new Map<string, TorchTensor>();
  for (const [prefix, module] of Object.entries(trainer.saved)) {
    const dict = module.torchStateDict();
    for (const [key, t] of dict) tensors.set(prefix ? `${prefix}.${key}` : key, read(t));
    tf.dispose([...dict.values()]);
  }
  for (const [name, adam] of Object.entries(trainer.optimizers)) {
    for (const [key, t] of adam.stateTensors()) tensors.set(`optim.${name}.${key}`, read(t));
  }
  writeSafetensors(path, tensors, { ugp_checkpoint: JSON.stringify(meta) });
}

/** The weights of `prefix` in a checkpoint file, with the prefix stripped. */
export function sectionOf(tensors: Map<string, TorchTensor>, prefix: string): Map<string, TorchTensor> {
  if (!prefix) return new Map([...tensors].filter(([k]) => !k.startsWith('optim.')));
  const head = `${prefix}.`;
  return new Map([...tensors].filter(([k]) => k.startsWith(head)).map(([k, t]) => [k.slice(head.length), t]));
}

export function readCheckpointFile(path: string): {
  tensors: Map<string, TorchTensor>;
  meta: CheckpointMeta;
} {
  if (!existsSync(path)) throw new UserError(`checkpoint ${path} does not exist`);
  const { tensors, metadata } = readSafetensors(path);
  const raw = metadata?.ugp_checkpoint;
  let meta: CheckpointMeta = { stage: 'unknown', iteration: 0, optimizerSteps: {} };
  if (raw) {
    try {
      meta = JSON.parse(raw) as CheckpointMeta;
    } catch {
      throw new UserError(`checkpoint ${path}: its ugp_checkpoint metadata is not JSON`);
    }
  }
  return { tensors, meta };
}

/** Restores weights and optimizer state written by saveStageCheckpoint; returns its metadata. */
export function loadStageCheckpoint(path: string, trainer: StageTrainer): CheckpointMeta {
  return applyStageCheckpoint(path, readCheckpointFile(path), trainer);
}

/** Puts a checkpoint already read (and so verified) into the trainer; returns its metadata. */
export function applyStageCheckpoint(
  path: string,
  { tensors, meta }: ReturnType<typeof readCheckpointFile>,
  trainer: StageTrainer,
): CheckpointMeta {
  for (const [prefix, module] of Object.entries(trainer.saved)) {
    module.loadTorchStateDict(sectionOf(tensors, prefix), { source: `${path} (${prefix || 'weights'})` });
  }
  for (const [name, adam] of Object.entries(trainer.optimizers)) {
    adam.loadState(sectionOf(tensors, `optim.${name}`), meta.optimizerSteps[name] ?? 0);
  }
  return meta;
}
