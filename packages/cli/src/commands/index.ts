// Every top-level `ugp` command, registered explicitly (one import per noun).
import type { CommandModule } from 'yargs';
import { benchCommand } from './bench.js';
import { bestCommand } from './best.js';
import { dashboardCommand } from './dashboard.js';
import { dataCommand } from './data.js';
import { dbCommand } from './db.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { evalCommand } from './eval.js';
import { gridCommand } from './grid.js';
import { modelsCommand } from './models.js';
import { restoreCommand } from './restore.js';
import { resumeCommand } from './resume.js';
import { runsCommand } from './runs.js';
import { trainCommand } from './train.js';
import { weightsCommand } from './weights.js';

// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argv types.
export const commands: CommandModule<any, any>[] = [
  benchCommand,
  bestCommand,
  dashboardCommand,
  dataCommand,
  dbCommand,
  demoCommand,
  doctorCommand,
  evalCommand,
  gridCommand,
  modelsCommand,
  restoreCommand,
  resumeCommand,
  runsCommand,
  trainCommand,
  weightsCommand,
];
