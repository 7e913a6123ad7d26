import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInstanceStatus, stopInstance } from '../../src/services/index.js';
import { REPO_ROOT, runFactory } from '../helpers/cli.js';
import { FAKE_AGENT } from './helpers/fake-runner.js';
import { createRepo, DONE, script, type TestRepo } from './helpers/repo.js';

/**
 * The task's tests need a service: the walker's tests (the `factory test` library) start it in
 * the PRD worktree's own instance (worktree id prd-N), run the suite against it, and stop it.
 * examples/hello is the app: a Node HTTP service on a leased port and a smoke test that calls it.
 */
let repo: TestRepo | undefined;
afterEach(async () => {
  if (repo) {
    const file = join(repo.root, '.factory', 'worktrees', 'prd-1', 'factory.yaml');
    await stopInstance({ file, worktreeId: 'prd-1' }).catch(() => undefined);
  }
  repo?.dispose();
  repo = undefined;
});

const hello = (f: string) => readFileSync(join(REPO_ROOT, 'examples', 'hello', f), 'utf8');

describe('PRD walk with tests that need services', () => {
  it('starts what the suite needs in the PRD instance, passes, and stops it again', async () => {
    repo = createRepo({
      'factory.yaml': hello('factory.yaml'),
      'server.mjs': hello('server.mjs'),
      'smoke.mjs': hello('smoke.mjs'),
      'prds/1-greet/prd.md': `# Greet\n\n${script([DONE])}\n`,
      'prds/1-greet/tasks/01-note.md': `---\nkind: afk\n---\n# Add a note\n\n${script([{ write: 'NOTE.md', content: 'hi\n' }, DONE])}\n`,
    });
    const r = repo;
    // Through the built binary: the runtime's supervisor is a node process of its own.
    const result = await runFactory(
      ['agent', 'run', '--prd', '1', '--agent', 'command', '--command', FAKE_AGENT, '--sandbox', 'none', '--no-app'],
      { cwd: r.root },
    );
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stderr).toMatch(/✓ tests smoke: /);
    const review = r.read('prds/1-greet/review.md');
    expect(review).toMatch(/- PASS `smoke`: /);
    expect(review).toMatch(/\.factory\/worktrees\/prd-1\/\.factory\/artifacts\/test-prd-1-/);
    const status = await readInstanceStatus({
      file: join(r.root, '.factory', 'worktrees', 'prd-1', 'factory.yaml'),
      worktreeId: 'prd-1',
    });
    expect(status?.running ?? false).toBe(false);
  });
});
