import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { CHART_IDS } from '../../src/report/html.js';
import { writeReport } from '../../src/report/write-report.js';
import { writeFixtureRun } from './fixture-run.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install the Debian package 'chromium' (apt-get install chromium) to run this browser check`;

test('the report renders in headless Chromium: every plot drawn, no console errors, no requests but the file', { skip, timeout: 60_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const paths = await writeReport(await writeFixtureRun());
  const url = pathToFileURL(paths.html).href;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const failed: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => failed.push(r.url()));
    // Every request goes through here: the page itself is served, anything else is refused and recorded.
    await page.route('**/*', (route) => {
      const u = route.request().url();
      requests.push(u);
      return u === url ? route.continue() : route.abort('blockedbyclient');
    });
    await page.goto(url, { waitUntil: 'load' });
    assert.deepEqual(requests, [url], 'the only request is the report file');
    assert.deepEqual(failed, []);
    assert.deepEqual(consoleErrors, []);
    for (const id of CHART_IDS) {
      const fig = page.locator(`figure[data-chart="${id}"] > svg`);
      assert.equal(await fig.count(), 1, `${id}: one SVG`);
      const box = await fig.boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `${id}: drawn at a visible size, got ${JSON.stringify(box)}`);
      // Marks are paths, lines, rects, circles or text inside the plot; an empty chart has only its frame.
      const marks = await fig.locator('g.role-mark > *').count();
      assert.ok(marks > 0, `${id}: has rendered marks`);
    }
    assert.match((await page.locator('#model-card h2').textContent()) ?? '', /Model card: transfer/);
    // The guard itself: a page that does reach out is seen and refused, so the checks above can fail.
    await page.setContent('<img src="https://example.org/x.png">', { waitUntil: 'load' });
    assert.ok(requests.includes('https://example.org/x.png'), 'an external request is recorded');
    // deepEqual above narrowed the type to never[]; the array has grown since.
    assert.ok((failed as string[]).includes('https://example.org/x.png'), 'and refused');
  } finally {
    await browser.close();
  }
});
