// `ugp demo --quick` end to end through the real binary: priors, the 2×2 grid in two worker
// processes, held-out evaluation, dashboard, results table; and a second run reuses it all.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@ugpnet/store';
import { runNode } from '@ugpnet/test-support';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/ugp.js', import.meta.url));

interface DemoJson {
  rows: {
    runId: string;
    cell: string;
    status: string;
    params: Record<string, string>;
    metrics: Record<string, number>;
  }[];
  dashboard: string;
  gridPage: string;
}

/** Runs the binary without blocking the test worker's event loop (vitest's RPC needs it). */
async function demo(db: string, out: string): Promise<DemoJson> {
  const { code, stdout, stderr } = await runNode(
    BIN,
    ['demo', '--quick', '--db', db, '--out', out, '--json'],
    {
      UGP_BACKEND: 'wasm',
      CI: 'true',
    },
  );
  expect(code, stderr.slice(-3000)).toBe(0);
  return JSON.parse(stdout) as DemoJson;
}

describe('ugp demo --quick', () => {
  it('runs the ablation grid end to end, and a re-run resumes instead of starting over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ugp-demo-'));
    const db = join(dir, 'ugp.db');
    const first = await demo(db, join(dir, 'dash'));
    expect(first.rows).toHaveLength(4);
    const cells = first.rows
      .map((r) => `${r.params['init.regression']}/${r.params['init.generator']}`)
      .sort();
    expect(cells).toEqual([
      'pretrained/pretrained',
      'pretrained/random',
      'random/pretrained',
      'random/random',
    ]);
    for (const row of first.rows) {
      expect(row.status).toBe('finished');
      for (const output of ['I_R', 'I_G', 'I_F']) {
        for (const metric of ['psnr', 'ssim', 'lpips_proxy'])
          expect(Number.isFinite(row.metrics[`${output}/${metric}`])).toBe(true);
      }
    }
    expect(existsSync(first.dashboard)).toBe(true);
    expect(first.gridPage).toMatch(/^file:\/\/.*index\.html#\/grid\/./);
    // Stage 1 depends on R alone: cells with the same R share it (adopted or not, it is identical).
    for (const r of ['pretrained', 'random']) {
      const sameR = first.rows.filter((row) => row.params['init.regression'] === r);
      expect(sameR.map((row) => row.metrics['I_R/psnr'])).toEqual([
        sameR[0]!.metrics['I_R/psnr'],
        sameR[0]!.metrics['I_R/psnr'],
      ]);
    }

    const store = openStore(db, { readonly: true });
    // The test pass saved the first test images in five columns at fusion's best checkpoint.
    for (const row of first.rows) {
      const images = store.listArtifacts(row.runId, { stage: 'fusion', kind: 'test-images' });
      expect(images.length).toBe(4 * 5);
      for (const a of images) expect(existsSync(store.resolvePath(a.path))).toBe(true);
    }
    const priors = store.listRuns({ experiment: 'priors' });
    expect(priors.map((r) => r.status).sort()).toEqual(['finished', 'finished']);
    const runCount = store.listRuns().length;
    store.close();

    const second = await demo(db, join(dir, 'dash'));
    expect(second.rows.map((r) => r.metrics)).toEqual(first.rows.map((r) => r.metrics));
    const after = openStore(db, { readonly: true });
    expect(after.listRuns().length).toBe(runCount);
    after.close();
  }, 900_000);
});
