// Where the wasm's bytes go: twiggy (crates.io, pinned by scripts/setup-bench) on
// analysis copies of the app's and the generator-only wasm, grouped by crate and by
// our own modules.
//
// The shipped wasm has no function names (wasm-opt drops them), so the copies are
// built from cargo's output the way Trunk builds the page, but keeping names:
//   wasm-bindgen --target web --keep-debug, then
//   wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int
// into target/bench/twiggy/ (rebuilt only when cargo's output is newer). `-g` keeps
// the "name" custom section, which the shipped wasm does not have: it is counted on
// its own line and left out of the code and data figures.
//
// Grouping rule, on each item of `twiggy top` (its shallow size, demangled name):
// - `data[N]` (data segments: strings, tables, constants) -> "data"; twiggy cannot
//   say which code owns a segment;
// - a function: the first crate path of its name, hash and `[disambiguator]` dropped:
//   `a::b::f` -> a; `<T as Trait>::f` -> T's crate (the trait's when T is generic,
//   core when T is a primitive); `<impl Trait for T>` inside a path -> that path;
//   `core::ptr::drop_in_place<X>` -> X's crate; `&`, `mut`, `dyn`, `[..]` peeled;
//   wasm-bindgen's "X multivalue shim"/"X externref shim" -> X's crate;
//   a name without a path that the wasm exports -> the wasm's own crate
//   (#[wasm_bindgen] functions); compiler intrinsics (memcpy, __multi3, ...) ->
//   compiler_builtins; `code[N]` (no name at all) and other names without a path
//   -> "unattributed";
// - the names section -> "names section (analysis only)"; types, imports, exports,
//   tables, globals, elem and section headers -> "wasm structure"; other custom
//   sections (producers, target_features) -> "custom sections".
// Our modules: the crate plus its top-level module (keyless_core::cloudformation,
// keyless_web::app), one level deeper under keyless_web::components.
//
// Caveat: a function's bytes are counted where the code ended up after inlining
// (LLVM's with LTO, then wasm-opt's): code inlined into a Leptos closure counts as
// reactive_graph, code inlined into the generator-only's export as that crate.
// All sizes are raw bytes of the (uncompressed) wasm.
//
// `node bench/twiggy.mjs [--json]` builds the copies when stale and prints the tables;
// `wasmGroups(wasmPath)` groups one wasm that already has names.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile, mkdir, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, OUT, APP_DIST, GENERATOR_ONLY_WASM, printTable, kb } from './sizes.mjs';
import { listFiles } from './serve.mjs';

