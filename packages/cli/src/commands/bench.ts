// `ugp bench <what>`: speed and memory numbers (never assertions); one table or a JSON array of rows.
import type { Argv, CommandModule } from 'yargs';
import { benchDataCommand } from './bench-data.js';
import { benchKernelsCommand } from './bench-kernels.js';
import { benchLossesCommand } from './bench-losses.js';
import { benchStepCommand } from './bench-step.js';

export const benchCommand: CommandModule = {
  command: 'bench <what>',
  describe: 'benchmarks: print a table (or --json rows {bench, backend, case, metric, value, unit})',
  builder: (y: Argv) =>
    y
      .command(benchKernelsCommand)
      .command(benchDataCommand)
      .command(benchLossesCommand)
      .command(benchStepCommand)
      .demandCommand(1),
  handler: () => {},
};
