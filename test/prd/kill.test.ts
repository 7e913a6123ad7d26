import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcessesIn, processesIn } from '../../src/prd/strays.js';
import { FAKE_AGENT } from './helpers/fake-runner.js';
import { createRepo, DONE, script, type TestRepo } from './helpers/repo.js';

const WALKER = fileURLToPath(new URL('./helpers/walker-main.mjs', import.meta.url));

let repo: TestRepo | undefined;
let walker: ChildProcess | undefined;
afterEach(async () => {
  if (walker?.exitCode === null && walker.pid) walker.kill('SIGKILL');
  if (repo) await killProcessesIn(join(repo.root, '.factory', 'worktrees', 'prd-5'));
  repo?.dispose();
  repo = undefined;
  walker = undefined;
});

function startWalker(
  root: string,
  extra: Record<string, unknown> = {},
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const args = { prd: '5', agent: 'command', command: FAKE_AGENT, sandbox: 'none', cwd: root, ...extra };
  const child = spawn(process.execPath, [WALKER, JSON.stringify(args)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** Resolves when `check` holds; fails the test if the walker exits first. */
function until(check: () => boolean, exited: Promise<unknown>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let over = false;
    void exited.then(() => {
      over = true;
      if (!check()) reject(new Error(`the walker exited before ${what}`));
    });
    const tick = () => {
      if (check()) return resolve();
      if (!over) setTimeout(tick, 25);
    };
    tick();
  });
}

describe('killing the walker mid-task', () => {
  it('SIGKILL during an agent run, then re-run: finishes, one commit per task, leftover agent stopped', async () => {
    const task = (title: string, body: string) => `---\nkind: afk\n---\n# ${title}\n\n${body}\n`;
    repo = createRepo({
      'prds/5-kill/prd.md': `# Kill me\n\n${script([DONE])}\n`,
      'prds/5-kill/tasks/01-a.md': task('Task A', script([{ write: 'a.txt', content: 'a\n' }, DONE])),
      // Commits, then (the first time only) hangs in a child process until the walker is killed.
      'prds/5-kill/tasks/02-b.md': task(
        'Task B',
        script([
          { append: 'b.txt', content: 'b\n' },
          { commit: 'agent: b' },
          { run: ['sh', '-c', 'test -e .factory/killed-once || { touch .factory/killed-once; exec sleep 600; }'] },
          DONE,
        ]),
      ),
      'prds/5-kill/tasks/03-c.md': task('Task C', script([{ write: 'c.txt', content: 'c\n' }, DONE])),
    });
    const worktree = join(repo.root, '.factory', 'worktrees', 'prd-5');

    const first = startWalker(repo.root, { json: true });
    walker = first.child;
    await until(() => existsSync(join(worktree, '.factory', 'killed-once')), first.done, 'task B started');
    walker.kill('SIGKILL');
    await first.done;
    // The dead walker's agent (and its child) still run in the worktree.
    expect(processesIn(worktree).length).toBeGreaterThan(0);
    expect(repo.branchLog('factory/prd-5').map((c) => c.message.split('\n')[0])).toEqual(['Task A', 'agent: b']);

    const second = startWalker(repo.root);
    walker = second.child;
    const result = await second.done;
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stderr).toMatch(
      /the previous run \(pid \d+\) died; took over its lock and stopped its leftover processes/,
    );
    expect(result.stdout).toContain(
      'every task done (4 commits on factory/prd-5); review opened: prds/5-kill/review.md',
    );

    const log = repo.branchLog('factory/prd-5');
    expect(log.map((c) => c.message.split('\n')[0])).toEqual(['Task A', 'Task B', 'Task C', 'Review: Kill me']);
    const refs = log.map((c) => /Refs #(\S+)/.exec(c.message)?.[1]);
    expect(refs).toEqual(['prd-5/01', 'prd-5/02', 'prd-5/03', 'prd-5']);
    expect(log[1]?.message).toContain('- agent: b'); // the interrupted attempt's commit, folded in
    expect(processesIn(worktree)).toEqual([]);
  });
});
