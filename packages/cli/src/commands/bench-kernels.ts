// `ugp bench kernels`: GFLOP/s of conv forward / input-gradient / filter-gradient and a toy training step.
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { printBenchRows } from '../output.js';

interface Args {
  backend?: string;
  json: boolean;
  repeats: number;
}

export const benchKernelsCommand = command<Args>()({
  command: 'kernels',
  describe: 'conv kernel GFLOP/s (forward, input grad, filter grad) and a toy Adam step',
  builder: (y: Argv) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print JSON rows' })
      .option('repeats', {
        type: 'number',
        default: 10,
        describe: 'timed iterations per case (median reported)',
      })
      .example('$0 bench kernels --backend wasm', 'benchmark the wasm backend'),
  handler: async (argv) => {
    const info = await useBackend(argv);
    const { benchKernels } = await import('@ugpnet/tensor');
    const rows = await benchKernels({ backend: info.name, repeats: argv.repeats });
    await printBenchRows(rows, argv.json);
  },
});
