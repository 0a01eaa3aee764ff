// Drives Debian's chromium (apt-get install chromium; no browser download) through playwright-core for the
// page tests: headless, sandbox off (CI containers run as root), a fresh profile per launch.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.UGP_CHROMIUM ?? '/usr/bin/chromium';

/** Where tests keep screenshots (git-ignored). */
export const TEST_ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (or set UGP_CHROMIUM)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'ugp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new page that records console errors, uncaught exceptions and failed requests. */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  return { page, errors };
}

export function screenshotPath(name: string): string {
  mkdirSync(TEST_ARTIFACTS, { recursive: true });
  return join(TEST_ARTIFACTS, name);
}
