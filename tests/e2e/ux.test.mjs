// The wizard as a first-time user meets it (issue 17), at 375 and 1280 px in
// headless Chromium: a share link pasted into an open tab applies, and the share
// link is built from what is on screen; a failed Next moves focus to the problems;
// the stepper shows each step's state; nothing scrolls sideways at 320 and 375 px;
// Enter goes on; a reload keeps the step; the subject format sits under
// "Advanced"; small things (anchors, placeholders, plurals, disabled buttons);
// the files grouped by what the user does with them. Screenshots of every step
// at both widths go to target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, artifactText, selectFile, OUTPUT } from './harness.mjs';
import { Wizard, fixture } from './wizard.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  await mkdir(OUTPUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const WIDTHS = [[1280, 900], [375, 812]];
const STEPS = ['GitHub', 'AWS', 'App', 'Traffic', 'Network', 'Review'];

async function open(width, height, options = {}) {
  return openPage(browser, server.origin, { viewport: { width, height }, ...options });
}

/** The stepper's buttons as `{ name, progress, current }`. */
async function stepper(page) {
  return page.locator('.steps button').evaluateAll((buttons) =>
    buttons.map((b) => ({
      text: b.textContent.replace(/\s+/g, ' ').trim(),
      progress: b.dataset.progress,
      current: b.getAttribute('aria-current') === 'step',
    })),
  );
}

/** How far the page scrolls sideways (0 when it fits). */
async function sideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

for (const [width, height] of WIDTHS) {
  test(`${width} px: a share link pasted into an open tab applies, says so, and the share link is what is on screen`, async () => {
    const other = await open(width, height);
    await other.page.goto(server.url);
    await new Wizard(other.page).fill(await fixture('environment'));
    const linkB = other.page.url();
    const trustB = await artifactText(other.page, 'infra/trust-policy.json');
    await other.context.close();

    const { context, page } = await open(width, height, { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(server.url);
    const wizard = new Wizard(page);
    await wizard.fill(await fixture('defaults'));
    assert.notEqual(await artifactText(page, 'infra/trust-policy.json'), trustB);

    await page.goto(linkB); // same document, new fragment: a hashchange, no reload
    await page.getByText('Loaded the configuration from the link.').waitFor();
    await selectFile(page, 'infra/trust-policy.json');
    await page.waitForFunction((expected) => document.querySelector('[data-artifact="infra/trust-policy.json"]')?.textContent === expected, trustB);
    await wizard.step('GitHub');
    assert.equal(await wizard.field('GitHub environment (optional)').inputValue(), (await fixture('environment')).environment);

    await wizard.field('Branch').fill('release');
    await page.getByRole('button', { name: 'Copy share link' }).click();
    await page.getByText(/Share link copied/).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, page.url(), 'the link copied is the one of the state on screen');
    assert.match(decodeURIComponent(new URL(copied).hash), /"branch":"release"/);
    await context.close();
  });

  test(`${width} px: the first failed Next on a fresh page moves focus to the problems, in view`, async () => {
    const { context, page } = await open(width, height);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'summary-github');
    const box = await page.locator('#summary-github').boundingBox();
    assert.ok(box.y >= -1 && box.y < height, `the summary is in view (top at ${box.y})`);
    assert.match(await page.locator('#summary-github').textContent(), /GitHub/);
    // The step with problems says so, in words too.
    const [github] = await stepper(page);
    assert.equal(github.progress, 'problems');
    assert.match(github.text, /has problems/);
    await page.screenshot({ path: path.join(OUTPUT, `ux-first-next-${width}.png`) });
    await context.close();
  });

  test(`${width} px: the stepper shows done, current, problems and not yet, on one line at desktop widths`, async () => {
    const { context, page } = await open(width, height);
    await page.goto(server.url);
    let steps = await stepper(page);
    assert.deepEqual(steps.map((s) => s.progress), ['current', 'todo', 'todo', 'todo', 'todo', 'todo']);
    assert.match(steps[1].text, /not done yet/);
    const wizard = new Wizard(page);
    await wizard.fill(await fixture('defaults'));
    steps = await stepper(page);
    assert.deepEqual(steps.map((s) => s.progress), ['done', 'done', 'done', 'done', 'done', 'current']);
    assert.match(steps[0].text, /, done$/);
    await wizard.step('AWS');
    await wizard.field('AWS account id').fill('12');
    steps = await stepper(page);
    assert.equal(steps[1].progress, 'problems');
    assert.equal(steps[1].current, true);
    const tops = await page.locator('.steps button').evaluateAll((bs) => bs.map((b) => Math.round(b.getBoundingClientRect().top)));
    assert.equal(new Set(tops).size, 1, `one line (tops ${tops})`);
    if (width < 640) {
      assert.equal(await page.locator('.step-count').textContent(), 'Step 2 of 6');
    }
    await page.locator('nav[aria-label="Steps"]').screenshot({ path: path.join(OUTPUT, `ux-stepper-${width}.png`) });
    await context.close();
  });

  test(`${width} px: Enter goes to the next step on a complete step, shows the problems on an incomplete one, and does nothing on Review`, async () => {
    const { context, page } = await open(width, height);
    await page.goto(server.url);
    const wizard = new Wizard(page);
    await wizard.fill(await fixture('defaults'));
    await wizard.step('AWS');
    await wizard.field('AWS account id').press('Enter');
    await page.getByRole('heading', { level: 2, name: 'App', exact: true }).waitFor();
    await wizard.field('Container port').fill('');
    await wizard.field('Container port').press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'summary-app');
    await wizard.field('Container port').fill('8080');
    await wizard.step('Network');
    await wizard.field('Give each task a public IPv4 address').focus();
    await wizard.step('Review');
    const before = await page.evaluate(() => location.href);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Review', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => location.href), before, 'nothing changed');
    await context.close();
  });

  test(`${width} px: a reload keeps the step, and the answers`, async () => {
    const { context, page } = await open(width, height);
    await page.goto(server.url);
    const wizard = new Wizard(page);
    await wizard.fill(await fixture('defaults'));
    await wizard.step('Traffic');
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Traffic', exact: true }).waitFor();
    const steps = await stepper(page);
    assert.equal(steps[3].current, true);
    await context.close();
  });
}

