import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runUgp } from '../testing/run-ugp.js';

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-cli-dashboard-'));
  db = join(dir, 'ugp.db');
  const store = openStore(db);
  const run = store.createRun({ name: 'demo', experiment: 'demo' });
  store.logMetrics(run.id, 'restoration', 0, { psnr: 20, loss: 1 });
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ugp dashboard', () => {
  it('build writes the site and reports it as JSON', async () => {
    const out = join(dir, 'site');
    const r = await runUgp(['dashboard', 'build', '--db', db, '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ runs: 1, experiments: 1, index: join(out, 'index.html') });
    expect(existsSync(join(out, 'assets', 'chart.umd.min.js'))).toBe(true);
  });

  it('build names a missing store in one line (exit 1)', async () => {
    const r = await runUgp(['dashboard', 'build', '--db', join(dir, 'nope.db'), '--out', join(dir, 'x')]);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/^error: store .*nope\.db does not exist/);
  });

  it('serve listens on 127.0.0.1 until interrupted', async () => {
    const r = await runUgp(['dashboard', 'serve', '--db', db, '--port', '0', '--json'], async (out) => {
      await vi.waitFor(() => expect(out()).toContain('"url"'), { timeout: 5000 });
      const { url } = JSON.parse(out());
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await fetch(`${url}api/data.json`);
      expect((await res.json()).runs[0].name).toBe('demo');
      process.emit('SIGINT');
    });
    expect(r.code).toBe(0);
  });
});
