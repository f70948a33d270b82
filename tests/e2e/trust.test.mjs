// "Test a run" and the troubleshooter in the built page agree with
// `keyless check-run --json` and `keyless troubleshoot --json` for the fixture
// configs: the same decision, sub and reason for each run; the same entries in
// the same order for each pasted error. Driven by the panel's visible labels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, ROOT } from './harness.mjs';
import { Wizard, fixture, FIXTURES } from './wizard.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs the CLI; returns its exit status and parsed stdout (or stderr text). */
function cli(args) {
  const out = spawnSync(path.join(ROOT, 'target', 'debug', 'keyless'), args, { encoding: 'utf8' });
  return { status: out.status, json: out.status <= 1 && out.stdout ? JSON.parse(out.stdout) : null, stderr: out.stderr };
}

/** `keyless check-run` flags for a run case. */
function flags(run) {
  const args = ['--event', run.event];
  if (run.ref !== undefined) args.push('--ref', run.ref);
  if (run.environment !== undefined) args.push('--environment', run.environment);
  if (run.repository !== undefined) args.push('--repository', run.repository);
  if (run.fork) args.push('--fork');
  if (run.subjectFormat !== undefined) args.push('--subject-format', run.subjectFormat);
  return args;
}

/** Sets the panel's fields for a run case; unset fields keep the config's values. */
async function describeRun(page, run) {
  const panel = page.getByRole('region', { name: 'Test a run' });
  await panel.getByLabel('Event', { exact: true }).selectOption(run.event);
  const fork = panel.getByLabel('The pull request comes from a fork', { exact: true });
  if (run.fork) await fork.check();
  for (const [label, value] of [['Ref', run.ref], ['Environment', run.environment], ['Repository', run.repository]]) {
    if (value !== undefined) await panel.getByLabel(label, { exact: true }).fill(value);
  }
  if (run.subjectFormat !== undefined) {
    await panel.getByLabel('Subject format the repository emits', { exact: true }).selectOption(run.subjectFormat);
  }
  return panel;
}

/** What the panel shows: the verdict line, the sub and the reason, or its message. */
async function outcome(panel) {
  const read = async (what) => {
    const node = panel.locator(`[data-run="${what}"]`);
    return (await node.count()) ? (await node.textContent()) : null;
  };
  return { decision: await read('decision'), sub: await read('sub'), reason: await read('reason'), error: await read('error') };
}

const NO_TOKEN = 'None: GitHub issues no OIDC token to this run';

const RUNS = [
  { event: 'push' },
  { event: 'pull_request' },
  { event: 'pull_request', fork: true },
  { event: 'pull_request_target', fork: true },
  { event: 'push', ref: 'refs/heads/other' },
  { event: 'push', ref: 'refs/tags/v1.2.0' },
  { event: 'workflow_dispatch', environment: '' },
  { event: 'schedule' },
  { event: 'release', ref: 'refs/tags/v1.0.0' },
  { event: 'push', repository: 'someone-else/app' },
];

const CONFIG_RUNS = {
  defaults: RUNS,
  environment: RUNS,
  immutable: RUNS.filter((run) => !run.repository),
  both: [...RUNS, { event: 'push', subjectFormat: 'immutable' }],
};

