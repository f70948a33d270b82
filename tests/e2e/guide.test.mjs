// DEPLOY.md's diagram renders with the real `mermaid` package (pinned in
// package.json) in headless Chromium, for every fixture config, and the drawing
// names every box of the flow. The page stays offline: mermaid is loaded from
// node_modules into a blank page, never into the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { launchBrowser, cliBundle, ROOT } from './harness.mjs';
import { fixture, FIXTURES } from './wizard.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** The body of the ```mermaid block of a Markdown text. */
function mermaidBlock(markdown) {
  const match = markdown.match(/```mermaid\n([\s\S]*?)```/);
  assert.ok(match, 'DEPLOY.md has a mermaid block');
  return match[1];
}

test('DEPLOY.md diagrams render with mermaid for every fixture', async () => {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js') });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
  const names = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  assert.ok(names.length >= 10);
  for (const name of names) {
    const files = await cliBundle(await fixture(name));
    const source = mermaidBlock(files['DEPLOY.md']);
    const result = await page.evaluate(async ([id, text]) => {
      try {
        await window.mermaid.parse(text);
        const { svg } = await window.mermaid.render(id, text);
        const holder = document.createElement('div');
        holder.innerHTML = svg;
        return { nodes: holder.querySelectorAll('.node').length, edges: holder.querySelectorAll('.edgeLabel').length, text: holder.textContent };
      } catch (error) {
        return { error: String(error) };
      }
    }, [`diagram-${name}`, source]);
    assert.equal(result.error, undefined, `${name}: ${result.error}`);
    const boxes = source.split('\n').filter((line) => line.includes('["'));
    assert.equal(result.nodes, boxes.length, name);
    for (const line of boxes) {
      // The resource's name: the second line of the label.
      const label = line.slice(line.indexOf('["') + 2, line.lastIndexOf('"]'));
      const resource = label.split('<br/>')[1].replaceAll('#quot;', '"');
      assert.ok(result.text.includes(resource), `${name}: the drawing shows ${resource}`);
    }
  }
  await page.close();
});
