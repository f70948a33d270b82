// `make bench` after the builds: sizes, browser timings, criterion's result and
// Lighthouse, as one table on the terminal and target/bench/results.json (the
// previous run is kept as results.previous.json and shown beside this one).
// Times are reported, never asserted. BENCH_LOADS (default 15) and BENCH_ROUNDS
// (default 19 rounds over the 12 edited fields = 228 edits) scale the browser runs,
// BENCH_LIGHTHOUSE_RUNS (default 3) the mobile Lighthouse runs (desktop runs once).
// Where the wasm's bytes go, by crate and by our module: bench/twiggy.mjs.
import { readFile, writeFile, rename, mkdir, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { measureBoth, sizesTable, generatorOnlyRows, printTable, kb, ROOT, OUT, SIZES_FILE, APP_DIST, BASELINE_DIST } from './sizes.mjs';
import { serveSite } from './serve.mjs';
import { loadTimes, keystrokeLatency, appFragment } from './browser.mjs';
import { lighthouse, lighthouseRuns } from './lighthouse.mjs';
import { analyseBoth, twiggyRows, twiggyNotes } from './twiggy.mjs';

const LOADS = Number(process.env.BENCH_LOADS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 19);
const LH_RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
const RESULTS = path.join(OUT, 'results.json');
const PREVIOUS = path.join(OUT, 'results.previous.json');
const CRITERION = path.join(ROOT, 'target', 'criterion');
const NATIVE = ['generate/defaults', 'generate/secrets-env', 'validate+generate/defaults', 'validate+generate/secrets-env'];

const started = Date.now();
const step = (what) => console.error(`bench: ${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
await mkdir(OUT, { recursive: true });

const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const results = {
  measured_at: new Date().toISOString(),
  commit: git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
};

step('sizes');
results.sizes = await measureBoth();
await writeFile(SIZES_FILE, JSON.stringify(results.sizes, null, 2) + '\n');

step('where the wasm bytes go (twiggy on analysis copies with names)');
results.twiggy = await analyseBoth();

step('native generate (criterion results of this run)');
results.native = {};
for (const id of NATIVE) {
  const file = path.join(CRITERION, id, 'new', 'estimates.json');
  const estimates = JSON.parse(await readFile(file, 'utf8'));
  results.native[id] = {
    median_us: estimates.median.point_estimate / 1000,
    ci95_us: [estimates.median.confidence_interval.lower_bound / 1000, estimates.median.confidence_interval.upper_bound / 1000],
    measured_at: (await stat(file)).mtime.toISOString(),
  };
}

const app = await serveSite(APP_DIST);
const baseline = await serveSite(BASELINE_DIST);
try {
  step(`load to interactive, ${LOADS} cold loads each`);
  const loads = await loadTimes({ app: app.url + appFragment, baseline: baseline.url }, LOADS);
  results.load = { ...loads, ratio: loads.app.median_ms / loads.baseline.median_ms, app_url: `/${appFragment}` };

  step(`keystroke to preview, ${ROUNDS} rounds`);
  results.keystroke = await keystrokeLatency(app.url + appFragment, ROUNDS);

  step(`lighthouse, mobile (the default) ${LH_RUNS} times and desktop once`);
  results.lighthouse = await lighthouseRuns(app.url + appFragment, LH_RUNS);
  results.lighthouse_desktop = await lighthouse(app.url + appFragment, { preset: 'desktop' });
} finally {
  await app.close();
  await baseline.close();
}
results.duration_s = (Date.now() - started) / 1000;

let previous = null;
try {
  previous = JSON.parse(await readFile(RESULTS, 'utf8'));
  await rename(RESULTS, PREVIOUS);
} catch {}
await writeFile(RESULTS, JSON.stringify(results, null, 2) + '\n');

// One table: this run, the baseline, the ratio, and the previous run's app figure.
const ms = (x) => (x === undefined || x === null ? '' : x.toFixed(1));
const us = (x) => (x === undefined || x === null ? '' : x.toFixed(1));
const rows = [['Keyless benchmark', 'app', 'baseline', 'app/baseline', 'previous app']];
const sizeRows = sizesTable(results.sizes).slice(1);
rows.push(['transfer size, KB (1000 B), everything index.html loads']);
for (const [i, k] of ['raw', 'gzip', 'brotli'].entries()) rows.push([...sizeRows[i], previous ? kb(previous.sizes.app.total[k]) : '']);
// Where the gzip bytes go, by kind of file.
const byKind = (site) => {
  const sums = {};
  for (const f of site?.files ?? []) {
    const kind = path.extname(f.path).slice(1) || 'other';
    sums[kind] = (sums[kind] ?? 0) + f.gzip;
  }
  return sums;
};
const [appKinds, baseKinds, prevKinds] = [results.sizes.app, results.sizes.baseline, previous?.sizes?.app].map(byKind);
for (const kind of Object.keys(appKinds).sort((a, b) => appKinds[b] - appKinds[a])) {
  const base = baseKinds[kind];
  rows.push([`  gzip of .${kind}`, kb(appKinds[kind]), base ? kb(base) : '', base ? `${(appKinds[kind] / base).toFixed(2)}x` : '', prevKinds[kind] ? kb(prevKinds[kind]) : '']);
}
for (const row of generatorOnlyRows(results.sizes)) {
  const before = previous?.sizes?.generator_only_wasm;
  rows.push([...row, before ? kb(before.gzip) : '']);
}
// twiggy's groups: the app/baseline column holds each group's share of the wasm.
rows.push(...twiggyRows(results.twiggy, previous?.twiggy));
rows.push([`navigation to interactive, ms, median of ${LOADS} cold loads`]);
rows.push(['  first field focusable + first artifact', ms(results.load.app.median_ms), ms(results.load.baseline.median_ms), `${results.load.ratio.toFixed(2)}x`, ms(previous?.load?.app?.median_ms)]);
rows.push([`keystroke to preview, ms, ${results.keystroke.edits} edits over ${Object.keys(results.keystroke.per_field_median_ms).length} fields`]);
rows.push(['  median', ms(results.keystroke.median_ms), '', '', ms(previous?.keystroke?.median_ms)]);
rows.push(['  95th percentile', ms(results.keystroke.p95_ms), '', '', ms(previous?.keystroke?.p95_ms)]);
rows.push(['  edits within one frame (16.7 ms)', `${(results.keystroke.within_one_frame * 100).toFixed(0)}%`, '', '', previous?.keystroke ? `${(previous.keystroke.within_one_frame * 100).toFixed(0)}%` : '']);
rows.push(['native generate, µs, criterion median']);
for (const id of NATIVE) rows.push([`  ${id}`, us(results.native[id].median_us), '', '', us(previous?.native?.[id]?.median_us)]);
const secs = (x) => (x === undefined ? '?' : `${(x / 1000).toFixed(2)} s`);
const yesNo = (x) => (x === null || x === undefined ? '?' : x ? 'yes' : 'no');
for (const [key, title] of [['lighthouse', 'mobile'], ['lighthouse_desktop', 'desktop']]) {
  const runs = results[key].runs;
  rows.push([`Lighthouse 12.2.3, ${title} preset (simulated throttling)${runs ? `, run with the median performance of ${runs.length}` : ''}`]);
  for (const [category, score] of Object.entries(results[key].scores)) {
    rows.push([`  ${category}`, String(score), '', '', String(previous?.[key]?.scores?.[category] ?? '')]);
  }
  for (const [i, r] of (runs ?? []).entries()) {
    const m = r.metrics;
    const f = r.fcp_vs_wasm;
    rows.push([
      `  run ${i + 1}: performance ${r.scores.performance}, FCP ${secs(m['first-contentful-paint'])}, LCP ${secs(m['largest-contentful-paint'])},` +
        ` TBT ${Math.round(m['total-blocking-time'])} ms, CLS ${m['cumulative-layout-shift']?.toFixed(3)}`,
    ]);
    rows.push([
      `    FCP before the wasm finished downloading? observed: ${yesNo(f.observed.before)} (FCP ${f.observed.fcp_ms} ms, wasm end ${f.observed.wasm_end_ms} ms);` +
        ` simulated: ${yesNo(f.simulated.before)} (FCP ${f.simulated.fcp_ms} ms, wasm end >= ${f.simulated.wasm_end_lower_bound_ms} ms)`,
    ]);
  }
}
console.log('');
printTable(rows);
console.log(`\n${results.commit}, ${results.measured_at}, ${results.machine.cpus} CPUs, ${results.duration_s.toFixed(0)} s (after the builds)`);
for (const line of twiggyNotes(results.twiggy)) console.log(line);
for (const [key, title] of [['lighthouse', 'mobile'], ['lighthouse_desktop', 'desktop']]) {
  if (!results[key].findings.length) continue;
  console.log(`Lighthouse (${title}${results[key].runs ? `, the median run` : ''}) audits below full score (weight in the category's score):`);
  for (const f of results[key].findings) console.log(`  ${f.category}: ${f.id} = ${f.score} [weight ${f.weight}] ${f.title} ${f.value}`);
}
const lhErrors = results.lighthouse.errors.map((e) => e.id);
if (lhErrors.length) console.log(`Lighthouse diagnostics that failed to compute (weight 0, no effect on the scores): ${lhErrors.join(', ')}`);
const lhReports = [...results.lighthouse.runs.map((r) => r.report), results.lighthouse_desktop.report].join(', ');
console.log(`wrote ${path.relative(ROOT, RESULTS)}${previous ? `, previous run in ${path.relative(ROOT, PREVIOUS)}` : ''}, ${lhReports} (and .html), target/bench/twiggy/`);
