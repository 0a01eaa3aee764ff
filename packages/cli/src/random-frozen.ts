// A stage trainer without a run, for the commands that build one (`bench step`, `doctor`'s kernel
// recording): the earlier stages it freezes, with random weights of the right shapes (the timings
// and dispatched kernels do not depend on the weights' values), and its context.
import type { ArchConfig } from '@ugpnet/models';
import type { StageContext } from '@ugpnet/runner';

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

/** A stage trainer's context without a run: no priors, the given frozen stages, the stage's own random stream. */
export async function standaloneStageContext(
  stage: string,
  {
    experiment,
    arch,
    frozen,
    perceptual,
  }: Pick<StageContext, 'experiment' | 'arch' | 'frozen' | 'perceptual'>,
): Promise<StageContext> {
  const { Rng } = await import('@ugpnet/tensor');
  return { experiment, arch, rng: new Rng(experiment.seed).fork(stage), priors: {}, frozen, perceptual };
}
