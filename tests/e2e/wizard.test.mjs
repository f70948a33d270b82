// The built site end to end, in headless Chromium on 127.0.0.1: the wizard filled by
// label shows exactly the files `keyless generate` writes, the state survives a share
// link and a reload, the zip equals the CLI's bundle, errors are shown where they
// belong, axe-core finds nothing in either theme, and no request leaves the origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, cliBundle, artifactText, OUTPUT, ROOT } from './harness.mjs';
import { Wizard, fixture, FIXTURES } from './wizard.mjs';

let server;
let browser;
const foreignRequests = [];

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  await mkdir(OUTPUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  assert.deepEqual(foreignRequests, [], 'no request left the origin in any test');
});

async function open(options = {}) {
  const session = await openPage(browser, server.origin, options);
  session.page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== server.origin) {
      foreignRequests.push(url);
    }
  });
  return session;
}

for (const name of ['defaults', 'environment', 'secrets-env', 'both', 'arm64', 'explicit-network', 'load-balancer', 'starter-node', 'starter-static']) {
  test(`the wizard filled for ${name} shows every file byte for byte as the CLI writes it`, async () => {
    const config = await fixture(name);
    const expected = await cliBundle(config);
    const { context, page, errors } = await open();
    await page.goto(server.url);
    const wizard = new Wizard(page);
    await wizard.fill(config);
    assert.deepEqual(await wizard.artifacts(), expected);
    assert.equal(await page.locator('.preview').getAttribute('data-stale'), 'false');
    assert.deepEqual(errors, [], 'no error in the console');
    await context.close();
  });
}

test('a share link reproduces the page in a fresh browser, and a reload keeps the state', async () => {
  const config = await fixture('secrets-env');
  const { context, page } = await open();
  await page.goto(server.url);
  const wizard = new Wizard(page);
  await wizard.fill(config);
  const before = await wizard.artifacts();
  const link = page.url();
  assert.match(link, /#/, 'the config is in the fragment');
  assert.equal(new URL(link).search, '', 'nothing in the query string, which servers see');

  const fresh = await open();
  await fresh.page.goto(link);
  await fresh.page.locator('[data-artifact="keyless.json"]').waitFor({ state: 'attached' });
  assert.deepEqual(await new Wizard(fresh.page).artifacts(), before);
  await fresh.context.close();

  await page.goto(server.url); // no fragment: localStorage restores the state
  await page.locator('[data-artifact="keyless.json"]').waitFor({ state: 'attached' });
  assert.deepEqual(await wizard.artifacts(), before);
  await page.reload();
  await page.locator('[data-artifact="keyless.json"]').waitFor({ state: 'attached' });
  assert.deepEqual(await wizard.artifacts(), before);
  await context.close();
});

test('Download all gives a zip whose entries equal the CLI bundle', async () => {
  const config = await fixture('spot');
  const expected = await cliBundle(config);
  const { context, page } = await open({ acceptDownloads: true });
  await page.goto(server.url);
  await new Wizard(page).fill(config);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download all (.zip)' }).click(),
  ]);
  const zipPath = path.join(OUTPUT, 'keyless-bundle.zip');
  await download.saveAs(zipPath);
  // Python's zipfile reads it: the archive is checked by another implementation.
  const listing = execFileSync('python3', ['-c', `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: [z.read(i).decode(), (i.external_attr >> 16) & 0o777] for i in z.infolist()}))
`, zipPath]);
  const entries = JSON.parse(listing);
  assert.deepEqual(Object.fromEntries(Object.entries(entries).map(([p, [text]]) => [p, text])), expected);
  assert.equal(entries['infra/setup.sh'][1], 0o755, 'scripts are executable');
  assert.equal(entries['keyless.json'][1], 0o644);
  await context.close();
});

