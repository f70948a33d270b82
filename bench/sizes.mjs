// Transfer sizes of a built site: every file its index.html loads (directly, or
// named by a loaded JS/CSS file: the boot script, the wasm-bindgen glue, the wasm,
// the stylesheet, the icon), raw, gzip -9 and brotli (quality 11).
//
// `node bench/sizes.mjs` measures dist/ (the app) and bench/baseline/dist/, prints
// a table and writes target/bench/sizes.json, which `make test-budget` reads.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listFiles } from './serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const APP_DIST = path.join(ROOT, 'dist');
export const BASELINE_DIST = path.join(ROOT, 'bench', 'baseline', 'dist');
/** `make generator-only`: keyless-core alone in a wasm, no UI, same profile and wasm-opt. */
export const GENERATOR_ONLY_WASM = path.join(ROOT, 'target', 'bench', 'generator-only', 'keyless_bench_generator_only_bg.wasm');
export const OUT = path.join(ROOT, 'target', 'bench');
export const SIZES_FILE = path.join(OUT, 'sizes.json');

export function compressed(body) {
  return {
    raw: body.length,
    gzip: gzipSync(body, { level: 9 }).length,
    brotli: brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }).length,
  };
}

const TEXT = /\.(html|js|mjs|css|svg|json|webmanifest)$/;

/**
 * The files of `dist` that loading its index.html fetches: index.html, then every
 * file whose name appears in a file already known to load (HTML or text asset).
 * Returns { files: [{ path, raw, gzip, brotli }], total, unreferenced }.
 */
export async function measureSite(dist) {
  const all = await listFiles(dist);
  if (!all.includes('index.html')) throw new Error(`${dist} has no index.html: build it first`);
  const loaded = ['index.html'];
  for (let i = 0; i < loaded.length; i++) {
    if (!TEXT.test(loaded[i])) continue;
    const text = await readFile(path.join(dist, loaded[i]), 'utf8');
    for (const candidate of all) {
      if (!loaded.includes(candidate) && text.includes(path.posix.basename(candidate))) loaded.push(candidate);
    }
  }
  const files = [];
  for (const rel of loaded) files.push({ path: rel, ...compressed(await readFile(path.join(dist, rel))) });
  files.sort((a, b) => b.gzip - a.gzip);
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) for (const k of Object.keys(total)) total[k] += f[k];
  return { files, total, unreferenced: all.filter((f) => !loaded.includes(f)) };
}

/** Measures app and baseline; `ratio` is app / baseline per encoding. With
 * `generator_only_wasm`: the generator's own wasm (null when not built). */
export async function measureBoth() {
  const app = await measureSite(APP_DIST);
  const baseline = await measureSite(BASELINE_DIST);
  const ratio = {};
  for (const k of Object.keys(app.total)) ratio[k] = app.total[k] / baseline.total[k];
  const generatorOnly = await readFile(GENERATOR_ONLY_WASM).catch(() => null);
  return {
    measured_at: new Date().toISOString(),
    app,
    baseline,
    ratio,
    generator_only_wasm: generatorOnly && compressed(generatorOnly),
  };
}

/** The table row of the generator's own wasm, gzip, or none when it was not built. */
export function generatorOnlyRows(sizes) {
  const g = sizes.generator_only_wasm;
  return g ? [['  gzip of the generator alone (a wasm without UI)', kb(g.gzip), '', '']] : [];
}

export const kb = (bytes) => (bytes / 1000).toFixed(1);

export function sizesTable(sizes) {
  const rows = [['size (KB = 1000 bytes)', 'app', 'baseline', 'app/baseline']];
  for (const k of ['raw', 'gzip', 'brotli']) {
    rows.push([`total ${k === 'gzip' ? 'gzip -9' : k}`, kb(sizes.app.total[k]), kb(sizes.baseline.total[k]), `${sizes.ratio[k].toFixed(2)}x`]);
  }
  return rows;
}

export function printTable(rows) {
  // Title rows (one cell) are printed as they are and do not widen the first column.
  const cells = rows.filter((r, i) => i === 0 || r.length > 1);
  const widths = rows[0].map((_, c) => Math.max(...cells.map((r) => String(r[c] ?? '').length)));
  const line = (r) => r.map((cell, c) => (c === 0 ? String(cell ?? '').padEnd(widths[c]) : String(cell ?? '').padStart(widths[c]))).join('  ');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(r.length === 1 ? r[0] : line(r));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await measureBoth();
  await mkdir(OUT, { recursive: true });
  await writeFile(SIZES_FILE, JSON.stringify(sizes, null, 2) + '\n');
  const rows = sizesTable(sizes);
  for (const f of sizes.app.files) rows.push([`  app ${f.path}`, kb(f.gzip) + ' gz', '', '']);
  rows.push(...generatorOnlyRows(sizes));
  printTable(rows);
  if (sizes.app.unreferenced.length) console.log(`dist files the page does not load: ${sizes.app.unreferenced.join(', ')}`);
  console.log(`wrote ${path.relative(ROOT, SIZES_FILE)}`);
}
