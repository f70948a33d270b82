// The page before its wasm (issue 15): index.html's static frame (header, intro,
// the steps' names, footer) is painted without the wasm, and the app mounting
// into it moves nothing: every element of the frame keeps its box, and Chromium
// records no layout shift (CLS 0), at phone and desktop widths. Screenshots of
// the frame alone go to target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, OUTPUT } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  await mkdir(OUTPUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const WIDTHS = [[1280, 900], [375, 812]];
const STEPS = ['GitHub', 'AWS', 'App', 'Traffic', 'Network', 'Review'];
/** What the frame paints above the fold, and so what must not move when the app
 * arrives. The footer is painted too, but below the fold (the app's container is
 * at least a screen tall), where the app pushes it further down unseen. */
const FRAME = ['header.site h1', '.theme select', '.tagline', 'details.intro summary', 'nav[aria-label="Steps"]', '.steps button'];

/** The boxes of every FRAME element, by selector (one list per selector). */
async function boxes(page) {
  return page.evaluate((selectors) => Object.fromEntries(selectors.map((s) => [s,
    [...document.querySelectorAll(s)].map((e) => {
      const r = e.getBoundingClientRect();
      return [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 10) / 10);
    })])), FRAME);
}

/** Layout shifts Chromium reports for this page, from its very start. */
async function recordLayoutShifts(page) {
  await page.addInitScript(() => {
    window.layoutShifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.layoutShifts.push({ value: entry.value, recent: entry.hadRecentInput });
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

for (const [width, height] of WIDTHS) {
  test(`${width} px: the frame is painted without the wasm, and the app arriving moves nothing (CLS 0)`, async () => {
    const { context, page, errors } = await openPage(browser, server.origin, { viewport: { width, height } });
    await recordLayoutShifts(page);
    // Hold the wasm back until the frame has been measured.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await context.route('**/*.wasm', async (route) => { await held; await route.continue(); });

    await page.goto(server.url);
    await page.locator('header.site h1').waitFor();
    assert.equal(await page.locator('header.site h1').textContent(), 'Keyless');
    assert.match(await page.locator('.tagline').textContent(), /Nothing you type leaves this page/);
    assert.deepEqual(await page.locator('.steps .step-title').allTextContents(), STEPS, 'the steps\' names are in the frame');
    assert.match(await page.locator('footer.site').textContent(), /runs entirely in your browser/);
    assert.equal(await page.locator('#field-github_owner').count(), 0, 'the app has not mounted yet');
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('.wasm') && r.responseEnd > 0)), false,
      'the first contentful paint came while the wasm was still held back');
    const footerTop = await page.locator('footer.site').evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(footerTop >= height, `the footer starts below the fold (${footerTop} px)`);
    const before = await boxes(page);
    for (const [selector, list] of Object.entries(before)) assert.ok(list.length > 0, `${selector} is in the frame`);
    await page.screenshot({ path: path.join(OUTPUT, `frame-before-wasm-${width}.png`) });

    release();
    await page.locator('#field-github_owner').waitFor();
    await page.getByRole('heading', { name: 'Your files' }).waitFor({ state: 'attached' });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.deepEqual(await boxes(page), before, 'every element of the frame keeps its box');
    assert.deepEqual(
      await page.locator('.steps button').evaluateAll((bs) => bs.map((b) => b.dataset.progress)),
      ['current', 'todo', 'todo', 'todo', 'todo', 'todo'],
      'the app\'s stepper is the frame\'s, now live',
    );
    const shifts = await page.evaluate(() => window.layoutShifts.filter((s) => !s.recent));
    assert.deepEqual(shifts, [], 'no layout shift (CLS 0)');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the frame\'s controls work once the app is there: the theme select, the skip link and the intro link', async () => {
  const { context, page } = await openPage(browser, server.origin);
  await page.goto(server.url);
  await page.locator('#field-github_owner').waitFor();
  await page.getByLabel('Theme').selectOption('dark');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.reload();
  await page.locator('#field-github_owner').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'the theme is remembered');
  assert.equal(await page.getByLabel('Theme').inputValue(), 'dark');

  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'wizard-title');
  assert.doesNotMatch(page.url(), /#wizard$/, 'the share link in the address bar is kept');
  await context.close();
});
