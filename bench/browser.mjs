// Browser timings of `make bench`, in headless Debian Chromium on 127.0.0.1 (the
// launch flags of the end-to-end tests: nothing leaves the machine). Times are
// measured in the page with performance.now(), so Playwright's own round trips
// never count.
//
// - loadTimes: navigation start → the first form field in <main> is focusable AND
//   the first [data-artifact] has its text; each load in a fresh browser context
//   (empty HTTP cache, no compiled-wasm cache), app and baseline interleaved.
// - keystrokeLatency: a value is put in a field and its input event dispatched;
//   the time until the last mutation of any [data-artifact] text caused by it
//   (the preview fully updated), over many edits spread across the form's fields.
//   keyless.json is the file shown (only the shown file's text is in the page, and
//   every edit changes that one).
import { launchBrowser, selectFile } from '../tests/e2e/harness.mjs';
import { Wizard } from '../tests/e2e/wizard.mjs';

/** The share-link config every app load starts from (valid: the preview shows files). */
export const LOAD_CONFIG = { github_owner: 'octo-org', github_repo: 'octo-app', account_id: '123456789012' };
export const appFragment = '#' + encodeURIComponent(JSON.stringify(LOAD_CONFIG));

// Runs before any script of the page (CDP, so the page's CSP does not apply):
// records when both readiness conditions first hold.
const READY_PROBE = `(() => {
  const ready = () => {
    const field = document.querySelector('main :is(input, select, textarea)');
    const artifact = document.querySelector('[data-artifact]');
    return field && !field.disabled && !field.closest('[inert], [hidden]') && field.getClientRects().length > 0
      && artifact && artifact.textContent.length > 0;
  };
  const observer = new MutationObserver(() => {
    if (window.__benchReady === undefined && ready()) {
      window.__benchReady = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
})();`;

export const median = (xs) => quantile(xs, 0.5);
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

async function oneLoad(browser, url) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(READY_PROBE);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__benchReady !== undefined, null, { timeout: 30_000, polling: 50 });
    if (errors.length) throw new Error(`page errors while loading ${url}: ${errors.join('; ')}`);
    return await page.evaluate(() => window.__benchReady);
  } finally {
    await context.close();
  }
}

/**
 * `runs` cold loads of each target ({ name: url }), interleaved, after one
 * discarded warm-up load each. Returns { name: { median_ms, runs_ms } }.
 */
export async function loadTimes(targets, runs) {
  const browser = await launchBrowser();
  try {
    const samples = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
    for (const url of Object.values(targets)) await oneLoad(browser, url);
    for (let i = 0; i < runs; i++) {
      for (const [name, url] of Object.entries(targets)) samples[name].push(await oneLoad(browser, url));
    }
    return Object.fromEntries(
      Object.entries(samples).map(([name, xs]) => [name, { median_ms: median(xs), runs_ms: xs.map((x) => +x.toFixed(1)) }]),
    );
  } finally {
    await browser.close();
  }
}

/**
 * The fields edited, by wizard step, with the values they cycle through: every
 * value keeps the config valid and changes at least one file.
 */
export const EDITS = {
  GitHub: {
    'GitHub owner': ['octo-org', 'octo-corp', 'octo-labs'],
    'GitHub repository': ['octo-app', 'octo-api', 'octo-web'],
    Branch: ['main', 'release', 'prod'],
    'GitHub environment (optional)': ['', 'production', 'staging'],
  },
  AWS: {
    'AWS account id': ['123456789012', '210987654321', '111122223333'],
  },
  App: {
    'App name': ['', 'octo-service', 'api'],
    'Container port': ['8080', '3000', '8000'],
    Tasks: ['1', '2', '3'],
    'Health check command (optional)': ['', 'curl -f http://localhost:8080/health || exit 1', 'wget -q -O- http://localhost/ || exit 1'],
    'Ephemeral storage in GiB (optional)': ['', '21', '50'],
  },
  Network: {
    'Subnet ids (optional)': ['', 'subnet-0123456789abcdef0', 'subnet-0123456789abcdef0\nsubnet-0fedcba9876543210'],
    'Security group ids (optional)': ['', 'sg-0123456789abcdef0', 'sg-0fedcba9876543210'],
  },
};

// In the page: edits each field `rounds` times, round-robin; one sample per edit.
async function editInPage({ fields, rounds }) {
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const inArtifact = (node) =>
    (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.closest('[data-artifact]') != null;
  const addsArtifact = (node) =>
    node.nodeType === Node.ELEMENT_NODE && (node.matches('[data-artifact]') || node.querySelector('[data-artifact]') != null);
  const texts = () => new Map([...document.querySelectorAll('[data-artifact]')].map((a) => [a.dataset.artifact, a.textContent]));
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    for (const field of fields) {
      const current = field.el.value;
      const choices = field.values.filter((v) => v !== current);
      const value = choices[round % choices.length];
      const before = texts();
      let last = null;
      const observer = new MutationObserver((records) => {
        if (records.some((r) => inArtifact(r.target) || [...r.addedNodes].some(addsArtifact))) last = performance.now();
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      field.el.value = value;
      const start = performance.now();
      field.el.dispatchEvent(new Event('input', { bubbles: true }));
      // Quiet: 3 frames and 50 ms with no artifact mutation (at most 5 s).
      let frames = 0;
      while (performance.now() - start < 5000) {
        await nextFrame();
        frames++;
        if (frames >= 3 && performance.now() - (last ?? start) > 50) break;
      }
      observer.disconnect();
      const after = texts();
      const changed = [...after].filter(([p, t]) => before.get(p) !== t).map(([p]) => p);
      samples.push({
        field: field.label,
        ms: last === null ? null : last - start,
        changed: changed.length,
        stale: document.querySelector('.preview')?.dataset.stale ?? null,
      });
    }
  }
  return samples;
}

/** `rounds` edits of every field of EDITS in the app at `url` (a share link). */
export async function keystrokeLatency(url, rounds) {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('[data-artifact]').first().waitFor({ state: 'attached' });
    // Only the selected file's text is in the page: keyless.json is the one file
    // every edit changes.
    await selectFile(page, 'keyless.json');
    const wizard = new Wizard(page);
    const samples = [];
    for (const [step, fields] of Object.entries(EDITS)) {
      await wizard.step(step);
      const handles = [];
      for (const [label, values] of Object.entries(fields)) {
        handles.push({ label, values, el: await wizard.field(label).elementHandle() });
      }
      samples.push(...(await page.evaluate(editInPage, { fields: handles, rounds })));
    }
    await context.close();
    const bad = samples.filter((s) => s.ms === null || s.changed === 0 || s.stale !== 'false');
    if (bad.length) throw new Error(`edits that did not update the preview: ${JSON.stringify(bad.slice(0, 5))}`);
    const ms = samples.map((s) => s.ms);
    const perField = {};
    for (const s of samples) (perField[s.field] ??= []).push(s.ms);
    return {
      edits: samples.length,
      median_ms: median(ms),
      p95_ms: quantile(ms, 0.95),
      max_ms: Math.max(...ms),
      within_one_frame: ms.filter((x) => x <= 1000 / 60).length / ms.length,
      per_field_median_ms: Object.fromEntries(Object.entries(perField).map(([f, xs]) => [f, +median(xs).toFixed(2)])),
    };
  } finally {
    await browser.close();
  }
}
