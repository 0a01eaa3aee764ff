// `ugp grid run --workers N`: N worker processes, each claiming runs until none is left. Each worker
// can be pinned to one GPU through CUDA_VISIBLE_DEVICES; a worker that crashes while work remains is
// restarted (its run is taken over by the next claim); SIGINT/SIGTERM are forwarded so workers can
// mark their runs killed.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface WorkerCommand {
  file: string;
  args: string[];
}

export interface WorkerPoolOptions {
  workers: number;
  /** How to start worker `index` (e.g. `node ugp.js grid worker FILE --db …`). */
  command: (index: number) => WorkerCommand;
  /** GPU ids; worker i gets CUDA_VISIBLE_DEVICES = gpus[i % gpus.length]. Default: leave it alone. */
  gpus?: string[];
  env?: NodeJS.ProcessEnv;
  /** Restarts per worker slot after a crash (non-zero exit) while `hasWork()` (default 2). */
  maxRestarts?: number;
  /** Whether claimable runs remain (checked before restarting a crashed worker). */
  hasWork?: () => boolean;
  /** Where worker output goes (default: this process's stdout/stderr, prefixed `[wI] `). */
  output?: (index: number, line: string, stream: 'stdout' | 'stderr') => void;
  /** After forwarding a signal, SIGKILL workers still alive after this long (default 60 s). */
  killGraceMs?: number;
  /** Forward SIGINT/SIGTERM received by this process (default true). */
  forwardSignals?: boolean;
  /** Called with each started worker process (tests use it to kill one). */
  onSpawn?: (index: number, child: ChildProcess) => void;
}

export interface WorkerExit {
  index: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  restarts: number;
}

/** GPU ids from a comma-separated list (`--gpus 0,1`); undefined when it names none. */
export function gpuList(value: string | undefined): string[] | undefined {
  const ids = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return ids?.length ? ids : undefined;
}

/** GPU ids from CUDA_VISIBLE_DEVICES (undefined when unset, empty or hiding all devices). */
export function gpusFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const value = env.CUDA_VISIBLE_DEVICES?.trim();
  if (!value || value === '-1' || value === 'NoDevFiles') return undefined;
  return gpuList(value);
}

export function runWorkerPool(options: WorkerPoolOptions): Promise<WorkerExit[]> {
  const count = Math.floor(options.workers);
  if (!(count >= 1)) throw new RangeError(`--workers must be at least 1, got ${options.workers}`);
  const maxRestarts = options.maxRestarts ?? 2;
  const output =
    options.output ??
    ((index: number, line: string, stream: 'stdout' | 'stderr') =>
      (stream === 'stdout' ? process.stdout : process.stderr).write(`[w${index}] ${line}\n`));
  const children = new Map<number, ChildProcess>();
  const exits: WorkerExit[] = [];
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;

  return new Promise((resolve, reject) => {
    const forward = (sig: NodeJS.Signals) => {
      stopping = true;
      for (const child of children.values()) child.kill(sig);
      killTimer ??= setTimeout(() => {
        for (const child of children.values()) child.kill('SIGKILL');
      }, options.killGraceMs ?? 60_000);
      killTimer.unref();
    };
    const forwardSignals = options.forwardSignals ?? true;
    if (forwardSignals) {
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
    }
    const finish = () => {
      if (killTimer) clearTimeout(killTimer);
      if (forwardSignals) {
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
      }
      resolve(exits.sort((a, b) => a.index - b.index));
    };

    const start = (index: number, restarts: number) => {
      const { file, args } = options.command(index);
      const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, UGP_WORKER_INDEX: String(index) };
      if (options.gpus?.length) env.CUDA_VISIBLE_DEVICES = options.gpus[index % options.gpus.length];
      let child: ChildProcess;
      try {
        child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        reject(err);
        return;
      }
      children.set(index, child);
      options.onSpawn?.(index, child);
      createInterface({ input: child.stdout! }).on('line', (line) => output(index, line, 'stdout'));
      createInterface({ input: child.stderr! }).on('line', (line) => output(index, line, 'stderr'));
      child.on('error', (err) => output(index, `could not start worker: ${err.message}`, 'stderr'));
      child.on('close', (code, signal) => {
        children.delete(index);
        const crashed = code !== 0;
        if (crashed && !stopping && restarts < maxRestarts && (options.hasWork?.() ?? false)) {
          output(index, `worker exited (${signal ?? `code ${code}`}); restarting`, 'stderr');
          start(index, restarts + 1);
          return;
        }
        exits.push({ index, code, signal, restarts });
        if (children.size === 0) finish();
      });
    };

    for (let i = 0; i < count; i++) start(i, 0);
  });
}
