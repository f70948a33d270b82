// A static server for a built site on 127.0.0.1, answering like GitHub Pages does:
// the site under its public URL, gzip for every compressible type when the client
// accepts it, `Cache-Control: max-age=600`, an ETag and 304s. Used by `make bench`
// for the load timings and Lighthouse, so they see what a visitor of the Pages site
// gets (minus the network).
import { createServer } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.wasm', '.css', '.svg', '.json', '.txt', '.webmanifest', '.ico']);

/** Every file under `dir` (relative paths, `/`-separated), skipping dot-directories. */
export async function listFiles(dir, sub = '') {
  const out = [];
  for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * Serves `dist` under `publicUrl` (e.g. `/` or `/keyless/`). Returns
 * { origin, url, requests, close }; `requests` lists every request path served.
 */
export async function serveSite(dist, publicUrl = '/') {
  const files = new Map();
  for (const rel of await listFiles(dist)) {
    const body = await readFile(path.join(dist, rel));
    const ext = path.extname(rel);
    files.set(rel, {
      body,
      gzip: COMPRESSIBLE.has(ext) ? gzipSync(body, { level: 6 }) : null,
      type: TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`,
    });
  }
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push(url.pathname);
    let rel = url.pathname.startsWith(publicUrl) ? decodeURIComponent(url.pathname.slice(publicUrl.length)) : null;
    if (rel === '' || rel?.endsWith('/')) rel += 'index.html';
    const file = rel === null ? undefined : files.get(rel);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const headers = {
      'content-type': file.type,
      'cache-control': 'max-age=600',
      etag: file.etag,
      vary: 'Accept-Encoding',
    };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const gzip = file.gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    const body = gzip ? file.gzip : file.body;
    headers['content-length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: origin + publicUrl,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}
