// `ugp grid run | status | export`: ablation grids. `run` queues the cells in the store and trains them
// with N worker processes (one in this process by default); `status` shows cells × stages; `export
// --slurm` writes an sbatch array script. `grid worker` is the worker process `run` starts.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CellRunner, GridSpec } from '@ugpnet/runner';
import type { TrackingStore } from '@ugpnet/store';
import type { Argv, CommandModule } from 'yargs';
import { useBackend } from '../backend.js';
import { formatTable, printJson } from '../output.js';

const DEFAULT_DB = 'experiments/ugp.db';

interface WorkArgs {
  file: string;
  db: string;
  'max-attempts': number;
  'cell-runner'?: string;
  backend?: string;
}

interface RunArgs extends WorkArgs {
  workers: number;
  'retry-failed': boolean;
  cell?: number;
  gpus?: string;
  json: boolean;
}

interface StatusArgs {
  file: string;
  db: string;
  metric?: string;
  mode?: 'max' | 'min';
  json: boolean;
}

interface ExportArgs {
  file: string;
  slurm: boolean;
  out?: string;
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
  sbatch: string[];
  backend?: string;
  json: boolean;
}

function workOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('db', { type: 'string', default: DEFAULT_DB, describe: 'tracking store' })
    .option('max-attempts', {
      type: 'number',
      default: 3,
      describe: 'fail a cell whose worker died this many times instead of claiming it again',
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
  const { trainCell } = await import('@ugpnet/runner');
  return trainCell;
}

/** One worker in this process until the grid (or `runIds`) is drained. Returns whether it was interrupted. */
async function work(
  store: TrackingStore,
  spec: GridSpec,
  argv: WorkArgs,
  runIds?: string[],
): Promise<boolean> {
  const { abortOnSignals, runWorker } = await import('@ugpnet/runner');
  const runCell = await loadCellRunner(argv);
  const signals = abortOnSignals();
  try {
    const report = await runWorker({
      store,
      gridId: spec.name,
      runCell,
      runIds,
      signal: signals.signal,
      maxAttempts: argv['max-attempts'],
      log: (line) => console.error(`[ugp] ${line}`),
    });
    return report.interrupted;
  } finally {
    signals.dispose();
  }
}

/** The command that starts one worker process: this same ugp entry, `grid worker FILE …`. */
export function workerCommand(argv: WorkArgs): { file: string; args: string[] } {
  const args = [...process.execArgv, process.argv[1]!, 'grid', 'worker', argv.file, '--db', argv.db];
  args.push('--max-attempts', String(argv['max-attempts']));
  if (argv.backend) args.push('--backend', argv.backend);
  if (argv['cell-runner']) args.push('--cell-runner', resolve(argv['cell-runner']));
  return { file: process.execPath, args };
}

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <file>',
  describe:
    'queue the grid in the store and train its cells (finished cells are skipped, unfinished resumed)',
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
          describe: 'queue and train only the cell with this index (SLURM tasks)',
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
    const { readGridSpec, queueGrid, runWorkerPool, gpusFromEnv } = await import('@ugpnet/runner');
    const { cellRunId, openStore, StoreError } = await import('@ugpnet/store');
    const spec = readGridSpec(argv.file);
    if (!Number.isInteger(argv.workers) || argv.workers < 1) {
      throw new StoreError(`--workers must be a whole number >= 1, got ${argv.workers}`);
    }
    const store = openStore(argv.db);
    try {
      const { cells, report } = queueGrid(store, spec, {
        specFile: argv.file,
        retryFailed: argv['retry-failed'],
        only: argv.cell === undefined ? undefined : [argv.cell],
      });
      if (argv.cell !== undefined && cells.length === 0) {
        const { expandGrid } = await import('@ugpnet/runner');
        throw new StoreError(`--cell ${argv.cell}: ${argv.file} has cells 0..${expandGrid(spec).length - 1}`);
      }
      const k = report.kept;
      console.error(
        `[ugp] grid ${spec.name}: ${cells.length} cells; ${report.created.length} new, ${report.requeued.length} requeued, ` +
          `${k.finished} finished, ${k.running} running elsewhere, ${k.scheduled} waiting` +
          (k.failed ? `, ${k.failed} failed (--retry-failed to rerun)` : ''),
      );
      const gpus = argv.gpus
        ?.split(',')
        .map((g) => g.trim())
        .filter(Boolean);
      let interrupted = false;
      if (argv.workers === 1 || argv.cell !== undefined) {
        if (gpus?.length) process.env.CUDA_VISIBLE_DEVICES = gpus[0];
        const runIds = argv.cell === undefined ? undefined : [cellRunId(spec.name, cells[0]!.id)];
        interrupted = await work(store, spec, argv, runIds);
      } else {
        if (!argv['cell-runner']) {
          // Priors are made here, once, so the workers never race to train the same prior run.
          await useBackend(argv);
          const { prepareGridPriors } = await import('@ugpnet/runner');
          await prepareGridPriors({
            store,
            spec,
            specFile: argv.file,
            log: (line) => console.error(`[ugp] ${line}`),
          });
        }
        const exits = await runWorkerPool({
          workers: argv.workers,
          command: () => workerCommand(argv),
          gpus: gpus?.length ? gpus : gpusFromEnv(),
          hasWork: () =>
            store.gridProgress(spec.name).byStatus.scheduled > 0 ||
            store.staleRuns({ gridId: spec.name }).length > 0,
        });
        interrupted = exits.some(
          (e) => e.code === 143 || e.code === 130 || e.signal === 'SIGINT' || e.signal === 'SIGTERM',
        );
      }
      const progress = store.gridProgress(spec.name);
      if (argv.json) printJson({ grid: spec.name, queued: report, progress: progress.byStatus, interrupted });
      const p = progress.byStatus;
      console.error(
        `[ugp] grid ${spec.name}: ${p.finished}/${progress.total} finished, ${p.failed} failed, ${p.killed} killed, ` +
          `${p.running} running, ${p.scheduled} waiting`,
      );
      if (interrupted) process.exitCode = 130;
      else if (argv.cell !== undefined) {
        const run = store.getRun(cellRunId(spec.name, cells[0]!.id));
        if (run?.status !== 'finished') process.exitCode = 1;
      } else if (p.failed > 0) process.exitCode = 1;
    } finally {
      store.close();
    }
  },
};

