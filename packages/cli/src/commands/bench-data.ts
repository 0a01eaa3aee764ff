// `ugp bench data`: samples/s per source × degradation at 256 and 512 with 1 and 2 workers,
// and the motion-blur floor (a 512 blurred sample vs a plain decode + resize).
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { printBenchRows } from '../output.js';

interface Args {
  json: boolean;
  sources?: string[];
  degradations?: string[];
  sizes?: number[];
  workers?: number[];
  batches: number;
}

export const benchDataCommand = command<Args>()({
  command: 'data',
  describe: 'data pipeline samples/s (sources × degradations × sizes × workers) and the blur floor',
  builder: (y: Argv) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print JSON rows' })
      .option('sources', {
        type: 'string',
        array: true,
        describe: 'portraits churches image-folder lsun-lmdb',
      })
      .option('degradations', { type: 'string', array: true, describe: 'none noise blur sr8' })
      .option('sizes', { type: 'number', array: true, describe: 'gt sides (default 256 512)' })
      .option('workers', { type: 'number', array: true, describe: 'worker thread counts (default 1 2)' })
      .option('batches', {
        type: 'number',
        default: 10,
        describe: 'timed batches per case (median reported)',
      })
      .example('$0 bench data', 'everything (a few minutes)')
      .example('$0 bench data --sources image-folder --degradations blur --sizes 512 --json', 'one case'),
  handler: async (argv) => {
    const { benchData } = await import('@ugpnet/datasets');
    const rows = await benchData({
      sources: argv.sources,
      degradations: argv.degradations,
      sizes: argv.sizes,
      workers: argv.workers,
      batches: argv.batches,
    });
    await printBenchRows(rows, argv.json);
  },
});
