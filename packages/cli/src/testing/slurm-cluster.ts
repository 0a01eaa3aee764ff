// A throw-away single-node Slurm cluster for the `grid submit` tests: munge with a generated key and
// slurmctld + slurmd as root (Debian's slurm-wlm), every file in one temp folder, stopped by their pid
// files. Slurm commands reach it through SLURM_CONF (see `env`).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SlurmCluster {
  dir: string;
  /** Environment for sbatch/squeue/scancel and for ugp commands that call them. */
  env: NodeJS.ProcessEnv;
  stop: () => void;
}

const DAEMONS = ['slurmctld', 'slurmd', 'munged'] as const;

function which(command: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')]) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** Why this machine cannot start the test cluster; undefined when it can. */
export function slurmUnavailable(): string | undefined {
  const missing = DAEMONS.filter((d) => !which(d));
  if (missing.length) return `${missing.join(', ')} not installed (apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return 'slurmd must run as root';
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

export async function startSlurmCluster(cpus: number): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ugp-slurm-cluster-'));
  chmodSync(dir, 0o755);
  const munge = join(dir, 'munge');
  mkdirSync(munge, { mode: 0o700 });
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub));
  const key = join(munge, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = join(munge, 'munge.socket');
  const pidFiles = {
    munged: join(munge, 'munged.pid'),
    slurmctld: join(dir, 'slurmctld.pid'),
    slurmd: join(dir, 'slurmd.pid'),
  };
  const stop = () => {
    // Daemons by their pid files only, the cluster's own; slurmd first so no job outlives it.
    for (const daemon of ['slurmd', 'slurmctld', 'munged'] as const) {
      const file = pidFiles[daemon];
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 1) continue;
      try {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 50 && alive(pid); i++) execFileSync('sleep', ['0.1']);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync(which('munged')!, [
      '--force',
      `--key-file=${key}`,
      `--socket=${socket}`,
      `--pid-file=${pidFiles.munged}`,
      `--log-file=${join(munge, 'munged.log')}`,
      `--seed-file=${join(munge, 'munged.seed')}`,
    ]);
    const host = hostname();
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const conf = join(dir, 'slurm.conf');
    writeFileSync(
      conf,
      [
        'ClusterName=ugptest',
        `SlurmctldHost=${host}(127.0.0.1)`,
        'SlurmUser=root',
        'SlurmdUser=root',
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${socket}`,
        'MpiDefault=none',
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'ReturnToService=2',
        // scancel: SIGTERM, then SIGKILL this many seconds later (the task checkpoints in between).
        'KillWait=30',
        `StateSaveLocation=${join(dir, 'state')}`,
        `SlurmdSpoolDir=${join(dir, 'spool')}`,
        `SlurmctldPidFile=${pidFiles.slurmctld}`,
        `SlurmdPidFile=${pidFiles.slurmd}`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
        `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
        'JobCompType=jobcomp/none',
        'AccountingStorageType=accounting_storage/none',
        `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
        'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SLURM_CONF: conf };
    execFileSync(which('slurmctld')!, ['-f', conf, '-i'], { env });
    execFileSync(which('slurmd')!, ['-f', conf], { env });
    // Up when the node is idle.
    for (let i = 0; ; i++) {
      const state = spawnSync('sinfo', ['--noheader', '--format=%t'], {
        env,
        encoding: 'utf8',
      }).stdout.trim();
      if (state === 'idle') break;
      if (i > 100)
        throw new Error(`the test Slurm cluster did not come up (node state '${state}'), see ${dir}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { dir, env, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of these jobs is in the queue (bounded). */
export async function waitForJobs(env: NodeJS.ProcessEnv, jobs: string[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const out = spawnSync('squeue', ['--noheader', '--jobs', jobs.join(','), '--format=%i %r'], {
      env,
      encoding: 'utf8',
    }).stdout.trim();
    if (!out) return;
    if (out.includes('DependencyNeverSatisfied'))
      throw new Error(`Slurm jobs can never start (a job they depend on failed):\n${out}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`Slurm jobs ${jobs.join(',')} still queued after ${timeoutMs / 1000} s`);
}

/** "name id: run time" of each job and array task Slurm still remembers (for the test's report). */
export function jobRunTimes(env: NodeJS.ProcessEnv, jobs: string[]): string[] {
  const out = jobs
    .map((job) => spawnSync('scontrol', ['--oneliner', 'show', 'job', job], { env, encoding: 'utf8' }).stdout)
    .join('\n');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S+)`).exec(line)?.[1] ?? '?';
      const task = field('ArrayTaskId');
      const id = task === '?' ? field('JobId') : `${field('ArrayJobId')}_${task}`;
      return `${field('JobName')} ${id}: ${field('JobState')} ${field('RunTime')}`;
    });
}
