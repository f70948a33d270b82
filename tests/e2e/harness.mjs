// Shared pieces of the end-to-end tests: a static server for dist/ on 127.0.0.1,
// headless Debian Chromium through playwright-core, and the keyless CLI.
import { createServer } from 'node:http';
import { readFile, mkdtemp, readdir, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = process.env.KEYLESS_DIST ?? path.join(ROOT, 'dist');
/** The path the site is served under, e.g. `/keyless/` for a GitHub Pages build. */
export const PUBLIC_URL = process.env.KEYLESS_PUBLIC_URL ?? '/';
export const OUTPUT = path.join(ROOT, 'target', 'e2e');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain',
  '.webmanifest': 'application/manifest+json',
};

/** Serves DIST under PUBLIC_URL on 127.0.0.1 at a free port. Returns { origin, url, close }. */
export async function serveDist() {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (!url.pathname.startsWith(PUBLIC_URL)) {
      res.writeHead(404).end('outside the public URL');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(PUBLIC_URL.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.join(DIST, rel);
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: origin + PUBLIC_URL,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Debian's Chromium, and the flags that keep it off the network (also used by `make bench`). */
export const CHROMIUM_PATH = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** Launches Debian's Chromium headless with a fresh profile and no background traffic. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Opens a page that records every request it makes. `foreign` lists the URLs of
 * requests to any origin but `origin` (data: and blob: URLs stay on the page).
 */
export async function openPage(browser, origin, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const foreign = [];
  const errors = [];
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { context, page, foreign, errors };
}

/** Runs `keyless generate` on `config` and returns { path: text } of every file written. */
export async function cliBundle(config) {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyless-e2e-'));
  const configFile = path.join(dir, 'keyless.json');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(configFile, JSON.stringify(config));
  const out = path.join(dir, 'out');
  execFileSync(path.join(ROOT, 'target', 'debug', 'keyless'), ['generate', '--config', configFile, '--out', out]);
  const files = {};
  async function walk(sub) {
    for (const name of await readdir(path.join(out, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      if ((await stat(path.join(out, rel))).isDirectory()) await walk(rel);
      else files[rel] = await readFile(path.join(out, rel), 'utf8');
    }
  }
  await walk('');
  return files;
}

/**
 * Shows the file at `path` in the preview as a user would: its tab, or the file
 * picker where the tabs give way to it (phones). Only the shown file's text is in
 * the page, so this waits until its panel holds it.
 */
export async function selectFile(page, artifactPath) {
  const tab = page.getByRole('tab', { name: artifactPath, exact: true });
  if (await tab.isVisible()) await tab.click();
  // The picker's accessible name holds its chosen file too (the select sits in its
  // label), so it is found by its place, not by an exact name.
  else await page.locator('label.file-select select').selectOption({ label: artifactPath });
  await page.waitForFunction((p) => {
    const pre = document.querySelector(`[data-artifact="${p}"]`);
    return pre && !pre.closest('[role="tabpanel"]').hidden && pre.textContent !== '';
  }, artifactPath);
}

/** The exact text of the artifact at `path` on the page, selected first (null when absent). */
export async function artifactText(page, artifactPath) {
  const locator = page.locator(`[data-artifact="${artifactPath}"]`);
  if ((await locator.count()) === 0) return null;
  await selectFile(page, artifactPath);
  return locator.evaluate((el) => el.textContent);
}