const run = promisify(execFile);
export const TWIGGY_VERSION = '0.7.0';
export const TWIGGY_OUT = path.join(OUT, 'twiggy');
const BIN = (tool) => {
  const local = path.join(ROOT, 'node_modules', '.bin', tool);
  return tool === 'wasm-opt' ? local : tool;
};
const CARGO_BIN = path.join(process.env.CARGO_HOME ?? path.join(process.env.HOME ?? '/root', '.cargo'), 'bin');
const ENV = { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${CARGO_BIN}:${process.env.PATH}` };
const OURS = ['keyless_core', 'keyless_web', 'keyless_bench_generator_only'];

/** The two wasms analysed by `make bench`: cargo's output, the shipped wasm to compare with. */
export const TARGETS = {
  app: {
    crate: 'keyless_web',
    cargo: path.join(ROOT, 'target', 'wasm32-unknown-unknown', 'release', 'keyless-web.wasm'),
    shipped: async () => {
      const files = await listFiles(APP_DIST).catch(() => []);
      const wasm = files.find((f) => f.endsWith('_bg.wasm'));
      return wasm ? path.join(APP_DIST, wasm) : null;
    },
  },
  generator_only: {
    crate: 'keyless_bench_generator_only',
    cargo: path.join(ROOT, 'bench', 'generator-only', 'target', 'wasm32-unknown-unknown', 'release', 'keyless_bench_generator_only.wasm'),
    shipped: async () => GENERATOR_ONLY_WASM,
  },
};

const mtime = (file) => stat(file).then((s) => s.mtimeMs, () => null);

/**
 * The analysis copy of `input` (cargo's wasm) as target/bench/twiggy/<name>.wasm:
 * wasm-bindgen --keep-debug, wasm-opt -Oz -g, same features as Trunk's build.
 * Skipped when the copy is newer than `input`. Returns { optimised, bindgen }: the
 * copy, and wasm-bindgen's output before wasm-opt (LLVM's function boundaries).
 */
export async function analysisWasm(name, input) {
  const out = path.join(TWIGGY_OUT, `${name}.wasm`);
  const inputTime = await mtime(input);
  if (inputTime === null) throw new Error(`${path.relative(ROOT, input)} is missing: build it first (make site / make generator-only)`);
  const outTime = await mtime(out);
  const dir = path.join(TWIGGY_OUT, name);
  const bindgen = path.join(dir, path.basename(input).replace(/\.wasm$/, '_bg.wasm'));
  if (outTime !== null && outTime > inputTime && (await mtime(bindgen)) !== null) return { optimised: out, bindgen };
  await mkdir(dir, { recursive: true });
  await run('wasm-bindgen', ['--target', 'web', '--keep-debug', '--out-dir', dir, input], { env: ENV });
  await run(BIN('wasm-opt'), ['-Oz', '-g', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', bindgen, '-o', out], { env: ENV });
  return { optimised: out, bindgen };
}

/** Sections of a wasm binary: [{ id, name (custom sections), start, end }] (end exclusive). */
export function wasmSections(buf) {
  let p = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = buf[p++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const sections = [];
  while (p < buf.length) {
    const start = p;
    const id = buf[p++];
    const size = leb();
    const body = p;
    let name = null;
    if (id === 0) {
      const len = leb();
      name = buf.subarray(p, p + len).toString('utf8');
    }
    p = body + size;
    sections.push({ id, name, start, end: p });
  }
  return sections;
}

const SECTION_NAMES = { 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory', 6: 'global', 7: 'export', 8: 'start', 9: 'elem', 10: 'code', 11: 'data', 12: 'data count' };

/** Raw and gzip -9 bytes of each section (custom sections by name), for the gzip picture. */
export function sectionSizes(buf) {
  const out = {};
  for (const s of wasmSections(buf)) {
    const key = s.id === 0 ? `custom '${s.name}'` : SECTION_NAMES[s.id] ?? `section ${s.id}`;
    const bytes = buf.subarray(s.start, s.end);
    out[key] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  return out;
}

// twiggy 0.7.0 panics on a DataCount section ("should not parse the same key into
// multiple items": it adds that section twice), which wasm-opt writes with bulk
// memory. The copy handed to twiggy leaves it out; its bytes are added back as
// "wasm structure".
function withoutDataCount(buf) {
  const sections = wasmSections(buf);
  const kept = [buf.subarray(0, 8)];
  let dropped = 0;
  for (const s of sections) {
    if (s.id === 12) dropped += s.end - s.start;
    else kept.push(buf.subarray(s.start, s.end));
  }
  return { buf: Buffer.concat(kept), dropped };
}

// ---- the grouping rule ------------------------------------------------------------

const PRIMITIVES = new Set(['bool', 'char', 'str', 'f32', 'f64', 'i8', 'i16', 'i32', 'i64', 'i128', 'isize', 'u8', 'u16', 'u32', 'u64', 'u128', 'usize', '()', '!']);
const BUILTINS = /^(mem(cpy|set|move|cmp)|bcmp|__(mul|div|udiv|mod|umod|ashl|ashr|lshr|muloti|multi|divti|udivti|modti|umodti)\w*|__rust_probestack)$/;
const UNPATHED = [
  [/^__wbindgen_|^__wbg_|^__externref_|^__wasm_bindgen|^wasm_bindgen__/, 'wasm_bindgen'],
  [/^intounderlying/, 'wasm_streams'],
  [/^(main|__main_void|__original_main|__wasm_call_ctors|_start)$/, 'std'],
  [/^rust_(begin_unwind|panic|oom)|^__rust_(alloc|dealloc|realloc|alloc_zeroed|alloc_error_handler)/, 'std'],
];

/** Index of the `>` matching the `<` at `open`. */
function closing(s, open) {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '<') depth++;
    else if (s[i] === '>' && s[i - 1] !== '-') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return s.length;
}

/** Splits at `sep` outside <>, [] and (). */
function splitTop(s, sep) {
  const parts = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '<' || c === '[' || c === '(') depth++;
    else if ((c === '>' && s[i - 1] !== '-') || c === ']' || c === ')') depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(from, i));
      from = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(from));
  return parts;
}

/** Peels references, pointers, `dyn`, slices/arrays and tuples off a type. */
function peelType(t) {
  let s = t.trim();
  for (;;) {
    const before = s;
    s = s.replace(/^(&|\*const |\*mut |mut |dyn |impl )/, '').trim();
    if (s.startsWith('[') && s.endsWith(']')) s = splitTop(s.slice(1, -1), ';')[0].trim();
    if (s.startsWith('(') && s.endsWith(')') && s !== '()') s = splitTop(s.slice(1, -1), ',')[0].trim();
    if (s === before) return s;
  }
}

/**
 * The path a demangled name belongs to, as segments without generics, or null:
 * `<T as Trait>::f` -> T's path (Trait's when T has none), `drop_in_place<X>` -> X's.
 */
export function ownerPath(name) {
  let s = name
    .replace(/::h[0-9a-f]{16}$/, '')
    .replace(/\[[0-9a-f]{1,16}\]/g, '')
    .replace(/ (multivalue|externref) shim$/, '')
    .trim();
  if (s.startsWith('<')) {
    const end = closing(s, 0);
    const inner = s.slice(1, end);
    const [self, trait] = splitTop(inner, ' as ');
    const selfPath = ownerPath(peelType(self));
    if (selfPath) return selfPath;
    const bare = peelType(self);
    if (PRIMITIVES.has(bare) || /^(str|\[|\()/.test(bare)) return ['core'];
    return trait ? ownerPath(peelType(trait)) : null;
  }
  const segments = splitTop(s, '::');
  // core::ptr::drop_in_place<X> (and other drop glue): X's crate.
  const last = segments[segments.length - 1];
  const drop = /^drop_in_place(::)?<(.*)>$/.exec(last);
  if (drop && segments[0] === 'core') {
    const inner = ownerPath(peelType(drop[2]));
    if (inner) return inner;
  }
  const names = [];
  for (const seg of segments) {
    if (seg.startsWith('<impl ')) break; // `a::b::<impl Trait for T>::f`: the path a::b
    if (seg.startsWith('{{') || seg.startsWith('{')) {
      names.push(seg);
      continue;
    }
    names.push(seg.replace(/<.*$/s, ''));
  }
  if (names.length < 2 && segments.length < 2) return null;
  return names;
}

/** { crate, module } of a `twiggy top` item; module only for our crates. */
export function attribute(itemName, { ownCrate, exports }) {
  const name = itemName;
  if (/^data\[\d+\]$/.test(name)) return { crate: 'data' };
  if (/^code\[\d+\]$/.test(name)) return { crate: 'unattributed' };
  if (/subsection$/.test(name) || name === "custom section 'name' headers" || name === "custom section 'name'") {
    return { crate: 'names section (analysis only)' };
  }
  if (/^custom section /.test(name)) return { crate: 'custom sections' };
  if (/^(type\[|import |export |table\[|memory\[|global\[|elem\[|func\[)|section headers$|^wasm magic bytes$|^"(start|data count)" section$/.test(name)) {
    return { crate: 'wasm structure' };
  }
  const segments = ownerPath(name);
  if (!segments) {
    const bare = name.replace(/ (multivalue|externref) shim$/, '').replace(/::h[0-9a-f]{16}$/, '');
    if (BUILTINS.test(bare)) return { crate: 'compiler_builtins' };
    for (const [re, crate] of UNPATHED) if (re.test(bare)) return { crate };
    if (exports.has(bare)) return { crate: ownCrate, module: `${ownCrate} (exported functions)` };
    return { crate: 'unattributed' };
  }
  const crate = segments[0];
  if (!OURS.includes(crate)) return { crate };
  // Module: leading lowercase segments, the item's own name (the last one) left out.
  const mods = [];
  for (const seg of segments.slice(0, -1)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(seg)) break;
    mods.push(seg);
  }
  const depth = mods[1] === 'components' && crate === 'keyless_web' ? 3 : 2;
  const module = mods.length ? mods.slice(0, depth).join('::') : crate;
  return { crate, module: module === crate ? `${crate} (crate root)` : module };
}

/** `twiggy top --format json` of a wasm file (all items). */
export async function twiggyTop(wasmPath) {
  const { buf, dropped } = withoutDataCount(await readFile(wasmPath));
  const tmp = path.join(TWIGGY_OUT, `.${path.basename(wasmPath)}.nodatacount.wasm`);
  await mkdir(TWIGGY_OUT, { recursive: true });
  await writeFile(tmp, buf);
  const { stdout } = await run('twiggy', ['top', '--format', 'json', tmp], { env: ENV, maxBuffer: 256 << 20 });
  const items = JSON.parse(stdout).map((i) => ({ name: i.name, bytes: i.shallow_size }));
  if (dropped) items.push({ name: '"data count" section', bytes: dropped });
  return items;
}

const sortDesc = (obj) => Object.fromEntries(Object.entries(obj).sort((a, b) => b[1] - a[1]));

/**
 * Groups the items of a wasm that has names (an analysis copy). Returns
 * { file_bytes, names_bytes, by_crate, by_module, top, check }: raw bytes; `top` the
 * 25 largest items with their group; `check` the sum of the groups vs the file.
 */
export async function wasmGroups(wasmPath, { ownCrate = 'keyless_web' } = {}) {
  const items = await twiggyTop(wasmPath);
  const exports = new Set(items.map((i) => /^export "(.*)"$/.exec(i.name)?.[1]).filter(Boolean));
  const byCrate = {};
  const byModule = {};
  const top = [];
  for (const item of [...items].sort((a, b) => b.bytes - a.bytes)) {
    const { crate, module } = attribute(item.name, { ownCrate, exports });
    byCrate[crate] = (byCrate[crate] ?? 0) + item.bytes;
    if (module) byModule[module] = (byModule[module] ?? 0) + item.bytes;
    if (top.length < 25) top.push({ name: item.name, bytes: item.bytes, crate, ...(module ? { module } : {}) });
  }
  const fileBytes = (await stat(wasmPath)).size;
  const grouped = Object.values(byCrate).reduce((a, b) => a + b, 0);
  const namesBytes = byCrate['names section (analysis only)'] ?? 0;
  return {
    wasm: path.relative(ROOT, wasmPath),
    file_bytes: fileBytes,
    names_bytes: namesBytes,
    by_crate: sortDesc(byCrate),
    by_module: sortDesc(byModule),
    top,
    check: { grouped_bytes: grouped, file_bytes: fileBytes, without_names_bytes: fileBytes - namesBytes },
  };
}

/**
 * Both analysis copies (built when stale) grouped, with the shipped wasm beside them:
 * { app, generator_only }, each wasmGroups(...) plus `shipped` (raw and gzip bytes of
 * the wasm the page loads, and per section) and twiggy's version.
 */
export async function analyseBoth() {
  const out = {};
  for (const [name, target] of Object.entries(TARGETS)) {
    const copy = await analysisWasm(name, target.cargo);
    const groups = await wasmGroups(copy.optimised, { ownCrate: target.crate });
    // Before wasm-opt: the same code as LLVM left it (8-10% bigger), whose function
    // boundaries say more about our modules, since wasm-opt -Oz inlines single-caller
    // functions (the generator into a Leptos memo, or into the generator-only's export).
    const before = await wasmGroups(copy.bindgen, { ownCrate: target.crate });
    groups.before_wasm_opt = {
      wasm: before.wasm,
      file_bytes: before.file_bytes,
      names_bytes: before.names_bytes,
      by_crate: before.by_crate,
      by_module: before.by_module,
      top: before.top.slice(0, 12),
    };
    const shippedPath = await target.shipped();
    const shipped = shippedPath ? await readFile(shippedPath).catch(() => null) : null;
    groups.shipped = shipped && {
      wasm: path.relative(ROOT, shippedPath),
      raw: shipped.length,
      gzip: gzipSync(shipped, { level: 9 }).length,
      sections: sectionSizes(shipped),
      // The shipped wasm is older than cargo's output when the site was not rebuilt.
      same_build: (await mtime(shippedPath)) >= (await mtime(target.cargo)),
    };
    out[name] = groups;
  }
  out.twiggy = TWIGGY_VERSION;
  return out;
}

/**
 * Table rows: the top `crates` groups by crate (view `crateView`) and the top `modules`
 * of our modules (view `moduleView`) of each wasm, with the share of that view's wasm
 * without its names section and the `previous` run's figure. Views: 'optimised' (the
 * -Oz copy: what ships) or 'before_wasm_opt' (what LLVM left: our modules' functions
 * not yet inlined into Leptos closures or the generator-only's export).
 */
export function twiggyRows(analysis, previous, { crates = 12, modules = 15, crateView = 'optimised', moduleView = 'before_wasm_opt' } = {}) {
  const rows = [];
  const titles = { app: 'the app', generator_only: 'the generator alone' };
  const how = { optimised: 'after wasm-opt -Oz, as shipped', before_wasm_opt: 'before wasm-opt' };
  const pick = (x, view) => (view === 'optimised' ? x : x?.[view]);
  for (const name of ['app', 'generator_only']) {
    for (const [key, view, count, label] of [['by_crate', crateView, crates, 'crate'], ['by_module', moduleView, modules, 'our module']]) {
      const a = pick(analysis?.[name], view);
      if (!a) continue;
      const p = pick(previous?.[name], view);
      const total = a.file_bytes - a.names_bytes;
      rows.push([`wasm of ${titles[name]} by ${label}, KB raw, share of ${kb(total)} KB (twiggy, ${how[view]})`]);
      for (const [group, bytes] of Object.entries(a[key]).filter(([g]) => !g.startsWith('names section')).slice(0, count)) {
        const before = p?.[key]?.[group];
        rows.push([`  ${group}`, kb(bytes), '', `${((bytes / total) * 100).toFixed(1)}%`, before === undefined ? '' : kb(before)]);
      }
    }
  }
  return rows;
}

/** Lines saying how the groups add up, for the end of the bench output. */
export function twiggyNotes(analysis) {
  const lines = [];
  for (const name of ['app', 'generator_only']) {
    const a = analysis?.[name];
    if (!a) continue;
    const s = a.shipped;
    const same = s && a.check.without_names_bytes === s.raw ? 'the same size as' : 'vs';
    lines.push(
      `twiggy ${name}: the groups sum to ${a.check.grouped_bytes} B, the analysis copy's size; ${a.names_bytes} B of it is the` +
        ` names section it keeps, leaving ${a.check.without_names_bytes} B of code, data and structure` +
        (s ? `, ${same} the shipped ${s.wasm} (${s.raw} B raw, ${s.gzip} B gzip${s.same_build ? '' : ', an older build than cargo\'s output'})` : ''),
    );
    if (s) {
      const parts = ['code', 'data'].filter((k) => s.sections[k]).map((k) => `${k} ${kb(s.sections[k].raw)} KB raw -> ${kb(s.sections[k].gzip)} KB gzip`);
      lines.push(`  shipped sections gzipped alone: ${parts.join(', ')}`);
    }
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const analysis = await analyseBoth();
  await writeFile(path.join(TWIGGY_OUT, 'groups.json'), JSON.stringify(analysis, null, 2) + '\n');
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(analysis, null, 2));
  } else {
    const rows = [['where the bytes go', 'KB', '', 'share', '']];
    for (const view of ['optimised', 'before_wasm_opt']) {
      rows.push(...twiggyRows(analysis, null, { crates: 20, modules: 30, crateView: view, moduleView: view }));
    }
    printTable(rows);
    for (const line of twiggyNotes(analysis)) console.log(line);
    for (const name of ['app', 'generator_only']) {
      console.log(`largest items of ${name}:`);
      for (const t of analysis[name].top.slice(0, 12)) console.log(`  ${String(t.bytes).padStart(7)}  ${t.module ?? t.crate}  ${t.name.slice(0, 110)}`);
    }
    console.log(`wrote ${path.relative(ROOT, path.join(TWIGGY_OUT, 'groups.json'))}`);
  }
}
