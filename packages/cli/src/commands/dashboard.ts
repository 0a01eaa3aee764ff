// `ugp dashboard build|serve`: chart.js pages over the tracking store, as a static folder that opens from
// disk, or served live (read-only, 127.0.0.1 by default) while runs train.
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv, CommandModule } from 'yargs';
import { command } from '../command.js';
import { printJson } from '../output.js';

interface BuildArgs {
  db: string;
  out: string;
  json: boolean;
}

interface ServeArgs {
  db: string;
  port: number;
  host: string;
  poll: number;
  json: boolean;
}

const dbOption = {
  type: 'string',
  default: DEFAULT_STORE_PATH,
  describe: 'tracking store (SQLite) to read; opened read-only',
} as const;

export const dashboardBuildCommand = command<BuildArgs>()({
  command: 'build',
  describe: 'write a self-contained static site (index.html opens from disk; no server, no network)',
  builder: (y: Argv) =>
    y
      .option('db', dbOption)
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'output folder (new, empty, or a previous build)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the build report as JSON' })
      .example('$0 dashboard build --out site && xdg-open site/index.html', 'build, then open from disk')
      .example('$0 dashboard build --db runs/gpu1.db --out /tmp/gpu1-site', 'another store'),
  handler: async (argv) => {
    const { buildDashboard } = await import('@ugpnet/dashboard');
    const report = buildDashboard({ db: argv.db, out: argv.out });
    if (argv.json) return printJson(report);
    process.stdout.write(
      `wrote ${report.index} (${report.experiments} experiments, ${report.runs} runs, ` +
        `${report.artifactsCopied} sample files${report.artifactsMissing ? `, ${report.artifactsMissing} missing` : ''})\n`,
    );
  },
});

export const dashboardServeCommand = command<ServeArgs>()({
  command: 'serve',
  describe: 'serve the pages live from the store (refreshing while runs train) until Ctrl-C',
  builder: (y: Argv) =>
    y
      .option('db', dbOption)
      .option('port', { type: 'number', default: 8080, describe: 'TCP port (0: any free port)' })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'address to bind; anything but loopback exposes your runs to the network',
      })
      .option('poll', {
        type: 'number',
        default: 5000,
        describe: 'how often open pages check for new data (ms)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print {url} as JSON once listening' })
      .example('$0 dashboard serve', `http://127.0.0.1:8080/ from ${DEFAULT_STORE_PATH}`)
      .example('$0 dashboard serve --db runs/gpu1.db --port 9000', 'another store and port'),
  handler: async (argv) => {
    const { serveDashboard } = await import('@ugpnet/dashboard');
    const server = await serveDashboard({ db: argv.db, port: argv.port, host: argv.host, pollMs: argv.poll });
    if (argv.json) printJson({ url: server.url, db: argv.db });
    else process.stdout.write(`dashboard for ${argv.db} at ${server.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        server.close().then(done, done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
});

export const dashboardCommand: CommandModule = {
  command: 'dashboard <subcommand>',
  describe: 'PSNR / LPIPS dashboard of runs, stages and ablation grids (static site or live server)',
  builder: (y: Argv) => y.command(dashboardBuildCommand).command(dashboardServeCommand).demandCommand(1),
  handler: () => {},
};
