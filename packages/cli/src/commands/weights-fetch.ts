// `ugp weights fetch lpips|vgg16|vgg19`: official files into the cache (resumable, sha256
// checked, progress bar), or `--from FILE` to import a copy the user already has.
import type { Argv } from 'yargs';
import { command } from '../command.js';
import { printJson } from '../output.js';

interface Args {
  name: 'lpips' | 'vgg16' | 'vgg19';
  from?: string;
  cache?: string;
  force: boolean;
  url?: string;
  json: boolean;
}

export const weightsFetchCommand = command<Args>()({
  command: 'fetch <name>',
  describe: 'download (or import with --from) lpips, vgg16 or vgg19 weights into the cache',
  builder: (y: Argv) =>
    y
      .positional('name', {
        choices: ['lpips', 'vgg16', 'vgg19'] as const,
        demandOption: true,
        describe: 'which weights',
      })
      .option('from', { type: 'string', describe: 'import this local .pth instead of downloading' })
      .option('cache', {
        type: 'string',
        describe: 'cache directory (default: UGP_WEIGHTS_DIR or ~/.cache/ugpnet/weights)',
      })
      .option('force', { type: 'boolean', default: false, describe: 'fetch again even if cached' })
      .option('url', {
        type: 'string',
        describe: 'download from this URL instead of the official one (mirrors)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example('$0 weights fetch lpips', 'LPIPS v0.1 heads and the VGG16 trunk they need')
      .example(
        '$0 weights fetch vgg19 --from ~/Downloads/vgg19-dcbb9e9d.pth',
        'import a file you already have',
      ),
  handler: async (argv) => {
    const { fetchWeights, defaultWeightsDir, WEIGHT_SOURCES } = await import('@ugpnet/losses');
    const { createProgress, UserError } = await import('@ugpnet/core');
    const dir = argv.cache ?? defaultWeightsDir();
    // LPIPS-VGG runs on torchvision's VGG16, so fetching lpips also fetches vgg16.
    const names =
      argv.name === 'lpips' && !argv.from ? (['lpips', 'vgg16'] as const) : ([argv.name] as const);
    if (argv.from && argv.url) throw new UserError('--from and --url exclude each other');
    const results = [];
    for (const name of names) {
      let progress: ReturnType<typeof createProgress> | undefined;
      const result = await fetchWeights(name, {
        dir,
        from: argv.from,
        force: argv.force,
        url: name === argv.name ? argv.url : undefined,
        onProgress: (received, total) => {
          if (!progress) {
            progress = createProgress({ label: WEIGHT_SOURCES[name].file, total: total ?? 0, unit: 'B' });
          }
          progress.update(received);
        },
      }).finally(() => progress?.stop());
      results.push(result);
      if (!argv.json) {
        process.stdout.write(`${name}: ${result.action} → ${result.path}\n`);
        for (const note of result.notes) process.stdout.write(`  ${note}\n`);
      }
    }
    if (argv.json) printJson(results);
  },
});
