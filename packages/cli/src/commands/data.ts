// `ugp data <subcommand>`: degraded test sets and previews (the loader itself runs inside training).
import type { Argv, CommandModule } from 'yargs';
import { dataPreviewCommand } from './data-preview.js';
import { dataSynthCommand } from './data-synth.js';

export const dataCommand: CommandModule = {
  command: 'data <subcommand>',
  describe: 'datasets: write a fixed degraded test set, or a gt | lq contact sheet',
  builder: (y: Argv) => y.command(dataSynthCommand).command(dataPreviewCommand).demandCommand(1),
  handler: () => {},
};

/** Options shared by the data subcommands. */
export function datasetOptions<T>(y: Argv<T>) {
  return y
    .option('dataset', {
      type: 'string',
      demandOption: true,
      describe: 'portraits | churches (procedural), or a path: image folder, LMDB directory, gt/+lq/ folder',
    })
    .option('degradation', {
      type: 'string',
      choices: ['noise', 'blur', 'sr8', 'none'],
      demandOption: true,
      describe: 'noise: Poisson k 30 + Gaussian σ 0.3; blur: 51×51 camera shake; sr8: ×8 bicubic',
    })
    .option('size', { type: 'number', describe: 'gt side in pixels (default: 512 faces, 256 churches)' })
    .option('split', {
      type: 'string',
      choices: ['train', 'val', 'test', 'all'],
      describe: 'which part of the data (default: all for paths, train for procedural)',
    })
    .option('seed', { type: 'number', default: 0, describe: 'degradation (and procedural) seed' });
}
