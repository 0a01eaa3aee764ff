// `ugp data synth`: a fixed, shareable degraded test set as paired gt/ and lq/ PNG folders.
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
  workers: number;
  json: boolean;
}

export const dataSynthCommand = command<Args>()({
  command: 'synth',
  describe: 'write --count degraded pairs as <out>/gt/*.png and <out>/lq/*.png (+ synth.json)',
  builder: (y: Argv) =>
    datasetOptions(y)
      .option('count', {
        type: 'number',
        demandOption: true,
        describe: 'pairs to write (the first N of the split)',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
      .option('workers', { type: 'number', default: 1, describe: 'worker threads decoding and degrading' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example(
        '$0 data synth --dataset churches --degradation sr8 --count 100 --size 256 --out data/church-sr8-test',
        'a procedural ×8 SR test set',
      )
      .example(
        '$0 data synth --dataset ~/data/CelebA-HQ-img --split test --degradation blur --count 1000 --size 512 --out data/celeba-blur',
        'a CelebA-HQ deblurring test set',
      ),
  handler: async (argv) => {
    const { createProgress } = await import('@ugpnet/core');
    const { resolveDataset, synthesizePairs } = await import('@ugpnet/datasets');
    const source = resolveDataset(argv.dataset, { size: argv.size, split: argv.split, seed: argv.seed });
    const progress = createProgress({ label: 'synth', total: argv.count, unit: 'pairs' });
    const result = await synthesizePairs({
      source,
      degradation: argv.degradation,
      count: argv.count,
      seed: argv.seed,
      out: argv.out,
      workers: argv.workers,
      onProgress: (done) => progress.update(done),
      log: (line) => progress.log(line),
    });
    progress.stop();
    if (argv.json) return printJson({ ...result, names: undefined, files: result.names.length });
    process.stdout.write(
      `wrote ${result.count} pairs to ${result.out} (gt ${result.gtSize}², lq ${result.lqSize}²) from ${result.description}\n`,
    );
    if (result.skipped.length)
      process.stdout.write(`skipped ${result.skipped.length} unusable files (listed above)\n`);
  },
});
