// Trunk post-build hook: moves the inline module script Trunk writes into index.html
// into its own content-hashed file, so the Content-Security-Policy can forbid inline
// scripts (`script-src 'self' 'wasm-unsafe-eval'`) and the file caches like any asset.
import { readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
const publicUrl = process.env.TRUNK_PUBLIC_URL ?? '/';
if (!staging) throw new Error('TRUNK_STAGING_DIR is not set: run this as a Trunk hook');

const indexPath = path.join(staging, 'index.html');
const html = await readFile(indexPath, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/g;
const matches = [...html.matchAll(inline)];
if (matches.length !== 1) throw new Error(`expected one inline module script, found ${matches.length}`);

const [whole, body] = matches[0];
const digest = createHash('sha384').update(body).digest();
const name = `boot-${digest.toString('hex').slice(0, 16)}.js`;
await writeFile(path.join(staging, name), body);
const tag = `<script type="module" src="${publicUrl}${name}" integrity="sha384-${digest.toString('base64')}"></script>`;
await writeFile(indexPath, html.replace(whole, tag));
