// One typed way to declare a yargs command: `Args` (what the handler reads) is checked against the
// options the builder declares — the builder's inferred argv must fit `Args` — so the two cannot
// drift apart, and no command casts its builder (yargs cannot relate the two types itself).
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

export interface CommandSpec<Args, Built extends Args> {
  command: string | readonly string[];
  /** false: a hidden command (e.g. a worker process another command starts). */
  describe: string | false;
  aliases?: string | readonly string[];
  builder: (y: Argv) => Argv<Built>;
  handler: (argv: ArgumentsCamelCase<Args>) => void | Promise<void>;
}

/** `command<Args>()({ command, describe, builder, handler })`: a CommandModule whose builder fits Args. */
export function command<Args>() {
  return <Built extends Args>(spec: CommandSpec<Args, Built>): CommandModule<object, Args> =>
    spec as unknown as CommandModule<object, Args>;
}
