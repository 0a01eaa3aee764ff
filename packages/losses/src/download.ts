// Resumable HTTP(S) download with a sha256 check: bytes go to `<dest>.part`; a dropped
// connection resumes from its length with a Range request; the file is renamed into place
// only after its checksum matched.
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { UserError } from '@ugpnet/core';

export interface DownloadOptions {
  url: string;
  dest: string;
  /** Full sha256 (hex) the file must have. */
  sha256?: string;
  /** Leading hex digits of the sha256 (torchvision names files by the first 8). */
  sha256Prefix?: string;
  /** Called as bytes arrive; total is undefined when the server sends no length. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Attempts after a dropped connection (default 5). */
  retries?: number;
  /** Wait before retrying, ms (default 1000). */
  retryDelayMs?: number;
  /** Abort one attempt after this long without data, ms (default 60 000). */
  stallTimeoutMs?: number;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
  /** Attempts it took (1 = no resume). */
  attempts: number;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** One GET from `offset`; resolves when the body ended, rejects when the connection broke. */
async function attempt(options: DownloadOptions, part: string, offset: number): Promise<number | undefined> {
  const controller = new AbortController();
  const stall = options.stallTimeoutMs ?? 60_000;
  let timer = setTimeout(() => controller.abort(), stall);
  try {
    const res = await fetch(options.url, {
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      redirect: 'follow',
      signal: controller.signal,
    });
    if (res.status === 416) {
      // Our part file is at least as long as the resource: start over.
      rmSync(part, { force: true });
      throw new RetryableError('server rejected the resume range; restarting');
    }
    if (!res.ok || !res.body) {
      const error = `${options.url}: HTTP ${res.status} ${res.statusText}`;
      if (res.status >= 500) throw new RetryableError(error);
      throw new UserError(error);
    }
    const resumed = res.status === 206;
    if (!resumed) offset = 0; // the server ignored Range: rewrite from the start
    const total = totalOf(res, offset);
    const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
    let received = offset;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(timer);
        timer = setTimeout(() => controller.abort(), stall);
        if (!out.write(chunk)) await once(out, 'drain');
        received += chunk.byteLength;
        options.onProgress?.(received, total);
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    return total;
  } finally {
    clearTimeout(timer);
  }
}

function totalOf(res: Response, offset: number): number | undefined {
  const range = res.headers.get('content-range');
  const m = range ? /\/(\d+)\s*$/.exec(range) : null;
  if (m) return Number(m[1]);
  const length = res.headers.get('content-length');
  return length ? offset + Number(length) : undefined;
}

class RetryableError extends Error {}

/** Downloads `url` to `dest` (resuming a previous `.part`), then checks its sha256. */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const part = `${options.dest}.part`;
  mkdirSync(dirname(options.dest), { recursive: true });
  const retries = options.retries ?? 5;
  let attempts = 0;
  for (;;) {
    attempts++;
    const offset = sizeOf(part);
    let total: number | undefined;
    let failure: unknown;
    try {
      total = await attempt(options, part, offset);
    } catch (err) {
      if (err instanceof UserError) throw err;
      failure = err;
    }
    const size = sizeOf(part);
    if (failure === undefined && (total === undefined || size === total)) break;
    if (attempts > retries) {
      const why = failure instanceof Error ? failure.message : `got ${size} of ${total} bytes`;
      throw new UserError(
        `${options.url}: download failed after ${attempts} attempts (${why}); run the command again to resume from ${part}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000));
  }
  const sha256 = await sha256File(part);
  const expected = options.sha256?.toLowerCase();
  const prefix = options.sha256Prefix?.toLowerCase();
  if ((expected && sha256 !== expected) || (prefix && !sha256.startsWith(prefix))) {
    rmSync(part, { force: true });
    throw new UserError(
      `${options.url}: checksum mismatch — sha256 ${sha256}, expected ${expected ?? `${prefix}…`}; the partial file was deleted`,
    );
  }
  renameSync(part, options.dest);
  return { path: options.dest, sha256, bytes: sizeOf(options.dest), attempts };
}
