// The size budget (issue 15), checked in `make test` on the release build in dist/
// and on the generator alone (`make generator-only`); this test builds nothing.
// Sizes are deterministic for a given build, so they are asserted; times never are.
//
// bench/budget.json holds the limits and what was measured when they were set:
//   - the app's total gzip -9 transfer (everything index.html loads), at most
//     200,000 bytes, or the measured size plus 2% when that cannot be met without
//     removing a feature (never higher: size only goes down);
//   - the generator-only wasm, gzip -9, at most 100,000 bytes on the same rule;
//   - per kind of file and per module (twiggy), the figures a failure is compared
//     with, so its message names what grew.
// When size goes down, lower the limits: `node bench/budget.test.mjs --record`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureSite, compressed, APP_DIST, GENERATOR_ONLY_WASM, ROOT } from './sizes.mjs';

export const BUDGET_FILE = path.join(ROOT, 'bench', 'budget.json');
/** The targets of issue 15; a limit above one is the measured size plus 2%. */
export const TARGET = { app_gzip: 200_000, generator_only_gzip: 100_000 };
export const SLACK = 1.02;

/** What the page and the generator weigh now: gzip per kind of file, and totals. */
export async function measureNow() {
  const app = await measureSite(APP_DIST);
  const byKind = {};
  for (const f of app.files) {
    const kind = path.extname(f.path).slice(1) || 'other';
    byKind[kind] = (byKind[kind] ?? 0) + f.gzip;
  }
  const generator = await readFile(GENERATOR_ONLY_WASM).catch(() => {
    throw new Error(`${GENERATOR_ONLY_WASM} is missing: run \`make generator-only\` first`);
  });
  return { app_gzip: app.total.gzip, app_gzip_by_kind: byKind, generator_only_gzip: compressed(generator).gzip, files: app.files };
}

/** The limit for a measured size: the target, or the measurement plus 2% when above it. */
export const limitFor = (measured, target) => (measured <= target ? target : Math.floor(measured * SLACK));

/** The app's wasm by crate (as shipped) and by our module (before wasm-opt inlines
 * our functions into Leptos closures), raw bytes, from bench/twiggy.mjs. */
async function twiggyGroups() {
  const { analyseBoth } = await import('./twiggy.mjs');
  const { app } = await analyseBoth();
  return { by_crate: app.by_crate, by_module: app.before_wasm_opt.by_module };
}

/** Rows of `now - then` for each key, largest growth first (only what grew). */
function growth(now, then) {
  return Object.keys(now)
    .map((k) => [k, now[k] - (then?.[k] ?? 0)])
    .filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1]);
}

/** The failure message: what grew since the budget was set, by kind of file and by module. */
async function whatGrew(budget, now) {
  const lines = [`measured at ${budget.recorded.commit}, ${budget.recorded.at}; growth since then:`];
  for (const [kind, d] of growth(now.app_gzip_by_kind, budget.recorded.app_gzip_by_kind)) lines.push(`  .${kind}: +${d} B gzip`);
  try {
    const groups = await twiggyGroups();
    for (const [key, title] of [['by_crate', 'crate, as shipped'], ['by_module', 'our module, before wasm-opt']]) {
      lines.push(`  top growth by ${title} (raw wasm bytes, twiggy):`);
      for (const [name, d] of growth(groups[key], budget.recorded.app_raw[key]).slice(0, 6)) lines.push(`    ${name}: +${d} B`);
    }
  } catch (error) {
    lines.push(`  (no per-module figures: ${String(error.message).split('\n')[0]}; \`make twiggy\` prints them)`);
  }
  return lines.join('\n');
}

const budget = JSON.parse(await readFile(BUDGET_FILE, 'utf8').catch(() => '{}'));
if (!process.argv.includes('--record') && !budget.limits) throw new Error(`${BUDGET_FILE} has no limits: record them with \`node bench/budget.test.mjs --record\``);

if (process.argv.includes('--record')) {
  // Record the build in dist/ as the new budget (only ever lower: see the tests).
  const now = await measureNow();
  const { execFileSync } = await import('node:child_process');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const groups = await twiggyGroups();
  const next = {
    limits: { app_gzip: limitFor(now.app_gzip, TARGET.app_gzip), generator_only_gzip: limitFor(now.generator_only_gzip, TARGET.generator_only_gzip) },
    recorded: { commit, at: new Date().toISOString().slice(0, 10), app_gzip: now.app_gzip, generator_only_gzip: now.generator_only_gzip, app_gzip_by_kind: now.app_gzip_by_kind, app_raw: groups },
  };
  for (const k of Object.keys(next.limits)) {
    if (budget.limits?.[k] !== undefined && next.limits[k] > budget.limits[k]) {
      throw new Error(`${k}: ${next.limits[k]} would raise the limit ${budget.limits[k]}; the budget only goes down`);
    }
  }
  await writeFile(BUDGET_FILE, JSON.stringify(next, null, 2) + '\n');
  console.log(`wrote ${path.relative(ROOT, BUDGET_FILE)}: ${JSON.stringify(next.limits)}`);
} else {
  const now = await measureNow();

  test(`the app's gzip transfer is at most ${budget.limits.app_gzip} bytes`, async () => {
    if (now.app_gzip > budget.limits.app_gzip) {
      const files = now.files.map((f) => `  ${f.path}: ${f.gzip} B gzip`).join('\n');
      assert.fail(`app gzip total ${now.app_gzip} B > ${budget.limits.app_gzip} B (+${now.app_gzip - budget.limits.app_gzip} B)\n${files}\n${await whatGrew(budget, now)}`);
    }
  });

  test(`the generator alone (a wasm without UI) is at most ${budget.limits.generator_only_gzip} bytes gzip`, () => {
    assert.ok(
      now.generator_only_gzip <= budget.limits.generator_only_gzip,
      `generator-only gzip ${now.generator_only_gzip} B > ${budget.limits.generator_only_gzip} B; \`node bench/twiggy.mjs\` shows where its bytes go`,
    );
  });

  test('each limit is the target, or what was measured plus 2% when the target could not be met, never more', () => {
    for (const [k, target] of Object.entries(TARGET)) {
      assert.equal(budget.limits[k], limitFor(budget.recorded[k], target), `${k}: limit for ${budget.recorded[k]} B measured`);
      assert.ok(budget.limits[k] <= Math.max(target, Math.floor(budget.recorded[k] * SLACK)));
    }
  });

  test('the measurement covers the whole page: html, boot script, JS glue, wasm and CSS', () => {
    const paths = now.files.map((f) => f.path);
    for (const kind of [/^index\.html$/, /\.wasm$/, /^boot-.*\.js$/, /\.js$/, /\.css$/]) {
      assert.ok(paths.some((p) => kind.test(p)), `no ${kind} among ${paths.join(', ')}`);
    }
  });
}
