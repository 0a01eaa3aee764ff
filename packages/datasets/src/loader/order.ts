// Sample order: position p of the endless stream is item perm_e[p mod n] with e = ⌊p / n⌋ and
// perm_e a seeded shuffle per epoch. A pure function of (seed, p), so any iteration can be
// recomputed exactly: resuming at iteration N just starts at position N·batchSize.
import { Rng } from '@ugpnet/tensor';

export class SampleOrder {
  private readonly cache = new Map<number, Uint32Array>();

  constructor(
    readonly length: number,
    readonly seed: number,
    readonly shuffle: boolean,
  ) {}

  epochOf(position: number): number {
    return Math.floor(position / this.length);
  }

  indexAt(position: number): number {
    const r = position % this.length;
    if (!this.shuffle) return r;
    return this.permutation(this.epochOf(position))[r]!;
  }

  permutation(epoch: number): Uint32Array {
    let perm = this.cache.get(epoch);
    if (!perm) {
      const items = Array.from({ length: this.length }, (_, i) => i);
      new Rng(this.seed).fork('order').fork(epoch).shuffle(items);
      perm = Uint32Array.from(items);
      if (this.cache.size >= 2) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(epoch, perm);
    }
    return perm;
  }
}
