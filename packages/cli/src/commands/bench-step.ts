// `ugp bench step --arch <preset> --stage restoration|synthesis|fusion`: ms per training step of
// the runner's own stage trainer (forward + backward + Adam with the stage's real losses: PSNR
// loss; L1 + LPIPS + adversarial + the D step with lazy R1; L1 + LPIPS + patch-contextual), its
// peak tensor memory (tf.profile), the process RSS and any tensors a step leaks.
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { printBenchRows } from '../output.js';
import { randomFrozenStages, standaloneStageContext } from '../random-frozen.js';

const BENCH_STAGES = ['restoration', 'synthesis', 'fusion'] as const;
type BenchStage = (typeof BENCH_STAGES)[number];

interface Args {
  backend?: string;
  arch?: string;
  experiment?: string;
  stage: BenchStage;
  batch?: number;
  repeats: number;
  warmup: number;
  'proxy-width-divisor'?: number;
  kernels: number;
  'pytorch-losses': boolean;
  json: boolean;
}

const MB = 1024 * 1024;

export const benchStepCommand = command<Args>()({
  command: 'step',
  describe: 'ms per training step (forward + backward + Adam, real losses) and peak memory of one stage',
  builder: (y: Argv) =>
    y
      .option('arch', { type: 'string', describe: 'architecture preset or JSON (default: the experiment’s)' })
      .option('experiment', {
        type: 'string',
        describe:
          'take stage settings (loss weights, LPIPS size, R1 period, perceptual nets) from this experiment',
      })
      .option('stage', { choices: BENCH_STAGES, demandOption: true, describe: 'which stage’s step' })
      .option('batch', {
        type: 'number',
        describe: 'images per step (default: the experiment’s batch_size, 8)',
      })
      .option('repeats', { type: 'number', default: 10, describe: 'timed steps (median reported)' })
      .option('warmup', { type: 'number', default: 2, describe: 'untimed steps first' })
      .option('proxy-width-divisor', {
        type: 'number',
        describe: 'width divisor of the stand-in VGG when no pretrained LPIPS/VGG weights are cached',
      })
      .option('kernels', {
        type: 'number',
        default: 0,
        describe: 'also report the N kernels that took longest in one profiled step (ms per step)',
      })
      .option('pytorch-losses', {
        type: 'boolean',
        default: false,
        describe:
          'the losses of the PyTorch CPU comparison (issue 15): restoration PSNR; synthesis L1 + adversarial without LPIPS, its R1 steps timed separately; fusion L1 only',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON rows' })
      .example('$0 bench step --arch tiny-32 --stage restoration', 'recipe defaults at 32 px')
      .example('$0 bench step --arch demo-64 --stage synthesis --kernels 10', 'where a step spends its time')
      .example(
        '$0 bench step --arch demo-64 --stage synthesis --pytorch-losses',
        'G+D step and R1 step with the losses of the PyTorch comparison',
      )
      .example(
        '$0 bench step --experiment experiments/demo.yaml --stage synthesis --json',
        'the demo’s settings (LPIPS at 64 px, narrow stand-in VGG)',
      ),
  handler: async (argv) => {
    const { UserError } = await import('@ugpnet/core');
    if (!argv.arch && !argv.experiment) throw new UserError('bench step: give --arch or --experiment');
    for (const flag of ['repeats', 'warmup', 'batch', 'kernels'] as const) {
      const v = argv[flag];
      const least = flag === 'warmup' || flag === 'kernels' ? 0 : 1;
      if (v !== undefined && (!Number.isInteger(v) || v < least)) {
        throw new UserError(`--${flag} ${v}: expected an integer ≥ ${least}`);
      }
    }
    const info = await useBackend(argv);
    const log = (line: string) => process.stderr.write(`[bench step] ${line}\n`);
    const rows = await benchStep({ ...argv, backend: info.name }, log);
    if (argv['pytorch-losses'] && argv.stage === 'synthesis') {
      // R1 separately, as the PyTorch figures give it: a step with R1 minus one without.
      const withR1 = await benchStep({ ...argv, backend: info.name, kernels: 0 }, log, { r1: true });
      const plain = rows.find((r) => r.metric === 'step')!.value;
      const r1 = withR1.find((r) => r.metric === 'step')!;
      rows.push({ ...r1, metric: 'step_with_r1' }, { ...r1, metric: 'r1_extra', value: r1.value - plain });
    }
    await printBenchRows(rows, argv.json);
  },
});

/**
 * The stage settings of the PyTorch CPU comparison: no perceptual terms; synthesis R1 never
 * (the plain G+D step) or on every step (`r1`).
 */
function pytorchLosses(stage: BenchStage, r1: boolean): Record<string, unknown> {
  switch (stage) {
    case 'restoration':
      return { loss: 'psnr' };
    case 'synthesis':
      return { lpips_weight: 0, r1_every: r1 ? 1 : 1_000_000_000 };
    case 'fusion':
      return { lpips_weight: 0, contextual_weight: 0 };
  }
}

async function benchStep(
  argv: Args & { backend: string },
  log: (line: string) => void,
  options: { r1?: boolean } = {},
) {
  const tf = await import('@tensorflow/tfjs-core');
  const { median } = await import('@ugpnet/tensor');
  const models = await import('@ugpnet/models');
  const runner = await import('@ugpnet/runner');
  const losses = await import('@ugpnet/losses');

  const raw = argv.experiment ? runner.readExperimentChain(argv.experiment) : { name: 'bench-step' };
  const archName = argv.arch ?? (raw.arch as string | undefined) ?? 'paper-faces-512';
  const arch = models.resolveArch(archName);
  const experiment = runner.validateExperiment(
    runner.deepMerge(raw, {
      arch: archName,
      data: { size: arch.image_size, ...(argv.batch ? { batch_size: argv.batch } : {}) },
      ...(argv['proxy-width-divisor']
        ? { perceptual: { proxy_width_divisor: argv['proxy-width-divisor'] } }
        : {}),
      ...(argv['pytorch-losses']
        ? { stages: { [argv.stage]: pytorchLosses(argv.stage, options.r1 ?? false) } }
        : {}),
    }),
    argv.experiment ?? 'bench step',
  );
  const batch = experiment.data.batch_size;
  const stage = argv.stage;

  // Perceptual nets as the runner builds them (real weights when cached, else the proxy).
  const { weights_dir, proxy_width_divisor } = experiment.perceptual;
  const netOptions = { weightsDir: weights_dir, proxyWidthDivisor: proxy_width_divisor };
  const lpips = losses.createLpips(netOptions);
  const fusion = experiment.stages.fusion;
  const contextual =
    stage === 'fusion' && fusion.contextual_weight > 0
      ? losses.createPatchContextualLoss({
          ...netOptions,
          layer: fusion.contextual.layer,
          patchSize: Math.min(fusion.contextual.patch_size, arch.image_size),
          bandWidth: fusion.contextual.band_width,
          variant: fusion.contextual.variant,
        })
      : undefined;

  // Frozen earlier stages: random weights of the right shapes (timing does not depend on them).
  const frozen = await randomFrozenStages(arch, experiment.seed);
  const trainer = runner.createStageTrainer(
    stage,
    await standaloneStageContext(stage, { experiment, arch, frozen, perceptual: { lpips, contextual } }),
  );

  const inSize = arch.regression.type === 'rrdb_x8' ? arch.image_size / 8 : arch.image_size;
  const lq = tf.randomUniform(
    [batch, inSize, inSize, 3],
    0,
    1,
    'float32',
    1,
  ) as import('@tensorflow/tfjs-core').Tensor4D;
  const gt = tf.randomUniform(
    [batch, arch.image_size, arch.image_size, 3],
    0,
    1,
    'float32',
    2,
  ) as import('@tensorflow/tfjs-core').Tensor4D;
  const kase = `${archName} ${stage} b${batch}${argv['pytorch-losses'] ? ' pytorch-losses' : ''}`;
  log(`${kase}: ${lpips.kind}${stage === 'synthesis' ? ' (no geometric augmentation)' : ''}`);
  let iteration = 0;
  const step = () => {
    iteration++;
    trainer.beforeStep?.(iteration);
    trainer.trainStep({ lq, gt }, iteration);
  };
  let rssPeak = process.memoryUsage().rss;
  try {
    // Paper sizes on wasm take minutes per step: say where it is rather than sit silent.
    for (let i = 0; i < argv.warmup; i++) {
      const t0 = performance.now();
      step();
      log(`${kase}: warm-up step ${i + 1}/${argv.warmup} ${(performance.now() - t0).toFixed(0)} ms`);
    }
    const tensorsBefore = tf.memory().numTensors;
    const times: number[] = [];
    for (let i = 0; i < argv.repeats; i++) {
      const t0 = performance.now();
      step(); // trainStep reads its losses back, so the step has finished when it returns
      times.push(performance.now() - t0);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    const leaked = (tf.memory().numTensors - tensorsBefore) / argv.repeats;
    const resident = tf.memory().numBytes;
    const profile = await tf.profile(() => step());
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const row = (metric: string, value: number, unit: string) => ({
      bench: 'step',
      backend: argv.backend,
      case: kase,
      metric,
      value,
      unit,
    });
    log(`${kase}: ${times.map((t) => t.toFixed(0)).join(' ')} ms`);
    return [
      row('step', median(times), 'ms'),
      // The mean includes the lazy R1 steps (synthesis: every r1_every iterations).
      row('step_mean', mean, 'ms'),
      row('images_per_s', (1000 * batch) / median(times), 'img/s'),
      // Weights, optimizer moments and perceptual nets stay allocated; the rest is the step's own.
      row('resident_tensors', resident / MB, 'MB'),
      row('peak_tensors', profile.peakBytes / MB, 'MB'),
      row('rss_peak', rssPeak / MB, 'MB'),
      row('leaked_tensors', leaked, 'per step'),
      // One row per kernel (its own case), so the table lists them under each other.
      ...slowestKernels(profile.kernels, argv.kernels).map(([name, ms]) => ({
        ...row('kernel_ms', ms, 'ms'),
        case: `${kase} ${name}`,
      })),
    ];
  } finally {
    tf.dispose([lq, gt]);
    trainer.dispose();
    lpips.dispose();
    contextual?.dispose();
  }
}

/** The `count` kernel names with the largest total time in one profiled step, slowest first. */
function slowestKernels(
  kernels: Array<{ name: string; kernelTimeMs: unknown }>,
  count: number,
): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const k of kernels) {
    if (typeof k.kernelTimeMs === 'number') totals.set(k.name, (totals.get(k.name) ?? 0) + k.kernelTimeMs);
  }
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, count);
}
