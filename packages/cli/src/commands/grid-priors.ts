// `ugp grid priors FILE --out DIR`: make the grid's priors once and write them as files (runner's
// makeGridPriorFiles); the priors job of a Slurm grid.
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv } from 'yargs';
import { useBackend } from '../backend.js';
import { command } from '../command.js';
import { printJson } from '../output.js';
import { gridFileArg, log, withGridStore } from './grid-options.js';

interface PriorsArgs {
  file: string;
  db: string;
  out: string;
  backend?: string;
  json: boolean;
}

export const gridPriorsCommand = command<PriorsArgs>()({
  command: 'priors <file>',
  describe: "make the grid's priors once and write them as files for the cells (a Slurm priors job)",
  builder: (y: Argv) =>
    gridFileArg(y)
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'store of the prior runs' })
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'folder the prior files are written to',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the priors as JSON' })
      .example(
        '$0 grid priors experiments/ablation-init.yaml --db priors.db --out experiments/slurm/ablation-init/priors',
        'make them',
      ),
  handler: async (argv) => {
    const { makeGridPriorFiles, readGridSpec } = await import('@ugpnet/runner');
    const spec = readGridSpec(argv.file);
    await useBackend(argv);
    await withGridStore(argv.db, async (store, signal) => {
      const priors = await makeGridPriorFiles({
        store,
        spec,
        specFile: argv.file,
        dir: argv.out,
        log,
        shouldStop: () => signal.aborted,
      });
      if (signal.aborted) process.exitCode = 130;
      if (argv.json) printJson(priors);
    });
  },
});
