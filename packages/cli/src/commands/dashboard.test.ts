import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../index.js';

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

/** Runs `ugp …` in-process and returns its exit code and stdout. */
async function ugp(args: string[], whileRunning?: (out: () => string) => Promise<void>) {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = main(args);
    if (whileRunning) await whileRunning(() => out);
    return { code: await code, out, errors: error.mock.calls.map((c) => c.join(' ')) };
  } finally {
    write.mockRestore();
    error.mockRestore();
  }
}

describe('ugp dashboard', () => {
  it('build writes the site and reports it as JSON', async () => {
    const out = join(dir, 'site');
    const r = await ugp(['dashboard', 'build', '--db', db, '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ runs: 1, experiments: 1, index: join(out, 'index.html') });
    expect(existsSync(join(out, 'assets', 'chart.umd.min.js'))).toBe(true);
  });

  it('build names a missing store in one line (exit 1)', async () => {
    const r = await ugp(['dashboard', 'build', '--db', join(dir, 'nope.db'), '--out', join(dir, 'x')]);
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/^error: store .*nope\.db does not exist/);
  });

  it('serve listens on 127.0.0.1 until interrupted', async () => {
    const r = await ugp(['dashboard', 'serve', '--db', db, '--port', '0', '--json'], async (out) => {
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
