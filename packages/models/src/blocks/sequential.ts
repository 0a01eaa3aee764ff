// Holds the weighted members of an nn.Sequential under their official indices; weightless
// members (ReLU, pooling, PixelShuffle) leave gaps, e.g. ResBlock's `body.0` and `body.2`.
import { Module } from '@ugpnet/tensor';

export class Sequential extends Module {
  add<M extends Module>(index: number, module: M): M {
    return this.child(String(index), module);
  }
}
