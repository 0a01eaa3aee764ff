// A module's weights as an official state dict of plain arrays (what a stage checkpoint holds), for
// stage tests that hand one stage's weights to the next as its frozen input.
import * as tf from '@tensorflow/tfjs-core';
import type { Module, TorchTensor } from '@ugpnet/tensor';

export function stateDictOf(module: Module): Map<string, TorchTensor> {
  const tensors = module.torchStateDict();
  const out = new Map(
    [...tensors].map(([k, t]) => [k, { shape: t.shape, data: t.dataSync() as Float32Array }]),
  );
  tf.dispose([...tensors.values()]);
  return out;
}
