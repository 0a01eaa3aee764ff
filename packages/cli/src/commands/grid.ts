// `ugp grid run | status | export | submit | priors`: ablation grids. This file parses flags and prints;
// the work is the runner's (runGrid, gridStatusAcrossStores, slurmScripts, submitGrid, makeGridPriorFiles).
// `grid worker` is the worker process `run --workers N` starts.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CellRunner, SlurmOptions } from '@ugpnet/runner';
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv, CommandModule } from 'yargs';
import { useBackend } from '../backend.js';
import { formatTable, printJson } from '../output.js';

const log = (line: string) => console.error(`[ugp] ${line}`);

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

interface StatusArgs {
  file: string;
  db: string;
  'store-dir'?: string;
  metric?: string;
  mode?: 'max' | 'min';
  json: boolean;
}

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

interface PriorsArgs {
  file: string;
  db: string;
  out: string;
  backend?: string;
  json: boolean;
}

function workOptions<T>(y: Argv<T>): Argv<T> {
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
  const modulePath = argv['cell-runner'];
  if (modulePath) {
    const { UserError } = await import('@ugpnet/core');
    let mod: { runCell?: unknown };
    try {
      mod = await import(pathToFileURL(resolve(modulePath)).href);
    } catch (err) {
      throw new UserError(`--cell-runner ${modulePath}: cannot import it (${(err as Error).message})`);
    }
    if (typeof mod.runCell !== 'function')
      throw new UserError(`--cell-runner ${modulePath}: it exports no runCell function`);
    return mod.runCell as CellRunner;
  }
  await useBackend(argv);
  const { cellTrainer } = await import('@ugpnet/runner');
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

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <file>',
  describe:
    'queue the grid in the store and train its cells (finished cells are skipped, unfinished resumed); exits 1 when cells are left unfinished',
  builder: (y: Argv) =>
    workOptions(
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'grid file (JSON or YAML)' })
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
        }),
    )
      .example('$0 grid run experiments/ablation-init.yaml --workers 4 --gpus 0,1,2,3', 'one worker per GPU')
      .example(
        '$0 grid run experiments/ablation-init.yaml --retry-failed',
        'run again, retrying failed cells',
      ) as unknown as Argv<RunArgs>,
  handler: async (argv) => {
    const { abortOnSignals, gpusFromEnv, preflightGrid, readGridSpec, resolveGridCells, runGrid } =
      await import('@ugpnet/runner');
    const { openStore } = await import('@ugpnet/store');
    const spec = readGridSpec(argv.file);
    // Every cell's experiment must validate (and, for the real trainer, have its weights) before anything is queued.
    if (argv['cell-runner']) resolveGridCells(spec, argv.file);
    else preflightGrid(spec, argv.file);
    const gpus = argv.gpus
      ?.split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    const inProcess = argv.workers === 1 || argv.cell !== undefined;
    if (inProcess && gpus?.length) process.env.CUDA_VISIBLE_DEVICES = gpus[0];
    const store = openStore(argv.db);
    const signals = abortOnSignals();
    try {
      const result = await runGrid({
        store,
        spec,
        specFile: argv.file,
        workers: argv.workers,
        cell: argv.cell,
        retryFailed: argv['retry-failed'],
        maxAttempts: argv['max-attempts'],
        staleAfterMs: argv['stale-after'] === undefined ? undefined : argv['stale-after'] * 1000,
        gpus: gpus?.length ? gpus : gpusFromEnv(),
        workerCommand: () => workerCommand(argv),
        // A pool's parent starts no trainer of its own, but makes the priors (with every thread).
        cellRunner: () =>
          inProcess || !argv['cell-runner'] ? loadCellRunner(argv) : Promise.resolve(noCell),
        preflight: !argv['cell-runner'],
        preparePriors: !argv['cell-runner'] && !argv['priors-dir'],
        signal: signals.signal,
        log,
      });
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
    } finally {
      signals.dispose();
      store.close();
    }
  },
};

const noCell: CellRunner = async () => {
  throw new Error('the pool parent trains no cell itself');
};

