/**
 * After the README's install steps `factory` is on PATH, the way the README says, and the demo gets
 * it the same way. The step runs for real with npm's global folder moved to a temp dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const demo = readFileSync(join(REPO_ROOT, 'scripts/demo.sh'), 'utf8');

/** The "Install and use" block's lines before the first `factory …` command, comments stripped. */
function installSteps(): string[] {
  const section = readme.slice(readme.indexOf('## Install and use'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
  return lines
    .slice(
      0,
      lines.findIndex((l) => l.startsWith('factory ')),
    )
    .filter(Boolean);
}

let prefix = '';
afterEach(() => {
  if (prefix) rmSync(prefix, { recursive: true, force: true });
  prefix = '';
});

describe("the README's install steps", () => {
  it('put `factory` on PATH (npm link, run here into a temp global folder), usable from any directory', () => {
    const steps = installSteps();
    expect(steps[0]).toBe('npm install && npm run build'); // done by the test run itself (build)
    const onPath = steps.slice(1);
    expect(onPath).toEqual(['npm link']);
    prefix = mkdtempSync(join(tmpdir(), 'factory-npm-prefix-'));
    const env = { ...process.env, NPM_CONFIG_PREFIX: prefix, npm_config_prefix: prefix };
    for (const step of onPath) {
      const r = spawnSync('sh', ['-c', `${step} --no-audit --no-fund`], { cwd: REPO_ROOT, env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = spawnSync('factory', ['--version'], {
      cwd: tmpdir(),
      env: { ...process.env, PATH: `${join(prefix, 'bin')}:/usr/bin:/bin` },
      encoding: 'utf8',
    });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('the demo gets `factory` the same way, and runs it from PATH', () => {
    expect(demo).toMatch(/^if ! quietly "npm link" npm link --no-audit --no-fund; then$/m);
    expect(demo).toMatch(/readlink -f "\$\(command -v factory/);
    expect(demo).not.toMatch(/bin\/factory\.js" "\$@"/); // no private shortcut to the binary
    expect(demo).toMatch(/^factory setup --worktree-id "\$id"$/m);
  });
});
