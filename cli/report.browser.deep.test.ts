/** The review report in a headless browser (Debian's chromium, as CI installs it). */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runReport } from './report.command.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
/** Where the browser test leaves its screenshot (outside the work tree). */
const SCREENSHOT_DIR = join(tmpdir(), 'kd-report-test');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('kd report in a browser', () => {
  // CI installs Debian's chromium (.ci/run); elsewhere the test needs it too, but a
  // developer machine without it skips rather than fails.
  it.skipIf(!existsSync(CHROMIUM) && process.env.CI === undefined)(
    'renders in a headless browser with no console errors, its diagrams visible',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'kd-report-'));
      expect(await runReport({ out, runs: 8, seed: 1 }, root, () => {})).toBe(0);
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      // Self-contained: nothing is fetched from anywhere.
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`);
        });
        await page.goto(`file://${join(out, 'index.html')}`);
        expect(await page.locator('svg.sequence').count()).toBeGreaterThan(0);
        await expect.poll(() => page.locator('svg.sequence').first().isVisible()).toBe(true);
        const box = await page.locator('svg.sequence').first().boundingBox();
        expect(box?.width ?? 0).toBeGreaterThan(300);
        expect(await page.locator('#machines svg').count()).toBe(5);
        // Hovering a step shows its state beside the diagram.
        const finding = page.locator('article.finding').first();
        await finding.locator('g.step').nth(1).hover();
        expect(await finding.locator('.state-panel').textContent()).toMatch(/^step 1 /);
        await finding.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SCREENSHOT_DIR, 'report-finding.png') });
        await page.locator('#matrix').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SCREENSHOT_DIR, 'report-matrix.png') });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
