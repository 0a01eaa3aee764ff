// The earlier stages a stage trainer freezes, with random weights of the right shapes: for the
// commands that build a trainer without a run (`bench step`, `doctor`'s kernel recording), whose
// timings and dispatched kernels do not depend on the weights' values.
import type { ArchConfig } from '@ugpnet/models';

export async function randomFrozenStages(arch: ArchConfig, seed: number) {
  const { Rng } = await import('@ugpnet/tensor');
  const models = await import('@ugpnet/models');
  const net = new models.UgpNet(arch, new Rng(seed).fork('frozen'));
  const frozen = {
    restoration: models.moduleTensors(net.resmodule, ''),
    synthesis: models.moduleTensors(net.synmodule, ''),
  };
  net.dispose();
  return frozen;
}
