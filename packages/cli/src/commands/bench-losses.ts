// `ugp bench losses`: LPIPS and patch-contextual forward + backward time and memory per size.
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { printBenchRows } from '../output.js';

interface Args {
  backend?: string;
  json: boolean;
  repeats: number;
  sizes: string;
  batch: number;
  'weights-dir'?: string;
  proxy: boolean;
  losses: string;
}

export const benchLossesCommand = command<Args>()({
  command: 'losses',
  describe: 'LPIPS and patch-contextual loss: ms for forward + backward and peak memory per image size',
  builder: (y: Argv) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print JSON rows' })
      .option('repeats', {
        type: 'number',
        default: 10,
        describe: 'timed iterations per case (median reported)',
      })
      .option('sizes', {
        type: 'string',
        default: '64,128,256,512',
        describe: 'image sizes, comma-separated',
      })
      .option('losses', {
        type: 'string',
        default: 'lpips,contextual',
        describe: 'which losses: lpips, contextual',
      })
      .option('batch', { type: 'number', default: 1, describe: 'images per step' })
      .option('weights-dir', {
        type: 'string',
        describe: 'pretrained weight cache (default: the ugp weights cache)',
      })
      .option('proxy', {
        type: 'boolean',
        default: false,
        describe: 'use the fixed-seed proxy nets even if weights are cached',
      })
      .example('$0 bench losses --sizes 64,128 --repeats 10', 'small sizes only')
      .example('$0 bench losses --json > losses.json', 'rows for comparison across machines'),
  handler: async (argv) => {
    const { UserError } = await import('@ugpnet/core');
    const sizes = argv.sizes.split(',').map((s) => Number(s.trim()));
    if (sizes.some((s) => !Number.isInteger(s) || s < 16)) {
      throw new UserError(`--sizes ${argv.sizes}: expected comma-separated integers ≥ 16`);
    }
    const losses = argv.losses.split(',').map((s) => s.trim());
    if (losses.some((l) => l !== 'lpips' && l !== 'contextual')) {
      throw new UserError(`--losses ${argv.losses}: expected lpips and/or contextual`);
    }
    const info = await useBackend(argv);
    const { benchLosses } = await import('@ugpnet/losses');
    const rows = await benchLosses({
      backend: info.name,
      sizes,
      repeats: argv.repeats,
      batch: argv.batch,
      losses: losses as Array<'lpips' | 'contextual'>,
      weightsDir: argv.proxy ? null : argv['weights-dir'],
      onCase: (label) => process.stderr.write(`[bench losses] ${label}\n`),
    });
    await printBenchRows(rows, argv.json);
  },
});
