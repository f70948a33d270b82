// The walking skeleton end to end: the built site, served on 127.0.0.1, filled in
// by label in headless Chromium, shows exactly the file `keyless generate` writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, cliBundle, artifactText, OUTPUT } from './harness.mjs';

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

const TRUST = 'infra/trust-policy.json';

test('the trust policy on the page equals the CLI file byte for byte', async () => {
  const config = {
    account_id: '012345678901',
    region: 'eu-west-1',
    github_owner: 'octo-org',
    github_repo: 'octo-app',
    branch: 'release/v2',
  };
  const expected = (await cliBundle(config))[TRUST];
  assert.ok(expected, 'the CLI wrote the trust policy');

  const { context, page, foreign, errors } = await openPage(browser, server.origin);
  await page.goto(server.url);
  await page.getByLabel('AWS account id').fill(config.account_id);
  await page.getByLabel('AWS region').selectOption(config.region);
  await page.getByLabel('GitHub owner').fill(config.github_owner);
  await page.getByLabel('GitHub repository').fill(config.github_repo);
  await page.getByLabel('Branch').fill(config.branch);

  await page.locator(`[data-artifact="${TRUST}"]`).waitFor();
  assert.equal(await artifactText(page, TRUST), expected);
  await page.screenshot({ path: path.join(OUTPUT, 'skeleton-valid.png'), fullPage: true });

  assert.deepEqual(foreign, [], 'no request left the origin');
  assert.deepEqual(errors, [], 'no error in the console');
  await context.close();
});

test('the copy button puts the file on the clipboard and says so', async () => {
  const { context, page } = await openPage(browser, server.origin, {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  await page.goto(server.url);
  await page.getByLabel('AWS account id').fill('123456789012');
  await page.getByLabel('GitHub repository').fill('https://github.com/octo-org/octo-app');
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText('Copied').waitFor();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clipboard, await artifactText(page, TRUST));
  await context.close();
});

test('an invalid account id shows a message next to the field and no artifact', async () => {
  const { context, page } = await openPage(browser, server.origin);
  await page.goto(server.url);
  await page.getByLabel('GitHub owner').fill('octo-org');
  await page.getByLabel('GitHub repository').fill('octo-app');
  await page.getByLabel('AWS account id').fill('12345');
  const field = page.getByLabel('AWS account id');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  const describedBy = await field.getAttribute('aria-describedby');
  const message = await page.locator(`#${describedBy.split(' ').pop()}`).textContent();
  assert.match(message, /12 digits/);
  assert.equal(await artifactText(page, TRUST), null);
  await page.screenshot({ path: path.join(OUTPUT, 'skeleton-invalid.png'), fullPage: true });
  await context.close();
});
