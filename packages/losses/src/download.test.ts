import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '@ugpnet/core';
import { downloadFile } from './download.js';

// A small deterministic "weights file" served from 127.0.0.1 with Range support; `/drop`
// closes the connection after ~40 % of the body on its first request.
const body = Buffer.alloc(300_000);
for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 8)) & 0xff;
const sha = createHash('sha256').update(body).digest('hex');

let server: Server;
let base = '';
let dir = '';
const requests: string[] = [];
let dropped = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-dl-'));
  server = createServer((req, res) => {
    const range = req.headers.range;
    requests.push(`${req.url} ${range ?? '-'}`);
    if (req.url === '/missing') {
      res.writeHead(404).end();
      return;
    }
    const start = range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    const slice = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': slice.length,
      ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (req.url === '/drop' && !dropped) {
      dropped = true;
      res.write(slice.subarray(0, 120_000), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(slice);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('downloadFile', () => {
  it('downloads, reports progress and checks the full sha256', async () => {
    const seen: number[] = [];
    const dest = join(dir, 'ok.pth');
    const result = await downloadFile({
      url: `${base}/ok`,
      dest,
      sha256: sha,
      onProgress: (received, total) => {
        expect(total).toBe(body.length);
        seen.push(received);
      },
    });
    expect(result).toMatchObject({ sha256: sha, bytes: body.length, attempts: 1 });
    expect(seen.at(-1)).toBe(body.length);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('rejects a wrong checksum (or prefix) and deletes the partial file', async () => {
    const dest = join(dir, 'bad.pth');
    await expect(downloadFile({ url: `${base}/ok`, dest, sha256Prefix: 'deadbeef' })).rejects.toThrow(
      /checksum mismatch/,
    );
    await expect(downloadFile({ url: `${base}/ok`, dest, sha256: '0'.repeat(64) })).rejects.toBeInstanceOf(
      UserError,
    );
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
    // The right prefix passes.
    await downloadFile({ url: `${base}/ok`, dest, sha256Prefix: sha.slice(0, 8) });
    expect(existsSync(dest)).toBe(true);
  });

  it('resumes after a dropped connection with a Range request', async () => {
    const dest = join(dir, 'drop.pth');
    requests.length = 0;
    const result = await downloadFile({ url: `${base}/drop`, dest, sha256: sha, retryDelayMs: 10 });
    expect(result.attempts).toBe(2);
    expect(requests[0]).toBe('/drop -');
    expect(requests[1]).toMatch(/^\/drop bytes=\d+-$/);
    expect(Number(/bytes=(\d+)-/.exec(requests[1]!)![1])).toBeGreaterThan(0);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('resumes a .part left by an earlier run', async () => {
    const dest = join(dir, 'earlier.pth');
    writeFileSync(`${dest}.part`, body.subarray(0, 1000));
    requests.length = 0;
    await downloadFile({ url: `${base}/ok`, dest, sha256: sha });
    expect(requests).toEqual(['/ok bytes=1000-']);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('reports an HTTP error as a user error', async () => {
    await expect(downloadFile({ url: `${base}/missing`, dest: join(dir, 'm.pth') })).rejects.toThrow(
      /HTTP 404/,
    );
  });
});
