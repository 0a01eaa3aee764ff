// `ugp train EXPERIMENT`: one tracked run of an experiment file; re-running the same command
// resumes the unfinished run of the same config. One process per run: while another process trains
// it, this one exits 1 saying which (pid, host, since).
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { printJson } from '../output.js';
import { stopOnSignals } from '../signals.js';

interface Args {
  experiment: string;
  db: string;
  set: string[];
  name?: string;
  new: boolean;
  json: boolean;
  smoke: boolean;
  backend?: string;
}

export const trainCommand = command<Args>()({
  command: 'train <experiment>',
  describe:
    'train an experiment (restoration → synthesis → fusion), tracked in the store; resumes if re-run; exits 1 (naming pid, host, since) while another process trains the same run, waits while another makes a prior run it needs',
  builder: (y: Argv) =>
    y
      .positional('experiment', {
        type: 'string',
        demandOption: true,
        describe: 'experiment file (JSON or YAML)',
      })
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
      .option('set', {
        type: 'string',
        array: true,
        default: [],
        describe: 'override a value: key.path=value',
      })
      .option('name', { type: 'string', describe: 'run name (default: the experiment name)' })
      .option('new', {
        type: 'boolean',
        default: false,
        describe: 'start a new run even if one of this config exists',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the run summary as JSON' })
      .option('smoke', {
        type: 'boolean',
        default: false,
        describe:
          'check the experiment end to end instead: two iterations of every stage and a validation at the configured architecture on a few images, in a throw-away store (--db is not touched); reports what each stage needs in memory at the configured batch',
      })
      .example(
        '$0 train experiments/demo.yaml --set stages.fusion.iterations=200',
        'train the demo with a shorter fusion stage',
      )
      .example(
        '$0 train experiments/celeba-deblur.yaml --smoke',
        'will the paper recipe run, and fit in memory? (before a cluster run)',
      )
      .example('$0 train experiments/celeba-deblur.yaml --backend node-gpu', 'the paper recipe on a GPU'),
  handler: async (argv) => {
    const {
      loadExperiment,
      parseOverrides,
      checkArch,
      claimRunOfConfig,
      executeRun,
      preflightExperiment,
      RunHeldError,
    } = await import('@ugpnet/runner');
    const experiment = loadExperiment(argv.experiment, parseOverrides(argv.set));
    checkArch(experiment); // a bad arch must fail before anything is created
    preflightExperiment(experiment, argv.experiment); // so must missing weights (no silent proxy VGG)
    const info = await useBackend(argv);
    if (argv.smoke) {
      process.exitCode = await smoke(experiment, argv.json);
      return;
    }
    const { openStore } = await import('@ugpnet/store');
    const store = openStore(argv.db);
    try {
      const claimed = claimRunOfConfig(store, experiment, {
        fresh: argv.new,
        name: argv.name,
        backend: info.name,
      });
      if (claimed.status === 'held') throw new RunHeldError(claimed.run);
      const run = claimed.run;
      if (claimed.status === 'finished') {
        console.error(`run ${run.id} of this config already finished (use --new for another)`);
        if (argv.json) printJson(run);
        return;
      }
      console.error(`[ugp] ${run.attempts > 1 ? 'resuming' : 'starting'} run ${run.id} (${experiment.name})`);
      const outcome = await executeRun({
        store,
        experiment,
        runId: run.id,
        shouldStop: stopOnSignals(),
        log: (line) => console.error(`[ugp] ${line}`),
      });
      const after = store.getRun(run.id)!;
      if (argv.json) printJson(after);
      else console.error(`[ugp] run ${run.id}: ${outcome}${after.failure ? ` (${after.failure})` : ''}`);
      if (outcome === 'failed') process.exitCode = 1;
      if (outcome === 'killed') process.exitCode = 130;
    } finally {
      store.close();
    }
  },
});

/** `--smoke`: the smoke run and its memory report; 1 when it failed or a stage would not fit. */
async function smoke(experiment: import('@ugpnet/runner').Experiment, json: boolean): Promise<number> {
  const { smokeRun, smokeFits } = await import('@ugpnet/runner');
  const { HEAP_ADVICE } = await import('@ugpnet/tensor');
  const report = await smokeRun(experiment, {
    log: (line) => console.error(`[ugp smoke] ${line}`),
    shouldStop: stopOnSignals(),
  });
  const fits = smokeFits(report);
  if (json) printJson({ ...report, fits });
  else {
    const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
    for (const s of report.stages) {
      const limit = s.limitBytes === undefined ? '' : ` (wasm heap limit ${mb(s.limitBytes)})`;
      const verdict =
        s.limitBytes === undefined ? '' : s.atBatchBytes <= s.limitBytes ? ': fits' : ': does NOT fit';
      process.stdout.write(
        `${s.stage}: ${mb(s.peakBytes)} of tensors at batch 1 (${mb(s.residentBytes)} weights and nets) → about ${mb(s.atBatchBytes)} at batch ${s.batchSize}${limit}${verdict}\n`,
      );
    }
    process.stdout.write(`smoke run ${report.outcome}${report.failure ? `: ${report.failure}` : ''}\n`);
    if (!fits) process.stdout.write(`${HEAP_ADVICE}\n`);
  }
  return report.outcome === 'finished' && fits ? 0 : 1;
}