for (const width of [320, 375]) {
  test(`${width} px: nothing scrolls the page sideways, on any step, file or panel`, async () => {
    const { context, page } = await open(width, 700);
    await page.goto(server.url);
    const wizard = new Wizard(page);
    for (const name of ['secrets-env', 'lb-domain']) {
      await wizard.fill(await fixture(name));
      for (const step of STEPS) {
        await wizard.step(step);
        assert.equal(await sideways(page), 0, `${name}, ${step} step`);
        await page.screenshot({ path: path.join(OUTPUT, `ux-${name}-${step.toLowerCase()}-${width}.png`), fullPage: true });
      }
      const picker = page.getByLabel('File', { exact: true });
      assert.equal(await page.locator('.tabs').isVisible(), false, 'the tabs give way to one control');
      const files = await picker.locator('option').evaluateAll((os) => os.map((o) => o.textContent));
      for (const file of files) {
        await picker.selectOption({ label: file });
        await page.locator(`[data-artifact="${file}"]`).waitFor();
        assert.equal(await sideways(page), 0, `${name}, ${file}`);
      }
      for (const panel of ['section.next-steps', 'section.run-check', 'section.cost', 'section.troubleshoot']) {
        await page.locator(panel).scrollIntoViewIfNeeded();
        assert.equal(await sideways(page), 0, `${name}, ${panel}`);
      }
    }
    const headers = await page.locator('.cost-items thead th').allTextContents();
    assert.deepEqual(headers.slice(0, 2), ['Item', 'Monthly'], 'item and monthly first');
    if (width === 375) {
      await page.locator('.file-select').screenshot({ path: path.join(OUTPUT, 'ux-file-picker-375.png') });
      await wizard.step('Review');
      await page.screenshot({ path: path.join(OUTPUT, 'ux-review-375.png'), fullPage: true });
    }
    await context.close();
  });
}

