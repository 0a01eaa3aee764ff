// `ugp grid run FILE`: queue a grid and train its cells (runner's runGrid); `ugp grid worker FILE` is the
// worker process `run --workers N` starts (runner's runWorker).
import { resolve } from 'node:path';
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { CellRunner } from '@ugpnet/runner';
import type { Argv } from 'yargs';
import { useBackend } from '../backend.js';
import { command } from '../command.js';
import { printJson } from '../output.js';
import { gridFileArg, log, withGridStore } from './grid-options.js';

interface WorkArgs {
  file: string;
  db: string;
  'max-attempts': number;
  'cell-runner'?: string;
  'priors-dir'?: string;
  backend?: string;
}

interface RunArgs extends WorkArgs {
  workers: number;
  'retry-failed': boolean;
  cell?: number;
  gpus?: string;
  'stale-after'?: number;
  json: boolean;
}

/** The options a cell-training process needs: `grid run` and each `grid worker` it starts. */
function workOptions<T>(y: Argv<T>) {
  return y
    .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
    .option('max-attempts', {
      type: 'number',
      default: 3,
      describe: 'start a cell at most this many times (its worker dying, an interruption) before failing it',
    })
    .option('priors-dir', {
      type: 'string',
      describe: 'read the priors from this folder (`grid priors --out`) and never train one (Slurm tasks)',
    })
    .option('cell-runner', {
      type: 'string',
      describe: 'advanced: a JS module exporting runCell(context), used instead of the three-stage trainer',
    });
}

/** The trainer (after initialising the backend), or a module's `runCell`. */
async function loadCellRunner(argv: WorkArgs): Promise<CellRunner> {
  const { cellTrainer, importCellRunner } = await import('@ugpnet/runner');
  if (argv['cell-runner']) return importCellRunner(argv['cell-runner']);
  await useBackend(argv);
  return cellTrainer({ priorsDir: argv['priors-dir'] });
}

/** The command that starts one worker process: this same ugp entry, `grid worker FILE …`. */
export function workerCommand(argv: WorkArgs): { file: string; args: string[] } {
  const args = [...process.execArgv, process.argv[1]!, 'grid', 'worker', argv.file, '--db', argv.db];
  args.push('--max-attempts', String(argv['max-attempts']));
  if (argv.backend) args.push('--backend', argv.backend);
  if (argv['priors-dir']) args.push('--priors-dir', resolve(argv['priors-dir']));
  if (argv['cell-runner']) args.push('--cell-runner', resolve(argv['cell-runner']));
  return { file: process.execPath, args };
}

const noCell: CellRunner = async () => {
  throw new Error('the pool parent trains no cell itself');
};

export const gridRunCommand = command<RunArgs>()({
  command: 'run <file>',
  describe:
    'queue the grid in the store and train its cells (finished cells are skipped, unfinished resumed); exits 1 when cells are left unfinished',
  builder: (y: Argv) =>
    workOptions(gridFileArg(y))
      .option('workers', {
        type: 'number',
        default: 1,
        describe: 'worker processes claiming cells; 1 trains in this process',
      })
      .option('gpus', {
        type: 'string',
        describe: 'comma-separated GPU ids, one per worker in turn (default: CUDA_VISIBLE_DEVICES)',
      })
      .option('retry-failed', { type: 'boolean', default: false, describe: 'requeue failed cells too' })
      .option('cell', {
        type: 'number',
        describe: 'queue and train only the cell with this index (Slurm tasks)',
      })
      .option('stale-after', {
        type: 'number',
        describe: 'seconds without a heartbeat after which a running cell counts as dead (Slurm tasks: 0)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print the queue report and final counts as JSON',
      })
      .example('$0 grid run experiments/ablation-init.yaml --workers 4 --gpus 0,1,2,3', 'one worker per GPU')
      .example(
        '$0 grid run experiments/ablation-init.yaml --retry-failed',
        'run again, retrying failed cells',
      ),
  handler: async (argv) => {
    const { gpuList, gpusFromEnv, preflightGrid, readGridSpec, resolveGridCells, runGrid } = await import(
      '@ugpnet/runner'
    );
    const spec = readGridSpec(argv.file);
    // Every cell's experiment must validate (and, for the real trainer, have its weights) before anything is queued.
    if (argv['cell-runner']) resolveGridCells(spec, argv.file);
    else preflightGrid(spec, argv.file);
    const gpus = gpuList(argv.gpus);
    const inProcess = argv.workers === 1 || argv.cell !== undefined;
    if (inProcess && gpus) process.env.CUDA_VISIBLE_DEVICES = gpus[0];
    const result = await withGridStore(argv.db, (store, signal) =>
      runGrid({
        store,
        spec,
        specFile: argv.file,
        workers: argv.workers,
        cell: argv.cell,
        retryFailed: argv['retry-failed'],
        maxAttempts: argv['max-attempts'],
        staleAfterMs: argv['stale-after'] === undefined ? undefined : argv['stale-after'] * 1000,
        gpus: gpus ?? gpusFromEnv(),
        workerCommand: () => workerCommand(argv),
        // A pool's parent starts no trainer of its own, but makes the priors (with every thread).
        cellRunner: () =>
          inProcess || !argv['cell-runner'] ? loadCellRunner(argv) : Promise.resolve(noCell),
        preflight: !argv['cell-runner'],
        preparePriors: !argv['cell-runner'] && !argv['priors-dir'],
        signal,
        log,
      }),
    );
    if (argv.json) {
      printJson({
        grid: result.grid,
        queued: result.queued,
        progress: result.progress,
        interrupted: result.interrupted,
        unfinished: result.unfinished ?? null,
      });
    }
    process.exitCode = result.exitCode;
  },
});

export const gridWorkerCommand = command<WorkArgs>()({
  command: 'worker <file>',
  describe: false,
  builder: (y: Argv) => workOptions(y.positional('file', { type: 'string', demandOption: true })),
  handler: async (argv) => {
    const { readGridSpec, runWorker } = await import('@ugpnet/runner');
    const spec = readGridSpec(argv.file);
    const runCell = await loadCellRunner(argv);
    const report = await withGridStore(argv.db, (store, signal) =>
      runWorker({ store, gridId: spec.name, runCell, signal, maxAttempts: argv['max-attempts'], log }),
    );
    if (report.interrupted) process.exitCode = 143;
  },
});
