// Trunk post-build hook, two steps on the staged site:
//
// 1. Release builds only: minify the wasm-bindgen JavaScript glue with terser
//    (Trunk minifies HTML and CSS but not this file; about 7.3 -> 5.4 KB gzip) and
//    update its Subresource Integrity hash in index.html. Its name keeps Trunk's
//    content hash: the minified text is a function of the original.
// 2. Move the inline module script Trunk writes into index.html into its own
//    content-hashed file, so the Content-Security-Policy can forbid inline scripts
//    (`script-src 'self' 'wasm-unsafe-eval'`) and the file caches like any asset.
// 3. Copy public/ (static pages such as GitHub Pages' 404.html) to the site's root
//    as they are, but for {{PUBLIC_URL}}, the path the site is served under.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { minify } from 'terser';

const staging = process.env.TRUNK_STAGING_DIR;
const publicUrl = process.env.TRUNK_PUBLIC_URL ?? '/';
if (!staging) throw new Error('TRUNK_STAGING_DIR is not set: run this as a Trunk hook');

const sri = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;
const indexPath = path.join(staging, 'index.html');
let html = await readFile(indexPath, 'utf8');

if (process.env.TRUNK_PROFILE === 'release') {
  const glue = (await readdir(staging)).filter((f) => f.endsWith('.js') && !f.startsWith('boot-'));
  if (glue.length !== 1) throw new Error(`expected one wasm-bindgen glue file, found ${glue.join(', ')}`);
  const file = path.join(staging, glue[0]);
  const original = await readFile(file, 'utf8');
  const { code } = await minify(original, { module: true, compress: true, mangle: true });
  const oldHash = sri(original);
  if (!html.includes(oldHash)) throw new Error(`index.html has no integrity ${oldHash} for ${glue[0]}`);
  await writeFile(file, code);
  html = html.replaceAll(oldHash, sri(code));
}

const inline = /<script type="?module"?>([\s\S]*?)<\/script>/g;
const matches = [...html.matchAll(inline)];
if (matches.length !== 1) throw new Error(`expected one inline module script, found ${matches.length}`);
const [whole, body] = matches[0];
const digest = createHash('sha384').update(body).digest();
const name = `boot-${digest.toString('hex').slice(0, 16)}.js`;
await writeFile(path.join(staging, name), body);
const tag = `<script type="module" src="${publicUrl}${name}" integrity="sha384-${digest.toString('base64')}"></script>`;
await writeFile(indexPath, html.replace(whole, tag));

const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');
for (const file of await readdir(publicDir)) {
  const text = await readFile(path.join(publicDir, file), 'utf8');
  await writeFile(path.join(staging, file), text.replaceAll('{{PUBLIC_URL}}', publicUrl));
}
