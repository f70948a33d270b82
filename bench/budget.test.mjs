// The size budget of issue 7, checked on what `make sizes` (or `make bench`) last
// measured in target/bench/sizes.json; this test builds nothing. Sizes are
// deterministic for a given build, so they are asserted; times never are.
//   - total gzip -9 transfer of the app (everything index.html loads) ≤ 100 KB;
//   - and ≤ 4× the bare Leptos "hello" baseline built the same way (bench/baseline).
// KB = 1000 bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SIZES_FILE } from './sizes.mjs';

export const BUDGET_GZIP_BYTES = 100_000;
export const BUDGET_RATIO = 4;

const sizes = JSON.parse(
  await readFile(SIZES_FILE, 'utf8').catch(() => {
    throw new Error(`${SIZES_FILE} is missing: run \`make sizes\` (or \`make bench\`) first`);
  }),
);
const detail = () =>
  sizes.app.files.map((f) => `  ${f.path}: ${f.gzip} B gzip`).join('\n') +
  (sizes.generator_only_wasm ? `\n  of which the generator alone (bench/generator-only): about ${sizes.generator_only_wasm.gzip} B gzip` : '') +
  `\n  (measured ${sizes.measured_at})`;

test(`the app's gzip transfer is at most ${BUDGET_GZIP_BYTES / 1000} KB`, () => {
  const total = sizes.app.total.gzip;
  assert.ok(total <= BUDGET_GZIP_BYTES, `app gzip total ${total} B > ${BUDGET_GZIP_BYTES} B:\n${detail()}`);
});

test(`the app's gzip transfer is at most ${BUDGET_RATIO}x the bare Leptos baseline`, () => {
  const { app, baseline } = sizes;
  const ratio = app.total.gzip / baseline.total.gzip;
  assert.ok(
    ratio <= BUDGET_RATIO,
    `app ${app.total.gzip} B / baseline ${baseline.total.gzip} B = ${ratio.toFixed(2)}x > ${BUDGET_RATIO}x:\n${detail()}`,
  );
});

test('the measurement covers the whole page: html, boot script, JS glue, wasm and CSS', () => {
  for (const [name, site] of [['app', sizes.app], ['baseline', sizes.baseline]]) {
    const paths = site.files.map((f) => f.path);
    for (const kind of [/^index\.html$/, /\.wasm$/, /\.js$/]) {
      assert.ok(paths.some((p) => kind.test(p)), `${name}: no ${kind} among ${paths.join(', ')}`);
    }
  }
  assert.ok(sizes.app.files.some((f) => f.path.endsWith('.css')), 'the app loads its stylesheet');
});
