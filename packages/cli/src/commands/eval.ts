// `ugp eval`: PSNR / PSNR-Y / SSIM / LPIPS of a folder of outputs against a folder of ground
// truths, matched by file name; per image and the mean, as bench rows.
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { printBenchRows } from '../output.js';

interface Args {
  pred: string;
  gt: string;
  metrics: string;
  crop: number;
  'lpips-weights'?: string;
  json: boolean;
  backend?: string;
}

export const evalCommand = command<Args>()({
  command: 'eval',
  describe: 'score a folder of restored images against ground truth (psnr, psnr_y, ssim, ssim_y, lpips)',
  builder: (y: Argv) =>
    y
      .option('pred', { type: 'string', demandOption: true, describe: 'folder of predicted images' })
      .option('gt', {
        type: 'string',
        demandOption: true,
        describe: 'folder of ground-truth images (same file names)',
      })
      .option('metrics', {
        type: 'string',
        default: 'psnr,psnr_y,ssim,lpips',
        describe: 'comma-separated metrics',
      })
      .option('crop', {
        type: 'number',
        default: 0,
        describe: 'border pixels left out of psnr/psnr_y/ssim (BasicSR crop_border)',
      })
      .option('lpips-weights', {
        type: 'string',
        describe:
          'weight cache with lpips + vgg16 (default: the ugp weights cache; without them: lpips_proxy)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON rows' })
      .example('$0 eval --pred results/rec_results --gt data/test/gt', 'score the official outputs')
      .example(
        '$0 eval --pred out --gt gt --metrics psnr_y,ssim --crop 8 --json',
        'BasicSR-style, JSON rows',
      ),
  handler: async (argv) => {
    const { UserError } = await import('@ugpnet/core');
    const { METRIC_NAMES, evaluateFolders, pairFolders } = await import('@ugpnet/metrics');
    const metrics = argv.metrics
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    const unknown = metrics.filter((m) => !(METRIC_NAMES as readonly string[]).includes(m));
    if (unknown.length || metrics.length === 0) {
      throw new UserError(
        `--metrics ${argv.metrics}: unknown ${unknown.join(', ') || '(none given)'} (known: ${METRIC_NAMES.join(', ')})`,
      );
    }
    if (!Number.isInteger(argv.crop) || argv.crop < 0)
      throw new UserError(`--crop ${argv.crop}: expected an integer ≥ 0`);
    pairFolders(argv.pred, argv.gt); // name and folder errors before any backend work
    let lpips: import('@ugpnet/losses').Lpips | undefined;
    let backend = 'none';
    if (metrics.includes('lpips')) {
      const info = await useBackend(argv);
      backend = info.name;
      const { createLpips } = await import('@ugpnet/losses');
      lpips = createLpips({
        weightsDir: argv['lpips-weights'],
        requirePretrained: argv['lpips-weights'] !== undefined,
      });
      if (lpips.kind === 'lpips_proxy') {
        process.stderr.write(
          '[ugp eval] no pretrained LPIPS weights (ugp weights fetch lpips): reporting lpips_proxy, NOT LPIPS\n',
        );
      }
    }
    try {
      const result = await evaluateFolders({
        pred: argv.pred,
        gt: argv.gt,
        metrics: metrics as import('@ugpnet/metrics').MetricName[],
        crop: argv.crop,
        lpips,
        backend,
      });
      await printBenchRows(result.rows, argv.json);
    } finally {
      lpips?.dispose();
    }
  },
});
