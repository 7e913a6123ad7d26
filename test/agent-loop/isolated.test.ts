/**
 * run() with an ISOLATED sandbox (own filesystem, like a VM): the branch goes in as a git clone, the
 * agent commits inside, the commits come back as a git bundle and merge on the host. The box is
 * bwrap with a private root and nothing of the host repo visible.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCode } from '../../src/agent-loop/providers/index.js';
import { run } from '../../src/agent-loop/run.js';
import { isolatedBox } from '../sandboxes/isolated-box.js';
import { FAKE_AGENT, git, makeRepo, scripted, type TestRepo } from './helpers.js';

/** The box's "image" has the agent CLI installed (the checkout may itself live under /tmp). */
const AGENT_DIR = dirname(FAKE_AGENT);
const dirs: string[] = [];
let repo: TestRepo | undefined;
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  repo?.cleanup();
  repo = undefined;
});

describe('run() in an isolated sandbox', () => {
  it('clones in, the agent commits inside, commits come back and merge', async () => {
    repo = makeRepo({ 'app.txt': 'v1\n' });
    const result = await run({
      agent: claudeCode(undefined, { binary: FAKE_AGENT }),
      sandbox: isolatedBox({ dirs, readOnly: [AGENT_DIR], identity: { name: 'Boxed', email: 'b@box.invalid' } }),
      cwd: repo.repo,
      branchStrategy: { type: 'merge-to-head' },
      promptTemplate: scripted(
        [
          { run: ['pwd'] },
          { write: 'app.txt', content: 'v2\n' },
          { commit: 'bump inside the box' },
          { say: '<promise>COMPLETE</promise>' },
        ],
        'repo seen as !`pwd`',
      ),
      env: { FAKE_AGENT_FORMAT: 'claude' },
      preflight: false,
    });
    expect(result.text).toBe('<promise>COMPLETE</promise>');
    expect(result.commits.map((c) => c.subject)).toEqual(['bump inside the box']);
    expect(result.merge).toMatchObject({ kind: 'merged', into: 'main' });
    expect(readFileSync(join(repo.repo, 'app.txt'), 'utf8')).toBe('v2\n');
    expect(git(repo.repo, 'log', '-1', '--format=%an')).toBe('Boxed');
  });
});
