/** The review report in a headless browser (Debian's chromium, as CI installs it). */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
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
      const out = tempDir('kd-report-test');
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
        // The summary says what is still open against our design, whatever the campaign found.
        expect(await page.locator('#summary .open-findings').textContent()).toMatch(
          /^No open counterexample against hardened \(\d+ fixed/,
        );
        // No label of a sequence diagram covers another, nor a fault mark.
        expect(await overlappingLabels(page)).toEqual([]);
        // A narrow window: every stage machine still fits its frame (scaled, not cut off).
        await page.setViewportSize({ width: 700, height: 900 });
        expect(await machinesPastTheirFrame(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launch>>['newPage']>>;

/** Pairs of text elements (labels, actions, marks) whose boxes overlap, per diagram. */
const overlappingLabels = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const found: string[] = [];
    for (const svg of document.querySelectorAll('svg.sequence')) {
      const boxes = [...svg.querySelectorAll('text')].map((t) => ({
        text: t.textContent ?? '',
        r: t.getBoundingClientRect(),
      }));
      boxes.forEach((a, i) => {
        for (const b of boxes.slice(i + 1)) {
          const apart =
            a.r.right <= b.r.left + 0.5 ||
            b.r.right <= a.r.left + 0.5 ||
            a.r.bottom <= b.r.top + 0.5 ||
            b.r.bottom <= a.r.top + 0.5;
          if (!apart) found.push(`${svg.closest('article')?.id}: "${a.text}" / "${b.text}"`);
        }
      });
    }
    return found;
  });

/** Stage machines whose drawing runs past the right edge of its frame. */
const machinesPastTheirFrame = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('#machines .machine')].flatMap((frame) => {
      const svg = frame.querySelector('svg')?.getBoundingClientRect();
      return svg && svg.right > frame.getBoundingClientRect().right + 0.5 ? [frame.id] : [];
    }),
  );
