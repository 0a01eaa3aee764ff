// `ugp weights export --run ID --out DIR`: a trained run's best restoration / synthesis / fusion
// checkpoints as one UGPNet checkpoint folder (the layout of `ugp weights import`) for ugp restore.
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { printJson } from '../output.js';

interface Args {
  backend?: string;
  db: string;
  run: string;
  out: string;
  json: boolean;
}

export const weightsExportCommand = command<Args>()({
  command: 'export',
  describe: "a run's best stage checkpoints as a UGPNet checkpoint folder (ugpnet.safetensors + arch.json)",
  builder: (y: Argv) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'run id or a unique prefix' })
      .option('out', { type: 'string', demandOption: true, describe: 'checkpoint folder to write' })
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example('$0 weights export --run 3f2a --out ckpt/demo', 'then: ugp restore --checkpoint ckpt/demo …')
      .example('$0 weights export --run 3f2a --out ckpt/demo --db runs/ugp.db --json', 'another store'),
  handler: async (argv) => {
    const { existsSync } = await import('node:fs');
    const { UserError } = await import('@ugpnet/core');
    if (!existsSync(argv.db)) throw new UserError(`--db ${argv.db}: store does not exist`);
    await (await import('../backend.js')).useBackend(argv);
    const { openStore } = await import('@ugpnet/store');
    const { exportRunCheckpoint } = await import('@ugpnet/runner');
    const store = openStore(argv.db, { readonly: true });
    try {
      const result = exportRunCheckpoint(store, argv.run, argv.out);
      if (argv.json) return printJson(result);
      for (const [stage, { step, path }] of Object.entries(result.stages)) {
        process.stdout.write(`${stage}: step ${step} (${path})\n`);
      }
      process.stdout.write(`wrote ${result.weights} (${result.parts.join(', ')}) and ${result.arch}\n`);
    } finally {
      store.close();
    }
  },
});
