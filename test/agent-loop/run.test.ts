import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentProvider } from '../../src/agent-loop/providers/index.js';
import { run } from '../../src/agent-loop/run.js';
import type { RunEvent } from '../../src/agent-loop/events.js';
import { bwrap, noSandbox } from '../../src/sandboxes/index.js';
import { git, makeRepo, scripted, type TestRepo } from './helpers.js';

let repo: TestRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

/** Each provider's stream format end to end: fake CLI under the real name → parser → loop. */
const FORMATS = [
  ['claude-code', true],
  ['codex', true],
  ['opencode', true],
  ['cursor', true],
  ['copilot', true],
  ['pi', true],
  ['command', false],
] as const;

describe('run() with each agent provider (bwrap, merge-to-head)', () => {
  for (const [agentName, hasSession] of FORMATS) {
    it(`${agentName}: edits, commits, signals completion, merges back`, async () => {
      repo = makeRepo();
      const events: RunEvent[] = [];
      const agent = createAgentProvider(agentName, {
        model: 'fake-model',
        command: join(repo.bin, 'claude'),
        commandArgs: ['--fake-format=text'],
      });
      const result = await run({
        agent,
        sandbox: bwrap(),
        cwd: repo.repo,
        branchStrategy: { type: 'merge-to-head' },
        name: `t-${agentName}`,
        promptTemplate: scripted([
          { say: 'Working on it.' },
          { write: 'hello.txt', content: `hi from ${agentName}\n` },
          { commit: `feat: hello from ${agentName}` },
          { say: 'All done <promise>COMPLETE</promise>' },
        ]),
        env: { PATH: repo.path },
        mounts: repo.mounts,
        onEvent: (e) => events.push(e),
      });
      expect(result.outcome).toBe('completed');
      expect(result.completionSignal).toBe('<promise>COMPLETE</promise>');
      expect(result.iterations).toHaveLength(1);
      expect(result.commits.map((c) => c.subject)).toEqual([`feat: hello from ${agentName}`]);
      expect(result.merge.kind).toBe('merged');
      expect(readFileSync(join(repo.repo, 'hello.txt'), 'utf8')).toBe(`hi from ${agentName}\n`);
      expect(git(repo.repo, 'log', '-1', '--format=%s', 'main')).toBe(`feat: hello from ${agentName}`);
      expect(result.worktreeKept).toBe(false);
      expect(existsSync(result.worktreePath)).toBe(false);
      if (hasSession) {
        expect(result.sessionId).toMatch(/\S+/);
        expect(result.usage?.output).toBe(34);
        expect(events.some((e) => e.type === 'session')).toBe(true);
      } else {
        expect(result.sessionId).toBeUndefined();
        expect(result.usage).toBeUndefined(); // a plain command reports no usage: unknown, not 0
      }
      expect(
        events.some(
          (e) =>
            (e.type === 'tool' && /commit/.test(e.input)) || (e.type === 'text' && e.text.startsWith('$ git commit')),
        ),
      ).toBe(true);
      expect(events.filter((e) => e.type === 'iteration-start')).toHaveLength(1);
      expect(result.logPath && readFileSync(result.logPath, 'utf8')).toContain('All done');
    });
  }
});

