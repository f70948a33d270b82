// Lighthouse 12.2.3 (npm, pinned in package.json) against a served build, with
// Debian's Chromium and the end-to-end tests' no-network flags. Default config:
// mobile emulation with simulated throttling, as PageSpeed Insights reports it.
// Writes target/bench/<name>.report.{json,html}; returns the four scores, the metrics,
// every audit that is not at full score, and whether First Contentful Paint came
// before the wasm finished downloading. `lighthouseRuns` runs it several times
// (lighthouse-1, -2, -3) and reports the run with the median performance score.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/harness.mjs';
import { ROOT, OUT } from './sizes.mjs';

const run = promisify(execFile);
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

// Lighthouse's flag parser splits on spaces: quote values that hold one.
const chromeFlags = ['--headless=new', ...CHROMIUM_ARGS]
  .map((flag) => (flag.includes(' ') ? flag.replace(/=(.*)$/, '="$1"') : flag))
  .join(' ');

export async function lighthouse(url, { preset, name = preset ? `lighthouse-${preset}` : 'lighthouse' } = {}) {
  const outputPath = path.join(OUT, name);
  const args = [
    url,
    `--chrome-flags=${chromeFlags}`,
    '--output=json',
    '--output=html',
    `--output-path=${outputPath}`,
    `--only-categories=${CATEGORIES.join(',')}`,
    '--quiet',
    ...(preset ? [`--preset=${preset}`] : []),
  ];
  await run(path.join(ROOT, 'node_modules', '.bin', 'lighthouse'), args, {
    env: { ...process.env, CHROME_PATH: CHROMIUM_PATH },
    maxBuffer: 64 << 20,
  });
  const report = JSON.parse(await readFile(`${outputPath}.report.json`, 'utf8'));
  if (report.runtimeError) throw new Error(`lighthouse: ${report.runtimeError.code} ${report.runtimeError.message}`);
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(report.categories[c].score * 100)]));
  const findings = [];
  for (const category of CATEGORIES) {
    for (const ref of report.categories[category].auditRefs) {
      const audit = report.audits[ref.id];
      if (audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== 'informative' && audit.scoreDisplayMode !== 'manual') {
        findings.push({ category, id: ref.id, weight: ref.weight, score: audit.score, title: audit.title, value: audit.displayValue ?? '' });
      }
    }
  }
  // Lighthouse 12 reads traces of a much newer Chromium here: a few diagnostics (all of
  // weight 0) fail to compute; they are listed, the scores do not depend on them.
  const errors = Object.entries(report.audits)
    .filter(([, audit]) => audit.scoreDisplayMode === 'error')
    .map(([id, audit]) => ({ id, message: (audit.errorMessage ?? '').slice(0, 160) }));
  const metrics = {};
  for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index', 'interactive']) {
    if (report.audits[id]) metrics[id] = report.audits[id].numericValue;
  }
  return {
    scores,
    metrics,
    fcp_vs_wasm: fcpVsWasm(report),
    findings,
    errors,
    chromium: report.environment.hostUserAgent,
    report: path.relative(ROOT, `${outputPath}.report.json`),
  };
}

/**
 * Did First Contentful Paint come before the wasm finished downloading?
 * - observed (the unthrottled load Lighthouse recorded): the `.wasm` request's
 *   networkEndTime from the network-requests audit (relative to the first request;
 *   moved to navigation start with debugData.networkStartTimeTs) vs
 *   metrics' observedFirstContentfulPaint, both ms after navigation start;
 * - simulated (what the score uses): Lighthouse reports no simulated time per request,
 *   so the simulated FCP is compared with a lower bound of the wasm's simulated end:
 *   2 round trips (document, wasm) plus every byte that had arrived by the wasm's
 *   observed end (the wasm's own included) at the simulated throughput.
 * All in ms; `before` is null when something is missing from the report.
 */
export function fcpVsWasm(report) {
  const items = report.audits['network-requests']?.details?.items ?? [];
  const debug = report.audits['network-requests']?.details?.debugData;
  const metrics = report.audits.metrics?.details?.items?.[0] ?? {};
  const wasm = items.find((i) => /\.wasm(\?|$)/.test(i.url));
  const offset = debug?.networkStartTimeTs && metrics.observedNavigationStartTs ? (debug.networkStartTimeTs - metrics.observedNavigationStartTs) / 1000 : 0;
  const end = wasm ? (wasm.networkEndTime ?? wasm.endTime) + offset : null;
  const observedFcp = metrics.observedFirstContentfulPaint ?? null;
  const throttling = report.configSettings?.throttling ?? {};
  const simulatedFcp = report.audits['first-contentful-paint']?.numericValue ?? null;
  let simulatedWasmEnd = null;
  if (wasm && report.configSettings?.throttlingMethod === 'simulate' && throttling.throughputKbps) {
    const bytes = items.filter((i) => i.networkEndTime <= wasm.networkEndTime).reduce((sum, i) => sum + (i.transferSize ?? 0), 0);
    simulatedWasmEnd = 2 * throttling.rttMs + (bytes * 8) / throttling.throughputKbps;
  }
  const round = (x) => (x === null ? null : Math.round(x));
  return {
    wasm_transfer_bytes: wasm?.transferSize ?? null,
    observed: {
      wasm_end_ms: round(end),
      fcp_ms: round(observedFcp),
      before: end === null || observedFcp === null ? null : observedFcp < end,
    },
    simulated: {
      wasm_end_lower_bound_ms: round(simulatedWasmEnd),
      fcp_ms: round(simulatedFcp),
      before: simulatedWasmEnd === null || simulatedFcp === null ? null : simulatedFcp < simulatedWasmEnd,
    },
  };
}

/**
 * `runs` Lighthouse runs (reports lighthouse-1, -2, ... .report.json): the run with the
 * median performance score (its scores, findings and report), plus `runs`: each run's
 * scores, metrics and FCP-vs-wasm, and `median_performance`.
 */
export async function lighthouseRuns(url, runs = 3, { preset } = {}) {
  const all = [];
  for (let i = 1; i <= runs; i++) {
    all.push(await lighthouse(url, { preset, name: `lighthouse${preset ? `-${preset}` : ''}-${i}` }));
  }
  const order = all.map((r, i) => i).sort((a, b) => all[a].scores.performance - all[b].scores.performance);
  const median = all[order[Math.floor((all.length - 1) / 2)]];
  return {
    ...median,
    median_performance: median.scores.performance,
    runs: all.map((r) => ({ scores: r.scores, metrics: r.metrics, fcp_vs_wasm: r.fcp_vs_wasm, report: r.report })),
  };
}
