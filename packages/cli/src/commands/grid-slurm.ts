// `ugp grid export FILE --slurm` writes a grid's three sbatch scripts; `ugp grid submit FILE --slurm`
// also submits what is left to do (runner's writeSlurmScripts and submitGrid). Both take the same flags.
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { SlurmOptions } from '@ugpnet/runner';
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { printJson } from '../output.js';
import { gridFileArg, log } from './grid-options.js';

interface SlurmArgs {
  file: string;
  slurm: boolean;
  db: string;
  'store-dir'?: string;
  workdir?: string;
  ugp: string;
  partition?: string;
  account?: string;
  time?: string;
  cpus?: number;
  mem?: string;
  'gpus-per-task': number;
  'max-parallel'?: number;
  'max-attempts': number;
  signal: number;
  sbatch: string[];
  backend?: string;
  json: boolean;
}

interface SubmitArgs extends SlurmArgs {
  'retry-failed': boolean;
}

/** The sbatch options `export` and `submit` share. */
function slurmFlags<T>(y: Argv<T>) {
  return gridFileArg(y)
    .option('slurm', { type: 'boolean', demandOption: true, describe: 'Slurm jobs (the only format so far)' })
    .option('db', {
      type: 'string',
      default: DEFAULT_STORE_PATH,
      describe: 'the store the merge job merges into',
    })
    .option('store-dir', {
      type: 'string',
      describe: 'folder of the scripts, logs, priors and per-task stores (default experiments/slurm/<grid>)',
    })
    .option('workdir', { type: 'string', describe: 'folder the jobs cd into (default: the current one)' })
    .option('ugp', { type: 'string', default: 'npx ugp', describe: 'how jobs invoke ugp' })
    .option('partition', { type: 'string' })
    .option('account', { type: 'string' })
    .option('time', { type: 'string', describe: 'time limit per job, e.g. 24:00:00' })
    .option('cpus', { type: 'number', describe: 'CPUs per task (the task trains with that many threads)' })
    .option('mem', { type: 'string', describe: 'memory per task, e.g. 64G' })
    .option('gpus-per-task', { type: 'number', default: 1, describe: 'GPUs per task (0: CPU only)' })
    .option('max-parallel', { type: 'number', describe: 'at most this many array tasks at once' })
    .option('max-attempts', { type: 'number', default: 3, describe: 'start a cell at most this many times' })
    .option('signal', {
      type: 'number',
      default: 120,
      describe:
        'seconds before the time limit Slurm sends SIGTERM (tasks checkpoint, exit, and resume when requeued)',
    })
    .option('sbatch', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'extra #SBATCH option (repeatable)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'print what was done as JSON' });
}

/** The flags as the runner's script options. */
function slurmOptions(argv: SlurmArgs): Omit<SlurmOptions, 'cells' | 'gridName'> {
  return {
    specFile: argv.file,
    db: argv.db,
    storeDir: argv['store-dir'],
    workdir: argv.workdir ?? process.cwd(),
    ugp: argv.ugp,
    gpusPerTask: argv['gpus-per-task'],
    cpusPerTask: argv.cpus,
    mem: argv.mem,
    time: argv.time,
    partition: argv.partition,
    account: argv.account,
    maxParallel: argv['max-parallel'],
    maxAttempts: argv['max-attempts'],
    signalSeconds: argv.signal,
    backend: argv.backend,
    extra: argv.sbatch,
  };
}

export const gridExportCommand = command<SlurmArgs>()({
  command: 'export <file>',
  describe: 'write the Slurm scripts (priors job, cell array, merge job) to submit by hand',
  builder: (y: Argv) =>
    slurmFlags(y)
      .example(
        '$0 grid export experiments/ablation-init.yaml --slurm --partition gpu --time 24:00:00',
        'write the jobs',
      )
      .example(
        '$0 grid submit experiments/ablation-init.yaml --slurm --partition gpu --time 24:00:00',
        'or write and submit them',
      ),
  handler: async (argv) => {
    const { readGridSpec, expandGrid, writeSlurmScripts } = await import('@ugpnet/runner');
    const spec = readGridSpec(argv.file);
    const cells = expandGrid(spec);
    const { storeDir, scripts } = writeSlurmScripts({ ...slurmOptions(argv), gridName: spec.name, cells });
    if (argv.json) {
      printJson({ scripts, cells: cells.length, storeDir });
      return;
    }
    process.stdout.write(
      `wrote ${storeDir}/{priors,cells,merge}.sbatch: ${cells.length} array tasks. Submit them in order:\n` +
        `  P=$(sbatch --parsable ${scripts.priors})            # only if the grid needs priors\n` +
        `  A=$(sbatch --parsable --dependency=afterok:$P ${scripts.cells})\n` +
        `  sbatch --dependency=afterany:$A ${scripts.merge}\n` +
        `or let \`ugp grid submit ${argv.file} --slurm …\` do it (and skip what is done).\n`,
    );
  },
});

export const gridSubmitCommand = command<SubmitArgs>()({
  command: 'submit <file>',
  describe:
    'submit the grid to Slurm: a priors job (when needed), the cell array after it, a merge job after the array; re-submitting resumes',
  builder: (y: Argv) =>
    slurmFlags(y)
      .option('retry-failed', { type: 'boolean', default: false, describe: 'submit failed cells again too' })
      .example(
        '$0 grid submit experiments/ablation-init.yaml --slurm --partition gpu --time 24:00:00',
        'submit the ablation',
      )
      .example(
        '$0 grid submit experiments/demo-quick-ablation.yaml --slurm --gpus-per-task 0 --cpus 1',
        'a CPU-only grid',
      ),
  handler: async (argv) => {
    const { preflightGrid, readGridSpec, submitGrid } = await import('@ugpnet/runner');
    const spec = readGridSpec(argv.file);
    preflightGrid(spec, argv.file);
    const result = submitGrid({
      ...slurmOptions(argv),
      spec,
      specPath: argv.file,
      db: argv.db,
      retryFailed: argv['retry-failed'],
      log,
    });
    if (argv.json) {
      printJson(result);
      return;
    }
    const { jobs, skipped } = result;
    const lines = [
      `grid ${spec.name}: ${result.cells.length} cells to run` +
        ` (${skipped.finished} finished${skipped.failed ? `, ${skipped.failed} failed: --retry-failed to rerun` : ''})`,
    ];
    if (!jobs.cells) {
      lines.push(
        result.mergedHere ? `nothing to submit; merged the task stores into ${argv.db}` : 'nothing to submit',
      );
    } else {
      if (jobs.priors) lines.push(`priors job ${jobs.priors}: trains ${result.priors.length} prior(s) once`);
      else if (result.priors.length) lines.push(`priors: all ${result.priors.length} already made (no job)`);
      lines.push(
        `cell array ${jobs.cells}: tasks ${result.cells.join(',')}${jobs.priors ? ` after job ${jobs.priors}` : ''}`,
        `merge job ${jobs.merge}: into ${argv.db} after the array`,
        `follow:  squeue -j ${[jobs.priors, jobs.cells, jobs.merge].filter(Boolean).join(',')}`,
        `         ${argv.ugp} grid status ${argv.file} --db ${argv.db}` +
          `${argv['store-dir'] ? ` --store-dir ${argv['store-dir']}` : ''}   (task stores included)`,
        `         tail -f ${result.storeDir}/logs/*.out`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  },
});
