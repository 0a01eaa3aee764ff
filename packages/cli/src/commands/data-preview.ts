// `ugp data preview`: a gt | lq contact sheet to check a degradation by eye.
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { printJson } from '../output.js';
import { datasetOptions } from './data.js';

interface Args {
  dataset: string;
  degradation: string;
  size?: number;
  split?: string;
  seed: number;
  count: number;
  out: string;
  json: boolean;
}

export const dataPreviewCommand = command<Args>()({
  command: 'preview',
  describe: 'write a PNG contact sheet: one row per sample, gt left, lq right (upscaled, nearest)',
  builder: (y: Argv) =>
    datasetOptions(y)
      .option('count', { type: 'number', default: 6, describe: 'rows' })
      .option('out', { type: 'string', default: 'preview.png', describe: 'PNG file to write' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example(
        '$0 data preview --dataset portraits --degradation blur --size 256 --out blur.png',
        'see the blur',
      ),
  handler: async (argv) => {
    const { previewSheet, resolveDataset } = await import('@ugpnet/datasets');
    const source = resolveDataset(argv.dataset, { size: argv.size, split: argv.split, seed: argv.seed });
    const sheet = await previewSheet({
      source,
      degradation: argv.degradation,
      count: argv.count,
      seed: argv.seed,
      out: argv.out,
    });
    if (argv.json) return printJson(sheet);
    process.stdout.write(
      `wrote ${sheet.out} (${sheet.width}×${sheet.height}, ${sheet.rows} rows: gt | lq ${argv.degradation})\n`,
    );
  },
});