for (const [name, runs] of Object.entries(CONFIG_RUNS)) {
  test(`Test a run equals keyless check-run for ${name}`, async () => {
    const { context, page, foreign, errors } = await openPage(browser, server.origin);
    await page.goto(server.url);
    await new Wizard(page).fill(await fixture(name));
    const config = path.join(FIXTURES, `${name}.json`);
    const verdicts = new Set();
    for (const run of runs) {
      const expected = cli(['check-run', '--config', config, ...flags(run), '--json']);
      assert.ok(expected.json, `${JSON.stringify(run)}: ${expected.stderr}`);
      assert.equal(expected.status, expected.json.allowed ? 0 : 1);
      // A fresh panel per case: reload keeps the config (it is saved) and resets the run.
      await page.reload();
      const panel = await describeRun(page, run);
      await panel.locator('[data-run="decision"]').waitFor();
      const shown = await outcome(panel);
      const verdict = expected.json.allowed ? 'Allowed' : 'Denied';
      assert.deepEqual(shown, {
        decision: `${verdict}: ${expected.json.run}`,
        sub: expected.json.sub ?? NO_TOKEN,
        reason: expected.json.reason,
        error: null,
      }, JSON.stringify(run));
      verdicts.add(verdict);
    }
    assert.deepEqual([...verdicts].sort(), ['Allowed', 'Denied'], 'both answers are exercised');
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('a pasted policy is judged as keyless check-run --policy judges it, and bad JSON is a message', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyless-trust-'));
  const wide = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/*' } } },
      { Effect: 'Deny', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-app:pull_request' } } },
    ],
  }, null, 2);
  const broken = '{"Version": "2012-10-17", "Statement": [';
  const { context, page, errors } = await openPage(browser, server.origin);
  await page.goto(server.url);
  await new Wizard(page).fill(await fixture('defaults'));
  const config = path.join(FIXTURES, 'defaults.json');
  for (const run of [{ event: 'push', ref: 'refs/heads/anything' }, { event: 'pull_request' }]) {
    const policy = path.join(dir, 'wide.json');
    await writeFile(policy, wide);
    const expected = cli(['check-run', '--config', config, ...flags(run), '--policy', policy, '--json']);
    await page.reload();
    const panel = await describeRun(page, run);
    await panel.getByLabel('Trust policy (optional)', { exact: true }).fill(wide);
    await panel.locator('[data-run="decision"]').waitFor();
    const shown = await outcome(panel);
    assert.equal(shown.decision, `${expected.json.allowed ? 'Allowed' : 'Denied'}: ${expected.json.run}`);
    assert.equal(shown.reason, expected.json.reason);
  }
  const brokenFile = path.join(dir, 'broken.json');
  await writeFile(brokenFile, broken);
  const refused = cli(['check-run', '--config', config, '--event', 'push', '--policy', brokenFile]);
  assert.equal(refused.status, 2);
  const panel = page.getByRole('region', { name: 'Test a run' });
  await panel.getByLabel('Trust policy (optional)', { exact: true }).fill(broken);
  const message = await panel.locator('[data-run="error"]').textContent();
  assert.match(message, /^The pasted policy: the policy is not valid JSON/);
  assert.ok(refused.stderr.includes(message.replace('The pasted policy: ', '')), `${refused.stderr} / ${message}`);
  assert.deepEqual(errors, [], 'bad JSON never panics');
  await context.close();
});

const PASTED = [
  'Error: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity',
  'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref',
  'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times',
  'health check',
  '',
];

for (const name of ['defaults', 'load-balancer', 'secrets-env']) {
  test(`the troubleshooter lists what keyless troubleshoot lists for ${name}`, async () => {
    const { context, page, errors } = await openPage(browser, server.origin);
    await page.goto(server.url);
    await new Wizard(page).fill(await fixture(name));
    const section = page.getByRole('region', { name: 'Troubleshoot' });
    const query = section.getByLabel('Paste an error message, or search', { exact: true });
    for (const text of PASTED) {
      const expected = cli(['troubleshoot', '--config', path.join(FIXTURES, `${name}.json`), '--json', ...(text ? [text] : [])]);
      const ids = expected.json.map((found) => found.entry.id);
      assert.ok(ids.length > 0, text);
      await query.fill(text);
      await section.locator(`[data-entry="${ids[0]}"]`).first().waitFor();
      const shown = await section.locator('[data-entry]').evaluateAll((items) => items.map((li) => li.dataset.entry));
      assert.deepEqual(shown, ids, JSON.stringify(text));
      const best = section.locator('[data-entry]').first();
      assert.equal(await best.locator('summary').textContent(), expected.json[0].entry.title);
      if (text) assert.equal(await best.locator('details').getAttribute('open'), '');
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}
