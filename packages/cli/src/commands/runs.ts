// `ugp runs list | show`: the tracking store's runs (read-only).
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv, CommandModule } from 'yargs';
import { command } from '../command.js';
import { formatTable, printJson } from '../output.js';

interface ListArgs {
  db: string;
  experiment?: string;
  status?: string[];
  grid?: string;
  limit?: number;
  json: boolean;
}

interface ShowArgs {
  db: string;
  id: string;
  json: boolean;
}

function formatTime(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export function formatDuration(ms: number | null): string {
  if (ms === null || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (Number.isNaN(v)) return 'NaN';
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Number(v.toFixed(2))) : v.toPrecision(4);
}

const listCommand = command<ListArgs>()({
  command: 'list',
  describe: 'list runs, newest first',
  builder: (y: Argv) =>
    y
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
      .option('experiment', { type: 'string', describe: 'only runs of this experiment' })
      .option('status', {
        type: 'string',
        array: true,
        choices: ['scheduled', 'running', 'finished', 'failed', 'killed'],
        describe: 'only runs with this status (repeatable)',
      })
      .option('grid', { type: 'string', describe: 'only cells of this grid' })
      .option('limit', { type: 'number', describe: 'at most this many runs' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print JSON (runs with their latest metrics)',
      })
      .example('$0 runs list --status running --status failed', 'what is running or broke')
      .example('$0 runs list --experiment celeba-deblur --json', 'machine-readable'),
  handler: async (argv) => {
    const { openStore } = await import('@ugpnet/store');
    const store = openStore(argv.db, { readonly: true });
    try {
      const runs = store.listRuns({
        experiment: argv.experiment,
        gridId: argv.grid,
        status: argv.status as never,
        limit: argv.limit,
      });
      const latest = store.latestMetrics(runs.map((r) => r.id));
      if (argv.json) {
        printJson(
          runs.map((run) => ({
            ...run,
            latestMetrics: latest.filter((m) => m.runId === run.id).map(({ runId: _, ...m }) => m),
          })),
        );
        return;
      }
      if (runs.length === 0) {
        console.error(
          `no runs in ${argv.db}${argv.experiment || argv.status || argv.grid ? ' matching the filters' : ''}`,
        );
        return;
      }
      const rows = runs.map((run) => {
        const own = latest.filter((m) => m.runId === run.id);
        const stage = run.stage ?? own.at(-1)?.stage ?? null;
        const value = (key: string) => own.find((m) => m.stage === stage && m.key === key)?.value;
        return [
          run.id.slice(0, 8),
          run.name,
          run.experiment,
          run.status,
          stage ?? '-',
          formatValue(value('psnr')),
          formatValue(value('lpips') ?? value('lpips_proxy')),
          formatTime(run.startTime),
          formatDuration(run.startTime === null ? null : (run.endTime ?? Date.now()) - run.startTime),
        ];
      });
      process.stdout.write(
        `${formatTable(['id', 'name', 'experiment', 'status', 'stage', 'psnr', 'lpips', 'started', 'time'], rows)}\n`,
      );
    } finally {
      store.close();
    }
  },
});

const showCommand = command<ShowArgs>()({
  command: 'show <id>',
  describe: 'one run: its status, params, metrics per stage, checkpoints and artifacts',
  builder: (y: Argv) =>
    y
      .positional('id', {
        type: 'string',
        demandOption: true,
        describe: 'run id or a unique prefix (>= 4 characters)',
      })
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'tracking store' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 runs show 3f2a9c1e', 'details of one run'),
  handler: async (argv) => {
    const { openStore } = await import('@ugpnet/store');
    const store = openStore(argv.db, { readonly: true });
    try {
      const run = store.findRun(argv.id);
      const params = store.getParams(run.id);
      const metrics = store.metricSummaries([run.id]);
      const checkpoints = store.listCheckpoints(run.id);
      const artifacts = store.listArtifacts(run.id);
      const tags = store.getTags(run.id);
      const notes = store.getNotes(run.id);
      if (argv.json) {
        printJson({ run, params, tags, notes, metrics, checkpoints, artifacts });
        return;
      }
      const out: string[] = [
        `run        ${run.id}`,
        `name       ${run.name}`,
        `experiment ${run.experiment}`,
        `status     ${run.status}${run.failure ? ` — ${run.failure}` : ''}`,
        `stage      ${run.stage ?? '-'}`,
        `started    ${formatTime(run.startTime)}   ended ${formatTime(run.endTime)}   attempts ${run.attempts}`,
        `seed ${run.seed ?? '-'}   backend ${run.backend ?? '-'}   host ${run.host ?? '-'}   commit ${run.gitCommit?.slice(0, 10) ?? '-'}`,
      ];
      if (run.worker) out.push(`held by    ${run.worker.name} (pid ${run.worker.pid} on ${run.worker.host})`);
      if (run.gridId)
        out.push(`grid       ${run.gridId} cell ${run.cellIndex} ${JSON.stringify(run.cellParams)}`);
      const scalarParams = Object.entries(params).filter(([, v]) => v === null || typeof v !== 'object');
      if (scalarParams.length)
        out.push('', 'params', ...scalarParams.map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`));
      if (Object.keys(tags).length)
        out.push('', 'tags', ...Object.entries(tags).map(([k, v]) => `  ${k} = ${v}`));
      if (metrics.length) {
        out.push(
          '',
          formatTable(
            ['stage', 'metric', 'latest', 'step', 'min', 'max', 'rows'],
            metrics.map((m) => [
              m.stage,
              m.key,
              formatValue(m.latest),
              String(m.latestStep),
              formatValue(m.min),
              formatValue(m.max),
              String(m.count),
            ]),
          ),
        );
      }
      if (checkpoints.length) {
        out.push(
          '',
          formatTable(
            ['stage', 'step', 'best', 'metrics', 'path'],
            checkpoints.map((c) => [
              c.stage,
              String(c.step),
              c.isBest ? '*' : '',
              Object.entries(c.metrics)
                .map(([k, v]) => `${k}=${formatValue(v)}`)
                .join(' '),
              c.path,
            ]),
          ),
        );
      }
      if (artifacts.length)
        out.push('', `artifacts  ${artifacts.length} (latest: ${artifacts.at(-1)!.path})`);
      for (const note of notes) out.push(`note ${formatTime(note.createdAt)}: ${note.text}`);
      process.stdout.write(`${out.join('\n')}\n`);
    } finally {
      store.close();
    }
  },
});

export const runsCommand: CommandModule = {
  command: 'runs <command>',
  describe: 'tracked runs: list, show',
  builder: (y: Argv) => y.command(listCommand).command(showCommand).demandCommand(1),
  handler: () => {},
};
