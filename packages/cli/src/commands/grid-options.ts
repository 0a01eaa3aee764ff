// What the `ugp grid` subcommands share: the grid file positional, the `[ugp]` log line, and a store
// opened for the time of the work.
import type { TrackingStore } from '@ugpnet/store';
import type { Argv } from 'yargs';

export const log = (line: string) => console.error(`[ugp] ${line}`);

export function gridFileArg<T>(y: Argv<T>) {
  return y.positional('file', { type: 'string', demandOption: true, describe: 'grid file (JSON or YAML)' });
}

/** Runs `work` on the store at `db`, stopped at the next safe point by SIGINT/SIGTERM; closes both after. */
export async function withGridStore<T>(
  db: string,
  work: (store: TrackingStore, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { abortOnSignals } = await import('@ugpnet/runner');
  const { openStore } = await import('@ugpnet/store');
  const store = openStore(db);
  const signals = abortOnSignals();
  try {
    return await work(store, signals.signal);
  } finally {
    signals.dispose();
    store.close();
  }
}
