// Offline and cache friendly: every asset but index.html has a content hash in its
// name (and index.html names each under the public URL), the page makes no request
// once loaded (everything, the price table included, is compiled in), and when the
// network drops after load the wizard still fills, the files still match the CLI's,
// and one file and the zip still download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, cliBundle, DIST, PUBLIC_URL, OUTPUT } from './harness.mjs';
import { Wizard, fixture } from './wizard.mjs';

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

/** Every file of `dir`, relative, skipping dot-entries (Trunk's staging directory). */
async function files(dir, sub = '') {
  const out = [];
  for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    out.push(...(entry.isDirectory() ? await files(dir, rel) : [rel]));
  }
  return out;
}

/** The URLs index.html refers to (href and src attributes, quoted or not: the release
 * build is minified), but inline data: ones. */
async function indexUrls() {
  const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
  return [...html.matchAll(/\s(?:href|src)=(?:"([^"]+)"|([^\s">]+))/g)]
    .map((m) => m[1] ?? m[2])
    .filter((url) => !url.startsWith("data:") && !url.startsWith("#"));
}

/** A valid config as a share link (the fragment format of src/persist.rs). */
const SHARE = '#' + encodeURIComponent(JSON.stringify({ github_owner: 'octo-org', github_repo: 'octo-app', account_id: '123456789012' }));

test('every file but index.html has a content hash in its name, and index.html names them under the public URL', async () => {
  const all = await files(DIST);
  assert.ok(all.includes('index.html'));
  // Trunk writes its 64-bit content hash in hex without leading zeros, so it has up to
  // 16 digits (fewer than 8 would happen once in four billion builds).
  // 404.html is GitHub Pages' name for the page of a missing path.
  const unhashed = all.filter((f) => !['index.html', '404.html'].includes(f) && !/-[0-9a-f]{8,16}(_bg)?\.[a-z0-9]+$/.test(f));
  assert.deepEqual(unhashed, [], 'files whose name changes with their content, so they can be cached forever');
  const urls = await indexUrls();
  assert.ok(urls.length >= 3, `index.html refers to its assets: ${urls}`);
  for (const url of urls) {
    assert.ok(url.startsWith(PUBLIC_URL), `${url} is under the public URL ${PUBLIC_URL}`);
    assert.ok(all.includes(url.slice(PUBLIC_URL.length)), `${url} is a file of the build`);
  }
});

test('404.html, for GitHub Pages, leads back to the wizard under the public URL and loads nothing', async () => {
  const { context, page, errors } = await openPage(browser, server.origin);
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`${server.origin}${PUBLIC_URL}404.html`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Page not found');
  const link = page.getByRole('link', { name: 'Open the wizard' });
  assert.equal(await link.getAttribute('href'), PUBLIC_URL);
  assert.deepEqual(requests, [`${server.origin}${PUBLIC_URL}404.html`], 'one self-contained file');
  await link.click();
  await page.getByRole('heading', { level: 2, name: 'GitHub', exact: true }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('once loaded, the page makes no request: the wizard, the preview and the cost estimate are all compiled in', async () => {
  const { context, page, errors } = await openPage(browser, server.origin, { acceptDownloads: true });
  const requests = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:')) requests.push(new URL(url).pathname);
  });
  await page.goto(server.url + SHARE, { waitUntil: 'load' });
  await page.locator('[data-artifact]').first().waitFor({ state: 'attached' });
  const atLoad = requests.length;
  const built = (await files(DIST)).map((f) => PUBLIC_URL + f);
  const unknown = requests.filter((p) => p !== PUBLIC_URL && !built.includes(p));
  assert.deepEqual(unknown, [], 'while loading, only the files of the build are requested');

  const wizard = new Wizard(page);
  await wizard.fill(await fixture('spot'));
  await page.locator('section.cost [data-cost="total-monthly"]').waitFor();
  await page.getByRole('tab', { name: 'infra/setup.sh' }).click();
  await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download infra/setup.sh' }).click()]);
  await page.waitForTimeout(500); // anything lazy would have started by now
  assert.deepEqual(requests.slice(atLoad), [], 'no request after load');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the network drops after load: the wizard still fills, the files match the CLI, one file and the zip download', async () => {
  const config = await fixture('secrets-env');
  const expected = await cliBundle(config);
  const { context, page, errors } = await openPage(browser, server.origin, { acceptDownloads: true });
  await page.goto(server.url, { waitUntil: 'load' });
  await page.getByRole('heading', { level: 2, name: 'GitHub', exact: true }).waitFor();

  // From here on, nothing can reach any server.
  const attempted = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:')) attempted.push(url);
  });
  await context.route('**/*', (route) => route.abort('internetdisconnected'));
  await context.setOffline(true);
  assert.equal(await page.evaluate(() => navigator.onLine), false, 'the page sees that it is offline');

  const wizard = new Wizard(page);
  await wizard.fill(config);
  assert.deepEqual(await wizard.artifacts(), expected, 'every file, byte for byte, as keyless generate writes it');
  assert.equal(await page.locator('.preview').getAttribute('data-stale'), 'false');

  const one = 'infra/trust-policy.json';
  await page.getByRole('tab', { name: one }).click();
  const [single] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download ${one}` }).click()]);
  assert.equal(single.suggestedFilename(), 'trust-policy.json');
  assert.equal(await readFile(await single.path(), 'utf8'), expected[one]);

  const [zip] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download all (.zip)' }).click(),
  ]);
  const zipPath = path.join(OUTPUT, 'keyless-bundle-offline.zip');
  await zip.saveAs(zipPath);
  const entries = JSON.parse(
    execFileSync('python3', ['-c', `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: z.read(i).decode() for i in z.infolist()}))
`, zipPath]),
  );
  assert.deepEqual(entries, expected, 'the zip holds the CLI bundle');

  assert.deepEqual(attempted, [], 'no request while offline');
  assert.deepEqual(errors, [], 'no error in the console');
  await context.close();
});