const workerCommandModule: CommandModule<object, WorkArgs> = {
  command: 'worker <file>',
  describe: false,
  builder: (y: Argv) =>
    workOptions(y.positional('file', { type: 'string', demandOption: true })) as unknown as Argv<WorkArgs>,
  handler: async (argv) => {
    const { abortOnSignals, readGridSpec, runWorker } = await import('@ugpnet/runner');
    const { openStore } = await import('@ugpnet/store');
    const spec = readGridSpec(argv.file);
    const runCell = await loadCellRunner(argv);
    const store = openStore(argv.db);
    const signals = abortOnSignals();
    try {
      const report = await runWorker({
        store,
        gridId: spec.name,
        runCell,
        signal: signals.signal,
        maxAttempts: argv['max-attempts'],
        log,
      });
      if (report.interrupted) process.exitCode = 143;
    } finally {
      signals.dispose();
      store.close();
    }
  },
};

function formatMetric(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(2) : v.toPrecision(3);
}

const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <file>',
  describe:
    'cells × stages of a grid: state and best validation metric (with a Slurm array: its task stores too)',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'grid file (JSON or YAML)' })
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
      .option('store-dir', {
        type: 'string',
        describe: 'folder of the per-task stores of a Slurm array (default experiments/slurm/<grid>)',
      })
      .option('metric', {
        type: 'string',
        describe: "metric shown per stage (default: the experiment's validation.metric)",
      })
      .option('mode', { type: 'string', choices: ['max', 'min'] as const, describe: 'max: higher is better' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 grid status experiments/ablation-init.yaml', 'progress of the ablation')
      .example(
        '$0 grid status experiments/ablation-init.yaml --metric lpips --json',
        'best LPIPS per cell and stage',
      ) as unknown as Argv<StatusArgs>,
  handler: async (argv) => {
    const { defaultSlurmStoreDir, readGridSpec, gridStatusAcrossStores, gridExperimentFile, loadExperiment } =
      await import('@ugpnet/runner');
    const { defaultMode } = await import('./best.js');
    const spec = readGridSpec(argv.file);
    let stages: string[] | undefined;
    let validation: { metric: string; mode: 'max' | 'min' } | undefined;
    const experimentFile = gridExperimentFile(spec, argv.file);
    if (experimentFile) {
      try {
        const experiment = loadExperiment(experimentFile);
        stages = [...experiment.stages_to_run];
        validation = experiment.validation;
      } catch {
        stages = undefined; // the store's own stage list is good enough for a status view
      }
    }
    // Default: the metric and mode that pick the experiment's best checkpoints.
    const metric = argv.metric ?? validation?.metric ?? 'psnr';
    const mode = argv.mode ?? (metric === validation?.metric ? validation.mode : defaultMode(metric));
    const { status, stores } = gridStatusAcrossStores(
      spec,
      argv.db,
      argv['store-dir'] ?? defaultSlurmStoreDir(spec.name),
      { stages, metric, mode },
    );
    if (argv.json) {
      printJson({ ...status, stores });
      return;
    }
    const rows = status.cells.map((c) => [
      String(c.index),
      c.name,
      c.status + (c.attempts > 1 ? ` (x${c.attempts})` : ''),
      ...c.stages.map((s) => {
        const best = s.best ? ` ${formatMetric(s.best.value)}@${s.best.step}` : '';
        return s.state === 'running' ? `running ${s.step ?? 0}${best}` : `${s.state}${best}`;
      }),
    ]);
    const c = status.counts;
    const from =
      stores.length > 1 ? ` (from ${stores.length} stores: ${argv.db} and the Slurm task stores)` : '';
    process.stdout.write(
      `${formatTable(['#', 'cell', 'status', ...status.stages.map((s) => `${s} (${status.metric})`)], rows)}\n` +
        `${c.finished}/${status.cells.length} finished, ${c.running} running, ${c.scheduled} waiting, ` +
        `${c.failed} failed, ${c.killed} killed${c.missing ? `, ${c.missing} not queued in ${argv.db}` : ''}${from}\n`,
    );
    for (const cell of status.cells.filter((x) => x.failure)) {
      process.stdout.write(`cell ${cell.index} ${cell.status}: ${cell.failure}\n`);
    }
  },
};

/** The sbatch options `export` and `submit` share. */
function slurmOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .positional('file', { type: 'string', demandOption: true, describe: 'grid file (JSON or YAML)' })
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
      default: [],
      describe: 'extra #SBATCH option (repeatable)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'print what was done as JSON' });
}

