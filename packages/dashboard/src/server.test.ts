import { createHash } from 'node:crypto';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactUrl } from './artifact-urls.js';
import { type DashboardServer, pathSegments, serveDashboard } from './server.js';
import { type FilledStore, fillStore } from './testing/fill-store.js';

const SECRET = 'TOP-SECRET-do-not-serve';

let dir: string;
let filled: FilledStore;
let server: DashboardServer;
let sampleUrl: string;
let dbHash: string;

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A raw request: the path goes on the wire exactly as written (fetch would normalise it). */
function get(path: string, options: { method?: string; host?: string } = {}) {
  return new Promise<{ status: number; type: string | undefined; body: string }>((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${server.port}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode!,
            type: res.headers['content-type'],
            body: Buffer.concat(chunks).toString('latin1'),
          }),
        );
      },
    );
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-dash-server-'));
  filled = fillStore(dir);
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  // A recorded "artifact" that is a symlink out of its folder, and one that is the secret itself.
  const run = filled.gridRuns[0]!;
  const folder = join(dir, 'samples', run.id.slice(0, 8));
  symlinkSync(join(dir, 'secret.txt'), join(folder, 'leak.png'));
  const writer = openStore(filled.db);
  writer.logArtifact({
    runId: run.id,
    stage: 'restoration',
    step: 1000,
    kind: 'samples',
    path: join(folder, 'leak.png'),
  });
  writer.close();
  sampleUrl = `/${artifactUrl(join(folder, 'restoration-500.png'))}`;
  dbHash = sha(filled.db);
  server = await serveDashboard({ db: filled.db, port: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serveDashboard', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('serves the page, the data, the assets and recorded artifacts', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<meta name="ugp-poll" content="api/data.json"');
    expect((await get('/assets/chart.umd.min.js')).body).toContain('Chart');
    expect((await get('/assets/app.js')).type).toContain('text/javascript');
    const data = await get('/data.js');
    expect(data.body.startsWith('window.UGP_DATA = {')).toBe(true);
    const sample = await get(sampleUrl);
    expect(sample.status).toBe(200);
    expect(sample.type).toBe('image/png');
    expect(sample.body.slice(1, 4)).toBe('PNG');
  });

  it('answers a poll with 204 when nothing changed and with the snapshot otherwise', async () => {
    const first = await get('/api/data.json');
    const data = JSON.parse(first.body);
    expect(data.live).toBe(true);
    expect(data.runs).toHaveLength(13);
    expect((await get(`/api/data.json?since=${data.version}`)).status).toBe(204);
    expect((await get('/api/data.json?since=stale')).status).toBe(200);
  });

  it('serves no file outside its assets and recorded artifacts (path traversal)', async () => {
    const key = sampleUrl.split('/')[2];
    const attempts = [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/../../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets\\..\\..\\package.json',
      '/assets//etc/passwd',
      '/assets/style.css%00.png',
      '/assets/index.ts',
      '/assets/../src/server.ts',
      '//etc/passwd',
      '/etc/passwd',
      '/ugp.db',
      '/secret.txt',
      `/artifacts/${key}/..%2f..%2fsecret.txt`,
      `/artifacts/${key}/%2e%2e`,
      `/artifacts/${key}/../../secret.txt`,
      `/artifacts/${key}/leak.png`,
      '/artifacts/../ugp.db',
      `/artifacts/${key}`,
      '/samples/../secret.txt',
      `/${artifactUrl(join(dir, 'secret.txt'))}`,
      `/${artifactUrl(join(dir, 'samples', filled.gridRuns[0]!.id.slice(0, 8), 'leak.png'))}`,
      '/%ff%fe',
    ];
    for (const path of attempts) {
      const res = await get(path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toContain('SQLite format');
    }
    expect(pathSegments('/a/%2e%2e/b')).toBeUndefined();
    expect(pathSegments('/assets/app.js?x=1')).toEqual(['assets', 'app.js']);
  });

  it('answers only GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect((await get('/api/data.json', { method })).status, method).toBe(405);
    }
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses foreign Host headers on a loopback bind (DNS rebinding)', async () => {
    expect((await get('/data.js', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get('/data.js', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('opens the store read-only and never writes it', async () => {
    expect(server.store.readonly).toBe(true);
    expect(() => server.store.logMetric(filled.demoRunId, 'restoration', 'loss', 1, 999)).toThrow(
      /readonly/i,
    );
    for (let i = 0; i < 3; i++) await get('/api/data.json');
    expect(sha(filled.db)).toBe(dbHash);
  });

  it('refuses a store that does not exist and a port in use', async () => {
    await expect(serveDashboard({ db: join(dir, 'nope.db'), port: 0 })).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining('does not exist'),
    });
    await expect(serveDashboard({ db: filled.db, port: server.port })).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining(`--port ${server.port} is in use`),
    });
  });
});
