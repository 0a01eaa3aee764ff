// `ugp resume RUN`: continue a killed, failed or interrupted run from its last checkpoint.
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { stopOnSignals } from '../signals.js';

interface Args {
  run: string;
  db: string;
  backend?: string;
}

export const resumeCommand = command<Args>()({
  command: 'resume <run>',
  describe:
    'resume a run from its last checkpoint (same iteration, optimizer state and data position); exits 1 (naming pid, host, since) while another process trains it',
  builder: (y: Argv) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run id or a unique prefix' })
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
      .example('$0 resume 3f2a', 'resume the run whose id starts with 3f2a'),
  handler: async (argv) => {
    const { openStore } = await import('@ugpnet/store');
    const { executeRun, experimentOfRun, RunHeldError } = await import('@ugpnet/runner');
    const { currentWorker } = await import('@ugpnet/store');
    const { UserError } = await import('@ugpnet/core');
    const store = openStore(argv.db);
    try {
      const run = store.findRun(argv.run);
      if (run.status === 'finished') throw new UserError(`run ${run.id} already finished; nothing to resume`);
      const experiment = experimentOfRun(store, run);
      // Claim it before loading anything: a grid worker or another `ugp train` may be training it now.
      const claimed = store.acquireRun(run.id, currentWorker(process.env.UGP_WORKER_NAME));
      if (claimed.status === 'held') throw new RunHeldError(claimed.run);
      await useBackend(argv);
      console.error(`[ugp] resuming run ${run.id} (${experiment.name})`);
      const outcome = await executeRun({
        store,
        experiment,
        runId: run.id,
        shouldStop: stopOnSignals(),
        log: (line) => console.error(`[ugp] ${line}`),
      });
      console.error(`[ugp] run ${run.id}: ${outcome}`);
      if (outcome === 'failed') process.exitCode = 1;
      if (outcome === 'killed') process.exitCode = 130;
    } finally {
      store.close();
    }
  },
});
