// Page object of the wizard: fills it from a keyless.json config the way a user
// would, by the visible labels, step by step.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, artifactText } from './harness.mjs';

export const FIXTURES = path.join(ROOT, 'crates', 'keyless-core', 'tests', 'fixtures');

/** Reads a fixture config by name (e.g. `defaults`). */
export async function fixture(name) {
  return JSON.parse(await readFile(path.join(FIXTURES, `${name}.json`), 'utf8'));
}

const SUBJECT_FORMATS = {
  legacy: 'Legacy (repo:owner/name:…)',
  immutable: 'Immutable (owner@id/name@id)',
  both: 'Both, while migrating',
};
const ARCHITECTURES = { X86_64: 'x86-64', ARM64: 'ARM64 (Graviton, about 20% cheaper)' };
const INGRESS = { public_ip: 'Public IP', load_balancer: 'Load balancer' };
const STARTERS = {
  none: 'My repository has one at its root',
  node: 'Write one for Node.js',
  python: 'Write one for Python',
  go: 'Write one for Go',
  static: 'Write one for a static site',
};

export class Wizard {
  constructor(page) {
    this.page = page;
  }

  field(label) {
    return this.page.getByLabel(label, { exact: true });
  }

  async step(title) {
    await this.page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: new RegExp(`^\\d\\. ${title}\\b`) }).click();
    await this.page.getByRole('heading', { level: 2, name: title, exact: true }).waitFor();
  }

  /** Opens the GitHub step's "Advanced" disclosure (the subject format), if closed. */
  async advanced() {
    const button = this.page.getByRole('button', { name: 'Advanced: OIDC subject format' });
    if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  }

  async fillIf(label, value) {
    if (value !== undefined && value !== null) await this.field(label).fill(String(value));
  }

  async check(label, value) {
    if (value === undefined) return;
    const box = this.field(label);
    if ((await box.isChecked()) !== value) await box.click();
  }

  async pairs(legend, addLabel, valueLabel, object) {
    const entries = Object.entries(object ?? {});
    for (const [i, [name, value]] of entries.entries()) {
      await this.page.getByRole('button', { name: addLabel, exact: true }).click();
      await this.field(`${legend} ${i + 1}: name`).fill(name);
      await this.field(`${legend} ${i + 1}: ${valueLabel}`).fill(value);
    }
  }

  /** Fills every step from `config` (a keyless.json object). */
  async fill(config) {
    await this.step('GitHub');
    await this.fillIf('GitHub owner', config.github_owner);
    await this.fillIf('GitHub repository', config.github_repo);
    await this.fillIf('Branch', config.branch);
    await this.fillIf('GitHub environment (optional)', config.environment);
    await this.advanced();
    await this.field(SUBJECT_FORMATS[config.subject_format ?? 'legacy']).check();
    await this.fillIf('Owner id', config.github_owner_id);
    await this.fillIf('Repository id', config.github_repo_id);

    await this.step('AWS');
    await this.fillIf('AWS account id', config.account_id);
    await this.field('AWS region').selectOption(config.region);

    await this.step('App');
    await this.fillIf('App name', config.app_name);
    await this.field(STARTERS[config.starter ?? 'none']).check();
    await this.fillIf('Container port', config.container_port);
    await this.field('CPU').selectOption(String(config.cpu));
    await this.field('Memory').selectOption(String(config.memory));
    await this.field(ARCHITECTURES[config.architecture ?? 'X86_64']).check();
    await this.fillIf('Tasks', config.desired_count);
    await this.check('Run on Fargate Spot', config.use_spot);
    await this.fillIf('Health check command (optional)', config.health_check_command);
    if (config.log_retention_days) await this.field('Keep logs for').selectOption(String(config.log_retention_days));
    await this.fillIf('Ephemeral storage in GiB (optional)', config.ephemeral_storage_gib);
    await this.pairs('Environment variables', 'Add environment variable', 'value', config.environment_variables);
    await this.pairs('Secrets', 'Add secret', 'SSM parameter or Secrets Manager ARN', config.secrets);

    await this.step('Traffic');
    await this.field(INGRESS[config.ingress ?? 'public_ip']).check();
    await this.fillIf('Domain name', config.domain_name);
    await this.fillIf('Existing certificate ARN (optional)', config.certificate_arn);
    await this.fillIf('Health check path (optional)', config.health_check_path);
    await this.fillIf('Fewest tasks', config.min_count);
    await this.fillIf('Most tasks', config.max_count);
    await this.fillIf('CPU target (%)', config.cpu_target_percent);

    await this.step('Network');
    await this.fillIf('Subnet ids (optional)', config.subnets?.join('\n'));
    await this.fillIf('Security group ids (optional)', config.security_groups?.join('\n'));
    await this.check('Give each task a public IPv4 address', config.assign_public_ip);

    await this.step('Review');
  }

  /** `{ path: text }` of every file in the preview, each selected before it is read. */
  async artifacts() {
    const paths = await this.page.locator('[data-artifact]').evaluateAll((els) => els.map((el) => el.dataset.artifact));
    const files = {};
    for (const artifactPath of paths) files[artifactPath] = await artifactText(this.page, artifactPath);
    return files;
  }
}
