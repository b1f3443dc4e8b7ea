// Headless Debian chromium driven by playwright-core (never a downloaded browser). Screenshots go to
// tests/e2e/test-artifacts/ (git ignores it).
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './harness.mjs';

export const artifactsDir = join(repoRoot, 'tests', 'e2e', 'test-artifacts');

function chromiumPath() {
  const candidates = [process.env.ACTORS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('Debian chromium is not installed: scripts/test.sh installs it (apt-get install -y chromium)');
  return found;
}

/** Launches headless chromium; close it with `await browser.close()` in an after hook. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
      '--metrics-recording-only',
    ],
  });
}

/**
 * A fresh browser context (its own storage: one context per signed-in user) whose page failures
 * are collected, so a test can assert there were none.
 */
export async function newPage(browser, baseURL) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return { context, page, errors };
}

/** Saves a full-page screenshot as test-artifacts/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
