// `ugp best --run ID --stage S`: the best checkpoint of a stage by a validation metric.
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { printJson } from '../output.js';

interface Args {
  db: string;
  run: string;
  stage: string;
  metric?: string;
  mode?: 'max' | 'min';
  json: boolean;
}

/** Lower is better for distances and losses (lpips, lpips_proxy, loss, l1, mse, fid); higher otherwise. */
export function defaultMode(metric: string): 'max' | 'min' {
  return /lpips|loss|^l1|mse|fid|niqe/i.test(metric) ? 'min' : 'max';
}

export const bestCommand = command<Args>()({
  command: 'best',
  describe: "a stage's best checkpoint (default: the run's validation metric and mode, else psnr max)",
  builder: (y: Argv) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'run id or a unique prefix' })
      .option('stage', {
        type: 'string',
        demandOption: true,
        describe: 'stage, e.g. restoration, synthesis, fusion',
      })
      .option('metric', {
        type: 'string',
        describe: 'metric saved with the checkpoints (e.g. psnr, ssim, lpips)',
      })
      .option('mode', {
        type: 'string',
        choices: ['max', 'min'] as const,
        describe: 'max: higher is better (default: min for lpips/loss-like metrics, else max)',
      })
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 best --run 3f2a9c1e --stage fusion', 'best fusion checkpoint by validation PSNR')
      .example('$0 best --run 3f2a --stage fusion --metric lpips --mode min --json', 'lowest LPIPS'),
  handler: async (argv) => {
    const { openStore, StoreError } = await import('@ugpnet/store');
    const store = openStore(argv.db, { readonly: true });
    try {
      const run = store.findRun(argv.run);
      // The run's own selection rule (its experiment's `validation` block), unless overridden.
      const validation = (
        store.getParams(run.id).experiment as { validation?: { metric?: unknown; mode?: unknown } }
      )?.validation;
      const ownMetric = typeof validation?.metric === 'string' ? validation.metric : undefined;
      const metric = argv.metric ?? ownMetric ?? 'psnr';
      const ownMode = validation?.mode === 'min' || validation?.mode === 'max' ? validation.mode : undefined;
      const mode = argv.mode ?? (metric === ownMetric && ownMode ? ownMode : defaultMode(metric));
      const best = store.bestCheckpoint(run.id, argv.stage, metric, mode);
      if (!best) {
        const stages = [...new Set(store.listCheckpoints(run.id).map((c) => c.stage))];
        throw new StoreError(
          `run ${run.id} has no ${argv.stage} checkpoint with a finite '${metric}'` +
            (stages.length
              ? ` (stages with checkpoints: ${stages.join(', ')})`
              : ' (it has no checkpoints yet)'),
        );
      }
      const path = store.resolvePath(best.path);
      if (argv.json) {
        printJson({ ...best, metric, mode, value: best.metrics[metric], resolvedPath: path });
        return;
      }
      process.stdout.write(
        `${argv.stage} step ${best.step}: ${metric}=${best.metrics[metric]} (${mode})\n${path}\n`,
      );
    } finally {
      store.close();
    }
  },
});