const workerCommandModule: CommandModule<object, WorkArgs> = {
  command: 'worker <file>',
  describe: false,
  builder: (y: Argv) =>
    workOptions(y.positional('file', { type: 'string', demandOption: true })) as unknown as Argv<WorkArgs>,
  handler: async (argv) => {
    const { readGridSpec } = await import('@ugpnet/runner');
    const { openStore } = await import('@ugpnet/store');
    const spec = readGridSpec(argv.file);
    const store = openStore(argv.db);
    try {
      if (await work(store, spec, argv)) process.exitCode = 143;
    } finally {
      store.close();
    }
  },
};

function formatMetric(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(2) : v.toPrecision(3);
}

const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <file>',
  describe: 'cells × stages of a grid: state and best validation metric',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'grid file (JSON or YAML)' })
      .option('db', { type: 'string', default: DEFAULT_DB, describe: 'tracking store' })
      .option('metric', { type: 'string', describe: 'metric shown per stage (default psnr)' })
      .option('mode', { type: 'string', choices: ['max', 'min'] as const, describe: 'max: higher is better' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 grid status experiments/ablation-init.yaml', 'progress of the ablation')
      .example(
        '$0 grid status experiments/ablation-init.yaml --metric lpips --json',
        'best LPIPS per cell and stage',
      ) as unknown as Argv<StatusArgs>,
  handler: async (argv) => {
    const { readGridSpec, gridStatus, gridExperimentFile, loadExperiment } = await import('@ugpnet/runner');
    const { openStore } = await import('@ugpnet/store');
    const { defaultMode } = await import('./best.js');
    const spec = readGridSpec(argv.file);
    let stages: string[] | undefined;
    const experimentFile = gridExperimentFile(spec, argv.file);
    if (experimentFile) {
      try {
        stages = [...loadExperiment(experimentFile).stages_to_run];
      } catch {
        stages = undefined; // the store's own stage list is good enough for a status view
      }
    }
    const store = openStore(argv.db, { readonly: true });
    try {
      const metric = argv.metric ?? 'psnr';
      const status = gridStatus(store, spec, { stages, metric, mode: argv.mode ?? defaultMode(metric) });
      if (argv.json) {
        printJson(status);
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
      process.stdout.write(
        `${formatTable(['#', 'cell', 'status', ...status.stages.map((s) => `${s} (${status.metric})`)], rows)}\n` +
          `${c.finished}/${status.cells.length} finished, ${c.running} running, ${c.scheduled} waiting, ` +
          `${c.failed} failed, ${c.killed} killed${c.missing ? `, ${c.missing} not queued in ${argv.db}` : ''}\n`,
      );
      for (const cell of status.cells.filter((x) => x.failure)) {
        process.stdout.write(`cell ${cell.index} ${cell.status}: ${cell.failure}\n`);
      }
    } finally {
      store.close();
    }
  },
};

const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <file>',
  describe: 'write an sbatch array script (one task per cell, each with its own store file)',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'grid file (JSON or YAML)' })
      .option('slurm', {
        type: 'boolean',
        demandOption: true,
        describe: 'SLURM array job (the only format so far)',
      })
      .option('out', { type: 'string', describe: 'script path (default <store-dir>/<grid>.sbatch)' })
      .option('store-dir', {
        type: 'string',
        describe: 'folder of the per-task stores (default experiments/slurm/<grid>)',
      })
      .option('workdir', { type: 'string', describe: 'folder the tasks cd into (default: the current one)' })
      .option('ugp', { type: 'string', default: 'npx ugp', describe: 'how tasks invoke ugp' })
      .option('partition', { type: 'string' })
      .option('account', { type: 'string' })
      .option('time', { type: 'string', describe: 'time limit per task, e.g. 24:00:00' })
      .option('cpus', { type: 'number', describe: 'CPUs per task' })
      .option('mem', { type: 'string', describe: 'memory per task, e.g. 64G' })
      .option('gpus-per-task', { type: 'number', default: 1, describe: 'GPUs per task (0: CPU only)' })
      .option('max-parallel', { type: 'number', describe: 'at most this many tasks at once' })
      .option('sbatch', {
        type: 'string',
        array: true,
        default: [],
        describe: 'extra #SBATCH option (repeatable)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print what was written as JSON' })
      .example(
        '$0 grid export experiments/ablation-init.yaml --slurm --partition gpu --time 24:00:00',
        'write the job',
      )
      .example(
        'sbatch experiments/slurm/ablation-init/ablation-init.sbatch',
        'then submit it',
      ) as unknown as Argv<ExportArgs>,
  handler: async (argv) => {
    const { readGridSpec, expandGrid, slurmScript, defaultSlurmStoreDir } = await import('@ugpnet/runner');
    const spec = readGridSpec(argv.file);
    const cells = expandGrid(spec);
    const storeDir = argv['store-dir'] ?? defaultSlurmStoreDir(spec.name);
    const script = slurmScript({
      specFile: argv.file,
      gridName: spec.name,
      cells,
      storeDir,
      workdir: argv.workdir ?? process.cwd(),
      ugp: argv.ugp,
      gpusPerTask: argv['gpus-per-task'],
      cpusPerTask: argv.cpus,
      mem: argv.mem,
      time: argv.time,
      partition: argv.partition,
      account: argv.account,
      maxParallel: argv['max-parallel'],
      backend: argv.backend,
      extra: argv.sbatch,
    });
    const out = argv.out ?? `${storeDir}/${spec.name}.sbatch`;
    mkdirSync(dirname(out), { recursive: true });
    mkdirSync(`${storeDir}/logs`, { recursive: true }); // sbatch does not create the --output folder
    writeFileSync(out, script);
    chmodSync(out, 0o755);
    if (argv.json) {
      printJson({ script: out, cells: cells.length, storeDir });
      return;
    }
    process.stdout.write(
      `wrote ${out}: ${cells.length} array tasks\nsubmit:  sbatch ${out}\nmerge:   ${argv.ugp} db merge ${storeDir}/cell-*.db --into ${DEFAULT_DB}\n`,
    );
  },
};

export const gridCommand: CommandModule = {
  command: 'grid <command>',
  describe: 'ablation grids: run, status, export --slurm',
  builder: (y: Argv) =>
    y
      .command(runCommand)
      .command(statusCommand)
      .command(exportCommand)
      .command(workerCommandModule)
      .demandCommand(1),
  handler: () => {},
};
