// The `ugp` command line. Command modules import nothing heavy at load time (tfjs, sqlite,
// sharp are imported inside handlers), so `ugp --help` starts fast.
import yargs from 'yargs';
import { commands } from './commands/index.js';
import { reportFailure } from './failure.js';

export async function main(args: string[]): Promise<number> {
  let failure: number | undefined;
  const parser = yargs(args)
    .scriptName('ugp')
    .usage(
      '$0 <command> [options]\n\nUGPNet: train, track and compare restoration / synthesis / fusion stages.',
    )
    .option('backend', {
      type: 'string',
      choices: ['auto', 'node-gpu', 'node', 'wasm', 'cpu'],
      describe: 'compute backend (default: UGP_BACKEND or auto: node-gpu → node → wasm → cpu)',
      global: true,
    })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'print stack traces on errors',
      global: true,
    })
    .command(commands)
    .demandCommand(1, 'name a command (see ugp --help)')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, err) => {
      if (err) throw err;
      console.error(`error: ${message}\n(see ugp --help)`);
      failure = 1;
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    return reportFailure(err, args.includes('--verbose'));
  }
  return failure ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
}
