// PyTorch's module.train()/eval() for our tree: only BatchNorm behaves differently here
// (Dropout is never enabled by the official configs).
import { BatchNorm2d, type Module } from '@ugpnet/tensor';
import { walkModules } from './initialize-weights.js';

/** Switches every BatchNorm below `module` between batch statistics (training) and running stats. */
export function setTraining(module: Module, training: boolean): void {
  walkModules(module, (m) => {
    if (m instanceof BatchNorm2d) m.training = training;
  });
}
