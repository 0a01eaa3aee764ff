// What every `ugp grid` subcommand shares: the grid file positional and the `[ugp]` log line.
import type { Argv } from 'yargs';

export const log = (line: string) => console.error(`[ugp] ${line}`);

export function gridFileArg<T>(y: Argv<T>) {
  return y.positional('file', { type: 'string', demandOption: true, describe: 'grid file (JSON or YAML)' });
}
