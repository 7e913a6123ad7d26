import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { agentLoopRunner } from '../../src/prd/agent-runner.js';
import { killProcessesIn, processesIn } from '../../src/prd/strays.js';
import { walkPrd } from '../../src/prd/walk.js';
import { commandAgent } from '../../src/agent-loop/providers/command.js';
import { LocalBacklog } from '../../src/backlog/local.js';
import { noSandbox } from '../../src/sandboxes/providers/none.js';
import { FAKE_AGENT } from './helpers/fake-runner.js';
import { createRepo, DONE, script, type TestRepo, task } from './helpers/repo.js';

const WALKER = fileURLToPath(new URL('./helpers/walker-main.mjs', import.meta.url));

let repo: TestRepo | undefined;
afterEach(async () => {
  if (repo) await killProcessesIn(join(repo.root, '.factory', 'worktrees'));
  repo?.dispose();
  repo = undefined;
});

describe('phase timeouts and interrupts', () => {
  it('an agent over its time limit is stopped, and the timeout is recorded on the task', async () => {
    repo = createRepo({
      'prds/6-slow/prd.md': '# Slow\n',
      'prds/6-slow/tasks/01-hang.md': task(
        'afk',
        'Hang',
        script([{ write: 'half.txt', content: 'x\n' }, { hang: true }]),
      ),
    });
    const r = repo;
    const result = await walkPrd({
      root: r.root,
      source: new LocalBacklog({ root: r.root }),
      prd: 6,
      agent: agentLoopRunner({ agent: commandAgent(FAKE_AGENT), sandbox: noSandbox(), app: false }),
      resumeCommand: 'factory agent run --prd 6',
      timeouts: { agent: 1500 },
    });
    expect(result).toMatchObject({
      status: 'failed',
      phase: 'agent',
      error: 'the agent phase timed out after 1500 ms',
    });
    expect(r.read('prds/6-slow/tasks/01-hang.md')).toContain('error: the agent phase timed out after 1500 ms');
    const worktree = join(r.root, '.factory', 'worktrees', 'prd-6');
    expect(existsSync(join(worktree, 'half.txt'))).toBe(true); // kept
    expect(processesIn(worktree)).toEqual([]);
  });

  it('Ctrl-C (SIGINT) stops the agent, records no failure, exits 130; the re-run finishes', async () => {
    repo = createRepo({
      'prds/8-int/prd.md': `# Int\n\n${script([DONE])}\n`,
      'prds/8-int/tasks/01-a.md': task(
        'afk',
        'Task A',
        script([
          { write: 'a.txt', content: 'a\n' },
          {
            run: [
              'sh',
              '-c',
              'test -e .factory/interrupted-once || { touch .factory/interrupted-once; exec sleep 600; }',
            ],
          },
          DONE,
        ]),
      ),
    });
    const worktree = join(repo.root, '.factory', 'worktrees', 'prd-8');
    const run = () => {
      const child = spawn(
        process.execPath,
        [WALKER, JSON.stringify({ prd: '8', agent: 'command', command: FAKE_AGENT, sandbox: 'none', cwd: repo?.root })],
        {
          cwd: repo?.root,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.resume();
      const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
        child.on('close', (code) => resolve({ code, stdout })),
      );
      return { child, done };
    };
    const first = run();
    await new Promise<void>((resolve, reject) => {
      const tick = () =>
        existsSync(join(worktree, '.factory', 'interrupted-once'))
          ? resolve()
          : first.child.exitCode !== null
            ? reject(new Error('walker exited'))
            : setTimeout(tick, 25);
      tick();
    });
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toContain('interrupted during agent; nothing was lost. Resume: factory agent run --prd 8');
    expect(processesIn(worktree)).toEqual([]);
    expect(repo.read('prds/8-int/tasks/01-a.md')).not.toContain('last_failure');

    const second = await run().done;
    expect(second.code).toBe(0);
    expect(repo.branchLog('factory/prd-8').map((c) => c.message.split('\n')[0])).toEqual(['Task A', 'Review: Int']);
  });

  it('a second walker on the same PRD fails with exit 3 naming the first one, which is not disturbed', async () => {
    repo = createRepo({
      'prds/9-busy/prd.md': `# Busy\n\n${script([DONE])}\n`,
      'prds/9-busy/tasks/01-a.md': task(
        'afk',
        'Task A',
        script([
          { run: ['sh', '-c', 'touch .factory/started; while [ ! -e .factory/go ]; do sleep 0.05; done'] },
          { write: 'a.txt', content: 'a\n' },
          DONE,
        ]),
      ),
    });
    const worktree = join(repo.root, '.factory', 'worktrees', 'prd-9');
    const start = () => {
      const child = spawn(
        process.execPath,
        [WALKER, JSON.stringify({ prd: '9', agent: 'command', command: FAKE_AGENT, sandbox: 'none', cwd: repo?.root })],
        {
          cwd: repo?.root,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
      return {
        child,
        done: new Promise<{ code: number | null; out: string }>((resolve) =>
          child.on('close', (code) => resolve({ code, out })),
        ),
      };
    };
    const first = start();
    await new Promise<void>((resolve, reject) => {
      const tick = () =>
        existsSync(join(worktree, '.factory', 'started'))
          ? resolve()
          : first.child.exitCode !== null
            ? reject(new Error('walker exited'))
            : setTimeout(tick, 25);
      tick();
    });
    const second = await start().done;
    expect(second.code).toBe(3);
    expect(second.out).toContain(`PRD 9 is being walked by another run (pid ${first.child.pid}`);
    writeFileSync(join(worktree, '.factory', 'go'), '');
    const done = await first.done;
    expect(done.code, done.out).toBe(0);
    expect(repo.branchLog('factory/prd-9').map((c) => c.message.split('\n')[0])).toEqual(['Task A', 'Review: Busy']);
  });
});