test('375 px: links jump from the form to the files and back', async () => {
  const { context, page } = await open(375, 812);
  await page.goto(server.url);
  await new Wizard(page).fill(await fixture('defaults'));
  await page.getByRole('link', { name: 'Jump to your files' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'preview-title');
  await page.getByRole('link', { name: 'Back to the form' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'wizard-title');
  await context.close();
});

test('the subject format waits under "Advanced", and the review does not alarm about it', async () => {
  const { context, page } = await open(1280, 900);
  await page.goto(server.url);
  const advanced = page.getByRole('button', { name: 'Advanced: OIDC subject format' });
  assert.equal(await advanced.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.getByLabel('Legacy (repo:owner/name:…)').isVisible(), false);
  const wizard = new Wizard(page);
  await wizard.fill(await fixture('defaults'));
  const warnings = await page.locator('.findings .warning').allTextContents();
  assert.ok(!warnings.some((w) => /subject/i.test(w)), `no warning about the subject format: ${warnings}`);
  const notes = await page.locator('.findings').textContent();
  assert.match(notes, /gh api repos\/octo-org\/octo-app\/actions\/oidc\/customization\/sub/);
  await context.close();
});

test('small things: the intro link lands, the health check follows the port, retention reads as CloudWatch names it, a disabled button looks disabled', async () => {
  const { context, page } = await open(1280, 900);
  await page.goto(server.url);
  const download = page.getByRole('button', { name: 'Download all (.zip)' });
  assert.equal(await download.isDisabled(), true);
  const looks = await download.evaluate((b) => getComputedStyle(b).borderStyle);
  assert.equal(looks, 'dashed', 'a disabled button is drawn unlike an enabled one');
  await page.locator('details.intro summary').click();
  assert.equal(await page.locator('#files').count(), 1, 'the intro link\'s anchor exists');

  const wizard = new Wizard(page);
  await wizard.fill(await fixture('defaults'));
  await wizard.step('App');
  await wizard.field('Container port').fill('3000');
  assert.match(await wizard.field('Health check command (optional)').getAttribute('placeholder'), /localhost:3000\//);
  const labels = await wizard.field('Keep logs for').locator('option').allTextContents();
  assert.ok(labels.includes('1 day') && labels.includes('1 week') && labels.includes('1 month') && labels.includes('1 year') && labels.includes('10 years'), labels.join(', '));
  assert.ok(!labels.some((l) => /^1 (days|weeks|months|years)$/.test(l)), labels.join(', '));

  await page.locator('details.intro summary').scrollIntoViewIfNeeded();
  await page.getByRole('link', { name: 'See what each file is for.' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'preview-title');
  await context.close();
});

test('the files are grouped by what you do with them: run once, commit, reference, clean up', async () => {
  const { context, page } = await open(1280, 900);
  await page.goto(server.url);
  await new Wizard(page).fill(await fixture('starter-node'));
  const groups = await page.locator('.tab-group').evaluateAll((gs) =>
    gs.map((g) => [g.querySelector('.tab-group-name').textContent, [...g.querySelectorAll('[role="tab"]')].map((t) => t.textContent)]),
  );
  assert.deepEqual(groups.map(([name]) => name), ['Run once', 'Commit', 'Reference', 'Clean up']);
  const files = Object.fromEntries(groups);
  assert.deepEqual(files['Run once'], ['infra/setup.sh', 'infra/cloudformation.yaml']);
  assert.deepEqual(files.Reference, ['infra/trust-policy.json', 'infra/permissions-policy.json']);
  assert.deepEqual(files['Clean up'], ['infra/teardown.sh']);
  for (const path of ['.github/workflows/deploy.yml', '.aws/task-definition.json', 'keyless.json', 'DEPLOY.md', 'Dockerfile']) {
    assert.ok(files.Commit.includes(path), `${path} is to commit`);
  }
  // Arrow keys go across the groups, in their order.
  await page.getByRole('tab', { name: 'infra/cloudformation.yaml' }).click();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), files.Commit[0]);
  await page.locator('.preview .tabs').screenshot({ path: path.join(OUTPUT, 'ux-file-groups-1280.png') });
  await context.close();
});

test('what people paste: a repository URL showing a branch fills the branch, an app name with capitals is lower-cased with a note, and messages start with a capital', async () => {
  const { context, page } = await open(1280, 900);
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'summary-github');
  const messages = await page.locator('#summary-github li').allTextContents();
  assert.ok(messages.length >= 2, messages.join(' | '));
  for (const message of messages) assert.match(message, /^[A-Z]/, `starts with a capital: ${message}`);

  const wizard = new Wizard(page);
  await wizard.field('GitHub owner').fill('octo-org');
  await wizard.field('GitHub repository').fill('https://github.com/octo-org/octo-app/tree/release/v2');
  assert.equal(await wizard.field('Branch').inputValue(), 'release/v2');
  assert.equal(await wizard.field('GitHub repository').getAttribute('aria-invalid'), 'false');

  await wizard.step('AWS');
  await wizard.field('AWS account id').fill('123456789012');
  await wizard.step('App');
  await wizard.field('App name').fill('Octo-App');
  await page.getByText('Used as octo-app').waitFor();
  assert.equal(await wizard.field('App name').getAttribute('aria-invalid'), 'false');
  const config = JSON.parse(await artifactText(page, 'keyless.json'));
  assert.equal(config.app_name, 'octo-app');
  assert.equal(config.branch, 'release/v2');
  await context.close();
});

test('1280 px: screenshots of every step', async () => {
  const { context, page } = await open(1280, 900);
  await page.goto(server.url);
  const wizard = new Wizard(page);
  await wizard.fill(await fixture('lb-domain'));
  for (const step of STEPS) {
    await wizard.step(step);
    assert.equal(await sideways(page), 0, `${step} step`);
    await page.screenshot({ path: path.join(OUTPUT, `ux-step-${step.toLowerCase()}-1280.png`), fullPage: true });
  }
  await context.close();
});
