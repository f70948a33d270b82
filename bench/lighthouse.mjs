// Lighthouse 12.2.3 (npm, pinned in package.json) against a served build, with
// Debian's Chromium and the end-to-end tests' no-network flags. Default config:
// mobile emulation with simulated throttling, as PageSpeed Insights reports it.
// Writes target/bench/lighthouse.report.{json,html}; returns the four scores and
// every audit that is not at full score.
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

export async function lighthouse(url, { preset } = {}) {
  const name = preset ? `lighthouse-${preset}` : 'lighthouse';
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
  return { scores, metrics, findings, errors, chromium: report.environment.hostUserAgent, report: path.relative(ROOT, `${outputPath}.report.json`) };
}
