// `ugp grid status FILE`: cells × stages of a grid, state and best validation metric (runner's
// gridStatusAcrossStores, which also reads a Slurm array's task stores).
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { formatTable, printJson } from '../output.js';
import { gridFileArg } from './grid-options.js';

interface StatusArgs {
  file: string;
  db: string;
  'store-dir'?: string;
  metric?: string;
  mode?: 'max' | 'min';
  json: boolean;
}

function formatMetric(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(2) : v.toPrecision(3);
}

export const gridStatusCommand = command<StatusArgs>()({
  command: 'status <file>',
  describe:
    'cells × stages of a grid: state and best validation metric (with a Slurm array: its task stores too)',
  builder: (y: Argv) =>
    gridFileArg(y)
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
      ),
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
});
