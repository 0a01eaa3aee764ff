// `ugp db merge A.db B.db … --into ugp.db`: fold stores written elsewhere (e.g. one per SLURM task)
// into one, without duplicates.
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { Argv, CommandModule } from 'yargs';
import { command } from '../command.js';
import { printJson } from '../output.js';

interface MergeArgs {
  sources: string[];
  into: string;
  json: boolean;
}

const mergeCommand = command<MergeArgs>()({
  command: 'merge <sources..>',
  describe: 'merge stores into one; a run present in both keeps the copy that got further',
  builder: (y: Argv) =>
    y
      .positional('sources', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'stores to merge in',
      })
      .option('into', {
        type: 'string',
        default: DEFAULT_STORE_PATH,
        describe: 'store to merge into (created if new)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the merge report as JSON' })
      .example(
        `$0 db merge experiments/slurm/ablation/cell-*.db --into ${DEFAULT_STORE_PATH}`,
        'fold SLURM task stores back',
      ),
  handler: async (argv) => {
    const { mergeStores } = await import('@ugpnet/store');
    const report = mergeStores(argv.sources, argv.into);
    if (argv.json) {
      printJson(report);
      return;
    }
    const rows = Object.entries(report.rows)
      .filter(([, n]) => n > 0)
      .map(([t, n]) => `${n} ${t}`)
      .join(', ');
    process.stdout.write(
      `merged ${report.sources.length} store(s) into ${report.into}: ${report.runsAdded} runs added, ` +
        `${report.runsReplaced} replaced, ${report.runsSkipped} already up to date${rows ? ` (${rows})` : ''}\n`,
    );
  },
});

export const dbCommand: CommandModule = {
  command: 'db <command>',
  describe: 'tracking store files: merge',
  builder: (y: Argv) => y.command(mergeCommand).demandCommand(1),
  handler: () => {},
};
