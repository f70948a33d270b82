// The cost panel and `keyless cost --json` agree, line by line, for the fixture
// configs; the chart has a text alternative; the price date and sources are shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, ROOT } from './harness.mjs';
import { Wizard, fixture, FIXTURES } from './wizard.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const usd = (amount) =>
  '$' + amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function cliCost(name) {
  const out = execFileSync(path.join(ROOT, 'target', 'debug', 'keyless'), [
    'cost', '--config', path.join(FIXTURES, `${name}.json`), '--json',
  ]);
  return JSON.parse(out);
}

for (const name of ['defaults', 'spot', 'arm64', 'large-task', 'explicit-network']) {
  test(`the cost panel equals keyless cost for ${name}`, async () => {
    const expected = cliCost(name);
    const { context, page, foreign } = await openPage(browser, server.origin);
    await page.goto(server.url);
    await new Wizard(page).fill(await fixture(name));
    const panel = page.locator('section.cost');
    await panel.locator('[data-cost="total-monthly"]').waitFor();
    const rows = await panel.locator('tr[data-cost-item]').evaluateAll((trs) =>
      trs.map((tr) => [tr.dataset.costItem, tr.querySelector('[data-cost="monthly"]').textContent]),
    );
    assert.deepEqual(rows, expected.items.map((item) => [item.name, usd(item.monthly)]));
    assert.equal(await panel.locator('[data-cost="total-monthly"]').textContent(), usd(expected.total_monthly));

    const description = await panel.locator('svg.chart desc').textContent();
    for (const item of expected.items) assert.ok(description.includes(`${item.name}: ${usd(item.monthly)}`));
    assert.match(await panel.locator('.sources').textContent(), new RegExp(`as of ${expected.as_of}`));
    assert.equal(await panel.locator('ol.regions li').count(), 5);
    assert.deepEqual(foreign, []);
    await context.close();
  });
}
