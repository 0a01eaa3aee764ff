// `ugp demo`: the embedded pretrained-vs-random ablation end to end (see runner/src/demo.ts).
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { useBackend } from '../backend.js';
import { printJson } from '../output.js';
import { stopOnSignals } from '../signals.js';

interface Args {
  quick: boolean;
  db: string;
  workers: number;
  seeds: number;
  out: string;
  json: boolean;
  backend?: string;
}

/** The repository's experiments/ folder (this file is packages/cli/dist/commands/demo.js). */
const EXPERIMENTS_DIR = fileURLToPath(new URL('../../../../experiments/', import.meta.url));

export const demoCommand = command<Args>()({
  command: 'demo',
  describe: 'the 2×2 pretrained-vs-random ablation on procedural portraits, end to end (CPU, no downloads)',
  builder: (y: Argv) =>
    y
      .option('quick', {
        type: 'boolean',
        default: false,
        describe: 'tiny-32 in a few minutes (the CI end-to-end path)',
      })
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
      .option('workers', {
        type: 'number',
        default: 2,
        describe: 'grid worker processes (1 = in this process)',
      })
      .option('seeds', {
        type: 'number',
        default: 1,
        describe: 'seeds per cell (N > 1: N consecutive seeds, N times the time; the table adds mean ± std)',
      })
      .option('out', {
        type: 'string',
        default: 'experiments/dashboard',
        describe: 'where the dashboard is written',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the results as JSON' })
      .example('$0 demo', 'the full demo (about 15 minutes on 2 cores); re-running resumes')
      .example('$0 demo --quick --workers 1', 'the quick path in one process')
      .example('$0 demo --seeds 3', 'three seeds per cell: which differences hold beyond the seed spread'),
  handler: async (argv) => {
    const started = Date.now();
    const gridFile = join(EXPERIMENTS_DIR, argv.quick ? 'demo-quick-ablation.yaml' : 'demo-ablation.yaml');
    await useBackend(argv);
    const { openStore } = await import('@ugpnet/store');
    const { runDemo, formatDemoTable, demoGridSpec } = await import('@ugpnet/runner');
    const { buildDashboard } = await import('@ugpnet/dashboard');
    demoGridSpec(gridFile, argv.seeds); // a bad --seeds exits 1 before the store is opened
    const store = openStore(argv.db);
    try {
      const rows = await runDemo({
        store,
        gridFile,
        workers: argv.workers,
        seeds: argv.seeds,
        workerCommand: () => ({
          file: process.execPath,
          args: [process.argv[1]!, 'grid', 'worker', gridFile, '--db', argv.db],
        }),
        shouldStop: stopOnSignals(),
        log: (line) => console.error(`[ugp] ${line}`),
      });
      const site = await buildDashboard({ db: argv.db, out: argv.out });
      const minutes = ((Date.now() - started) / 60000).toFixed(1);
      // The grid page answers the ablation at a glance: scores per cell and test images side by side.
      const gridId = rows[0] ? store.findRun(rows[0].runId).gridId : null;
      const gridPage = gridId
        ? `${pathToFileURL(site.index).href}#/grid/${encodeURIComponent(gridId)}`
        : null;
      if (argv.json) printJson({ rows, dashboard: site.index, gridPage, minutes: Number(minutes) });
      else {
        process.stdout.write(`${formatDemoTable(rows)}\n\n`);
        process.stdout.write(`dashboard: ${site.index}   (${minutes} min)\n`);
        if (gridPage) process.stdout.write(`grid page: ${gridPage}\n`);
      }
    } finally {
      store.close();
    }
  },
});