function scriptOptions(argv: SlurmArgs): Omit<SlurmOptions, 'cells' | 'gridName'> {
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

const exportCommand: CommandModule<object, SlurmArgs> = {
  command: 'export <file>',
  describe: 'write the Slurm scripts (priors job, cell array, merge job) to submit by hand',
  builder: (y: Argv) =>
    slurmOptions(y)
      .example(
        '$0 grid export experiments/ablation-init.yaml --slurm --partition gpu --time 24:00:00',
        'write the jobs',
      )
      .example(
        '$0 grid submit experiments/ablation-init.yaml --slurm --partition gpu --time 24:00:00',
        'or write and submit them',
      ) as unknown as Argv<SlurmArgs>,
  handler: async (argv) => {
    const { readGridSpec, expandGrid, slurmScripts, slurmLayout, defaultSlurmStoreDir, SLURM_SCRIPT_NAMES } =
      await import('@ugpnet/runner');
    const spec = readGridSpec(argv.file);
    const cells = expandGrid(spec);
    const storeDir = argv['store-dir'] ?? defaultSlurmStoreDir(spec.name);
    const scripts = slurmScripts({ ...scriptOptions(argv), storeDir, gridName: spec.name, cells });
    mkdirSync(slurmLayout(storeDir).logs, { recursive: true }); // sbatch does not create the --output folder
    const paths = {} as Record<keyof typeof scripts, string>;
    for (const job of ['priors', 'cells', 'merge'] as const) {
      paths[job] = join(storeDir, SLURM_SCRIPT_NAMES[job]);
      writeFileSync(paths[job], scripts[job]);
      chmodSync(paths[job], 0o755);
    }
    if (argv.json) {
      printJson({ scripts: paths, cells: cells.length, storeDir });
      return;
    }
    process.stdout.write(
      `wrote ${storeDir}/{priors,cells,merge}.sbatch: ${cells.length} array tasks. Submit them in order:\n` +
        `  P=$(sbatch --parsable ${paths.priors})            # only if the grid needs priors\n` +
        `  A=$(sbatch --parsable --dependency=afterok:$P ${paths.cells})\n` +
        `  sbatch --dependency=afterany:$A ${paths.merge}\n` +
        `or let \`ugp grid submit ${argv.file} --slurm …\` do it (and skip what is done).\n`,
    );
  },
};

const submitCommand: CommandModule<object, SubmitArgs> = {
  command: 'submit <file>',
  describe:
    'submit the grid to Slurm: a priors job (when needed), the cell array after it, a merge job after the array; re-submitting resumes',
  builder: (y: Argv) =>
    slurmOptions(y)
      .option('retry-failed', { type: 'boolean', default: false, describe: 'submit failed cells again too' })
      .example(
        '$0 grid submit experiments/ablation-init.yaml --slurm --partition gpu --time 24:00:00',
        'submit the ablation',
      )
      .example(
        '$0 grid submit experiments/demo-quick-ablation.yaml --slurm --gpus-per-task 0 --cpus 1',
        'a CPU-only grid',
      ) as unknown as Argv<SubmitArgs>,
  handler: async (argv) => {
    const { preflightGrid, readGridSpec, submitGrid } = await import('@ugpnet/runner');
    const spec = readGridSpec(argv.file);
    preflightGrid(spec, argv.file);
    const result = submitGrid({
      ...scriptOptions(argv),
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
};

const priorsCommand: CommandModule<object, PriorsArgs> = {
  command: 'priors <file>',
  describe: "make the grid's priors once and write them as files for the cells (a Slurm priors job)",
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'grid file (JSON or YAML)' })
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
      ) as unknown as Argv<PriorsArgs>,
  handler: async (argv) => {
    const { abortOnSignals, makeGridPriorFiles, readGridSpec } = await import('@ugpnet/runner');
    const { openStore } = await import('@ugpnet/store');
    const spec = readGridSpec(argv.file);
    await useBackend(argv);
    const store = openStore(argv.db);
    const signals = abortOnSignals();
    try {
      const priors = await makeGridPriorFiles({
        store,
        spec,
        specFile: argv.file,
        dir: argv.out,
        log,
        shouldStop: () => signals.signal.aborted,
      });
      if (signals.signal.aborted) process.exitCode = 130;
      if (argv.json) printJson(priors);
    } finally {
      signals.dispose();
      store.close();
    }
  },
};

export const gridCommand: CommandModule = {
  command: 'grid <command>',
  describe: 'ablation grids: run, status, export / submit --slurm',
  builder: (y: Argv) =>
    y
      .command(runCommand)
      .command(statusCommand)
      .command(exportCommand)
      .command(submitCommand)
      .command(priorsCommand)
      .command(workerCommandModule)
      .demandCommand(1),
  handler: () => {},
};
