// The `ugp` command line. Command modules import nothing heavy at load time (tfjs, sqlite,
// sharp are imported inside handlers), so `ugp --help` starts fast.
import yargs from 'yargs';
import { commands } from './commands/index.js';
import { reportFailure } from './failure.js';

/** A command line yargs rejected (unknown flag, missing or invalid value); its message on one line. */
class ParseError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' ').trim());
  }
}

export async function main(args: string[]): Promise<number> {
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
      // Throwing stops yargs here: a parse error must not run the command.
      throw err ?? new ParseError(message);
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    if (err instanceof ParseError) {
      console.error(`error: ${err.message} (see ugp --help)`);
      return 1;
    }
    return reportFailure(err, args.includes('--verbose'));
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