describe('run() iterations', () => {
  it('iterates until the completion signal, one commit per iteration', async () => {
    repo = makeRepo();
    const result = await run({
      agent: createAgentProvider('claude-code'),
      sandbox: bwrap(),
      cwd: repo.repo,
      branchStrategy: { type: 'branch', branch: 'agent/three' },
      maxIterations: 5,
      promptTemplate: scripted({
        iterations: [
          [{ append: 'log.txt', content: '1\n' }, { commit: 'one' }],
          [{ append: 'log.txt', content: '2\n' }, { commit: 'two' }],
          [{ append: 'log.txt', content: '3\n' }, { commit: 'three' }, { say: '<promise>COMPLETE</promise>' }],
          [{ say: 'never reached' }],
        ],
      }),
      env: { PATH: repo.path },
      mounts: repo.mounts,
    });
    expect(result.iterations.map((i) => i.reason)).toEqual(['exited', 'exited', 'completion-signal']);
    expect(result.commits.map((c) => c.subject)).toEqual(['one', 'two', 'three']);
    expect(result.merge.kind).toBe('left-on-branch');
    expect(git(repo.repo, 'log', '-1', '--format=%s', 'agent/three')).toBe('three');
    expect(git(repo.repo, 'log', '-1', '--format=%s', 'main')).toBe('initial');
    expect(result.usage?.output).toBe(34 * 3);
  });

  it('sums only the token counts the CLI reported well-formed, field by field', async () => {
    repo = makeRepo();
    const result = await run({
      agent: createAgentProvider('claude-code'),
      sandbox: noSandbox(),
      cwd: repo.repo,
      branchStrategy: { type: 'branch', branch: 'agent/usage' },
      maxIterations: 2,
      promptTemplate: scripted({
        iterations: [
          [{ usage: { input: '12', output: null, cacheRead: 5, cacheWrite: -2 } }, { write: 'a', content: 'a' }],
          [{ usage: { input: 7, output: 8, cacheRead: 1.5, cacheWrite: 3 } }],
        ],
      }),
      env: { PATH: repo.path },
      logging: { type: 'none' },
    });
    expect(result.iterations.map((i) => i.usage)).toEqual([
      { cacheRead: 5, costUsd: 0.0123 },
      { input: 7, output: 8, cacheWrite: 3, costUsd: 0.0123 },
    ]);
    expect(result.usage).toEqual({ input: 7, output: 8, cacheRead: 5, cacheWrite: 3, costUsd: 0.0246 });
  });

  it('stops at maxIterations without a signal', async () => {
    repo = makeRepo();
    const result = await run({
      agent: createAgentProvider('codex'),
      sandbox: noSandbox(),
      cwd: repo.repo,
      branchStrategy: { type: 'merge-to-head' },
      maxIterations: 2,
      promptTemplate: scripted([{ append: 'n.txt', content: 'x\n' }, { commit: 'more' }]),
      env: { PATH: repo.path },
    });
    expect(result.outcome).toBe('max-iterations');
    expect(result.iterations).toHaveLength(2);
    expect(result.completionSignal).toBeUndefined();
    expect(result.commits).toHaveLength(2);
  });

  it('a run that changes nothing is the value no-changes, not a crash', async () => {
    repo = makeRepo();
    const result = await run({
      agent: createAgentProvider('claude-code'),
      sandbox: bwrap(),
      cwd: repo.repo,
      branchStrategy: { type: 'merge-to-head' },
      promptTemplate: scripted([{ say: 'Nothing to do. <promise>COMPLETE</promise>' }]),
      env: { PATH: repo.path },
      mounts: repo.mounts,
    });
    expect(result.outcome).toBe('no-changes');
    expect(result.merge.kind).toBe('no-changes');
    expect(result.commits).toEqual([]);
    expect(result.worktreeKept).toBe(false);
    expect(git(repo.repo, 'branch', '--list', 'factory/*')).toBe('');
  });

  it('custom completion signals: the first that appears wins', async () => {
    repo = makeRepo();
    const result = await run({
      agent: createAgentProvider('opencode'),
      sandbox: noSandbox(),
      cwd: repo.repo,
      maxIterations: 3,
      completionSignal: ['TASK_DONE', 'TASK_ABORTED'],
      promptTemplate: scripted([{ say: 'giving up: TASK_' }, { say: 'ABORTED' }]),
      env: { PATH: repo.path },
    });
    expect(result.completionSignal).toBe('TASK_ABORTED');
    expect(result.iterations).toHaveLength(1);
  });
});

describe('run() in a worktree and sandbox you own (Sandcastle createSandbox / wt.run)', () => {
  it('several runs share one sandbox; each reports its own commits; they accumulate on the branch', async () => {
    repo = makeRepo();
    const r = repo;
    const { createWorktreeSandbox } = await import('../../src/sandboxes/index.js');
    const owned = await createWorktreeSandbox({
      repo: r.repo,
      branchStrategy: { type: 'branch', branch: 'agent/shared' },
      provider: bwrap(),
      mounts: r.mounts,
    });
    const base = { sandbox: owned.sandbox, worktree: owned.worktree, cwd: r.repo, env: { PATH: r.path } } as const;
    const implement = await run({
      ...base,
      agent: createAgentProvider('claude-code'),
      promptTemplate: scripted([{ write: 'impl.txt', content: 'v1' }, { commit: 'implement' }]),
    });
    const review = await run({
      ...base,
      agent: createAgentProvider('codex'),
      promptTemplate: scripted([{ write: 'impl.txt', content: 'v2' }, { commit: 'review fixes' }]),
    });
    expect(implement.commits.map((c) => c.subject)).toEqual(['implement']);
    expect(review.commits.map((c) => c.subject)).toEqual(['review fixes']);
    expect(review.merge.kind).toBe('left-on-branch');
    expect(existsSync(owned.worktree.path)).toBe(true); // still the caller's
    expect(git(r.repo, 'log', '--format=%s', 'main..agent/shared').split('\n')).toEqual(['review fixes', 'implement']);
    const closed = await owned.close();
    expect(closed.preservedWorktreePath).toBeUndefined();
    expect(existsSync(owned.worktree.path)).toBe(false);
  });
});