test('the copy button puts the exact file on the clipboard and says so', async () => {
  const { context, page } = await open({ permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(server.url);
  await new Wizard(page).fill(await fixture('defaults'));
  await page.getByRole('tab', { name: '.github/workflows/deploy.yml' }).click();
  await page.getByRole('button', { name: 'Copy .github/workflows/deploy.yml' }).click();
  await page.getByText('Copied', { exact: true }).waitFor();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clipboard, await artifactText(page, '.github/workflows/deploy.yml'));
  await context.close();
});

test('invalid input: the message is next to the field and in the summary, focus moves there, the preview is marked stale', async () => {
  const { context, page } = await open();
  await page.goto(server.url);
  const wizard = new Wizard(page);
  await wizard.fill(await fixture('defaults'));
  const good = await artifactText(page, 'infra/trust-policy.json');

  await wizard.step('AWS');
  const account = wizard.field('AWS account id');
  await account.fill('12345');
  assert.equal(await account.getAttribute('aria-invalid'), 'true');
  const describedBy = (await account.getAttribute('aria-describedby')).split(' ');
  const message = await page.locator(`#${describedBy.at(-1)}`).textContent();
  assert.match(message, /12 digits/);
  assert.equal(await account.inputValue(), '12345', 'what was typed stays');
  assert.equal(await page.locator('.preview').getAttribute('data-stale'), 'true');
  await page.getByText(/Out of date: 1 problem/).waitFor();
  assert.equal(await artifactText(page, 'infra/trust-policy.json'), good, 'the last valid files stay');

  await page.getByRole('button', { name: 'Next' }).click();
  const summary = page.locator('#summary-aws');
  await page.waitForFunction(() => document.activeElement?.id === 'summary-aws');
  assert.match(await summary.textContent(), /12 digits/);
  await page.getByRole('heading', { level: 2, name: 'AWS', exact: true }).waitFor();
  await page.screenshot({ path: path.join(OUTPUT, 'invalid-1280.png'), fullPage: true });
  await context.close();
});

test('the load balancer shows its settings and what it adds a month; a domain without it is an error next to the field', async () => {
  const { context, page } = await open();
  await page.goto(server.url);
  const wizard = new Wizard(page);
  await wizard.fill(await fixture('load-balancer'));
  await wizard.step('Traffic');
  const choice = wizard.field('Load balancer');
  assert.equal(await choice.isChecked(), true);
  const description = page.locator(`#${await choice.getAttribute('aria-describedby')}`);
  assert.match(await description.locator('.choice-note').textContent(), /^[+-]\$[\d,]+\.\d\d\/month in us-east-1$/);
  const axeSource = await readFile(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], 'the Traffic step with the load balancer settings shown');

  await wizard.field('Public IP').check();
  const domain = wizard.field('Domain name');
  await page.locator('#field-domain_name-error:not([hidden])').waitFor();
  assert.equal(await domain.getAttribute('aria-invalid'), 'true');
  const describedBy = (await domain.getAttribute('aria-describedby')).split(' ');
  assert.match(await page.locator(`#${describedBy.at(-1)}`).textContent(), /only a load balancer/);
  assert.equal(await domain.inputValue(), 'app.example.com', 'what was typed stays');
  assert.equal(await page.locator('.preview').getAttribute('data-stale'), 'true');
  await page.screenshot({ path: path.join(OUTPUT, 'traffic-1280.png'), fullPage: true });
  await context.close();
});

test('axe-core reports no violation on any step, in light and dark themes', async () => {
  const axeSource = await readFile(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  for (const colorScheme of ['light', 'dark']) {
    const { context, page } = await open({ colorScheme });
    await page.goto(server.url);
    const wizard = new Wizard(page);
    await wizard.fill(await fixture('secrets-env'));
    for (const step of ['GitHub', 'AWS', 'App', 'Traffic', 'Network', 'Review']) {
      await wizard.step(step);
      // Evaluated through the DevTools protocol: the page's CSP stays in force.
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(violations, [], `${step} step, ${colorScheme} theme`);
    }
    await context.close();
  }
});

test('screenshots at 1280 px and 375 px', async () => {
  for (const [width, height] of [[1280, 900], [375, 812]]) {
    const { context, page } = await open({ viewport: { width, height } });
    await page.goto(server.url);
    const wizard = new Wizard(page);
    await wizard.fill(await fixture('environment'));
    await wizard.step('App');
    await page.screenshot({ path: path.join(OUTPUT, `wizard-${width}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at ${width}px (overflow ${overflow}px)`);
    // The deploy flow, in both themes: it fits the column and its text is at least 11 px.
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
      const flow = page.locator('svg.flow');
      await flow.screenshot({ path: path.join(OUTPUT, `flow-${width}-${theme}.png`) });
      const box = await flow.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= width, `the diagram fits ${width}px`);
      const smallest = await flow.evaluate((svg) => Math.min(...[...svg.querySelectorAll('text')].map((t) => t.getBoundingClientRect().height)));
      assert.ok(smallest >= 11, `the diagram's text is readable at ${width}px (${smallest}px)`);
    }
    await context.close();
  }
});

test('importing keyless.json (file picker) fills the wizard; Reset asks first, then clears', async () => {
  const config = await fixture('immutable');
  const expected = await cliBundle(config);
  const { context, page } = await open();
  await page.goto(server.url);
  const configPath = path.join(FIXTURES, 'immutable.json');
  await page.locator('#import-file').setInputFiles(configPath);
  await page.getByText('Imported keyless.json.').waitFor();
  assert.deepEqual(await new Wizard(page).artifacts(), expected);

  page.once('dialog', (dialog) => dialog.dismiss());
  await page.getByRole('button', { name: 'Reset' }).click();
  assert.deepEqual(await new Wizard(page).artifacts(), expected, 'a dismissed reset keeps everything');
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByText('Cleared.').waitFor();
  assert.equal(await page.locator('[data-artifact]').count(), 0);
  await context.close();
});
