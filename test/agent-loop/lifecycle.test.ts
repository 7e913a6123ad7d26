import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { Output } from '../../src/agent-loop/output.js';
import { createAgentProvider } from '../../src/agent-loop/providers/index.js';
import { run } from '../../src/agent-loop/run.js';
import { bwrap, noSandbox } from '../../src/sandboxes/index.js';
import { git, killAll, makeRepo, processesWith, scripted, type TestRepo } from './helpers.js';
import { failure } from '../helpers/failure.js';

let repo: TestRepo | undefined;
let marker = '';
afterEach(() => {
  if (marker) killAll(processesWith(marker));
  marker = '';
  repo?.cleanup();
  repo = undefined;
});

const newMarker = () => (marker = `fake-agent-marker-${process.pid}-${Math.random().toString(36).slice(2)}`);

describe('timeouts', () => {
  for (const sandboxName of ['none', 'bwrap'] as const) {
    it(`idle timeout kills a hanging agent and every process it started (${sandboxName}); the worktree is kept`, async () => {
      repo = makeRepo();
      const m = newMarker();
      const f = await failure(
        run({
          agent: createAgentProvider('claude-code'),
          sandbox: sandboxName === 'none' ? noSandbox() : bwrap(),
          cwd: repo.repo,
          branchStrategy: { type: 'branch', branch: 'agent/idle' },
          idleTimeoutSeconds: 1,
          promptTemplate: scripted([
            { write: 'wip.txt', content: 'half done' },
            { spawn: m },
            { spawn: `${m}-holder`, holdStdout: true },
            { say: 'started' },
            { hang: true },
          ]),
          env: { PATH: repo.path },
          mounts: repo.mounts,
        }),
      );
      expect(f.code).toBe('agent-idle-timeout');
      expect(processesWith(m)).toEqual([]);
      const wt = f.details?.worktreePath as string;
      expect(existsSync(join(wt, 'wip.txt'))).toBe(true);
      expect(f.hint).toContain(wt);
    });
  }

  it('completion grace: signal seen, process hangs → killed after the grace, success with a warning', async () => {
    repo = makeRepo();
    const m = newMarker();
    const result = await run({
      agent: createAgentProvider('codex'),
      sandbox: noSandbox(),
      cwd: repo.repo,
      branchStrategy: { type: 'merge-to-head' },
      completionTimeoutSeconds: 1,
      idleTimeoutSeconds: 30,
      promptTemplate: scripted([
        { write: 'a.txt', content: 'a' },
        { commit: 'a' },
        { spawn: m },
        { say: '<promise>COMPLETE</promise>' },
        { hang: true },
      ]),
      env: { PATH: repo.path },
    });
    expect(result.iterations[0]?.reason).toBe('hung-after-completion');
    expect(result.outcome).toBe('completed');
    expect(result.commits).toHaveLength(1);
    expect(result.warnings.join('\n')).toMatch(/did not exit within 1 s/);
    expect(processesWith(m)).toEqual([]);
  });
});

describe('abort', () => {
  it('AbortSignal stops the agent and its whole tree, keeps the worktree, fails with code aborted', async () => {
    repo = makeRepo();
    const m = newMarker();
    const controller = new AbortController();
    const f = await failure(
      run({
        agent: createAgentProvider('opencode'),
        sandbox: bwrap(),
        cwd: repo.repo,
        branchStrategy: { type: 'merge-to-head' },
        promptTemplate: scripted([
          { write: 'partial.txt', content: 'p' },
          { spawn: m },
          { say: 'ready-to-abort' },
          { hang: true },
        ]),
        env: { PATH: repo.path },
        mounts: repo.mounts,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'text' && e.text.includes('ready-to-abort')) controller.abort();
        },
      }),
    );
    expect(f.code).toBe('aborted');
    expect(f.exitCode).toBe(130);
    expect(processesWith(m)).toEqual([]);
    expect(existsSync(join(f.details?.worktreePath as string, 'partial.txt'))).toBe(true);
  });
});

describe('structured output', () => {
  const prompt = (answer: string) =>
    scripted(
      [{ say: `Here:\n<result>${answer}</result>\n<promise>COMPLETE</promise>` }],
      'Answer inside <result></result> as JSON {"score": number}.',
    );

  it('typed result validated against the schema', async () => {
    repo = makeRepo();
    const result = await run({
      agent: createAgentProvider('claude-code'),
      sandbox: noSandbox(),
      cwd: repo.repo,
      promptTemplate: prompt('{"score": 7, "notes": "ok"}'),
      output: Output.object({ tag: 'result', schema: Type.Object({ score: Type.Number(), notes: Type.String() }) }),
      env: { PATH: repo.path },
    });
    const score: number | undefined = result.output?.score;
    expect(score).toBe(7);
    expect(result.output?.notes).toBe('ok');
  });

  it('a schema violation is a clear failure carrying the session id', async () => {
    repo = makeRepo();
    const f = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        promptTemplate: prompt('{"score": "high"}'),
        output: Output.object({ tag: 'result', schema: Type.Object({ score: Type.Number() }) }),
        env: { PATH: repo.path },
      }),
    );
    expect(f.code).toBe('structured-output-invalid');
    expect(f.message).toBe('<result> does not match the schema: /score must be number');
    expect(f.details?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.hint).toContain(`--resume ${String(f.details?.sessionId)}`);
  });

  it('missing tag and the tag absent from the prompt are both reported', async () => {
    repo = makeRepo();
    const f = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        promptTemplate: scripted([{ say: 'no tags here' }], 'Use <answer>.'),
        output: Output.string({ tag: 'answer' }),
        env: { PATH: repo.path },
      }),
    );
    expect(f.message).toBe("the agent's output has no <answer>…</answer> block");
    const g = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        cwd: repo.repo,
        prompt: 'x',
        output: Output.string({ tag: 'answer' }),
      }),
    );
    expect(g.code).toBe('usage');
  });
});

describe('sessions', () => {
  it('claude: resume passes --resume and keeps the id; fork passes --fork-session and gets a new one', async () => {
    repo = makeRepo();
    const base = {
      agent: createAgentProvider('claude-code'),
      sandbox: noSandbox(),
      cwd: repo.repo,
      env: { PATH: repo.path },
    };
    const first = await run({ ...base, promptTemplate: scripted([{ say: 'plan' }]) });
    expect(first.sessionId).toBeDefined();
    const resumed = await first.resume?.(scripted([{ echoArgv: true }]));
    expect(resumed?.sessionId).toBe(first.sessionId);
    expect(JSON.parse(resumed?.text ?? '[]')).toEqual(expect.arrayContaining(['--resume', first.sessionId]));
    const forked = await first.fork?.(scripted([{ echoArgv: true }]));
    expect(forked?.sessionId).not.toBe(first.sessionId);
    expect(JSON.parse(forked?.text ?? '[]')).toEqual(
      expect.arrayContaining(['--resume', first.sessionId, '--fork-session']),
    );
  });

  it('codex: exec resume / exec fork', async () => {
    repo = makeRepo();
    const base = {
      agent: createAgentProvider('codex'),
      sandbox: noSandbox(),
      cwd: repo.repo,
      env: { PATH: repo.path },
    };
    const r = await run({ ...base, prompt: scripted([{ echoArgv: true }]), resumeSession: 'T-1' });
    expect(JSON.parse(r.text).slice(0, 3)).toEqual(['exec', 'resume', 'T-1']);
    expect(r.sessionId).toBe('T-1');
    const f = await run({ ...base, prompt: scripted([{ echoArgv: true }]), resumeSession: 'T-1', forkSession: true });
    expect(f.sessionId).not.toBe('T-1');
  });

  it('resume is refused for agents without sessions and with maxIterations > 1', async () => {
    repo = makeRepo();
    const f = await failure(
      run({
        agent: createAgentProvider('command', { command: 'cat' }),
        cwd: repo.repo,
        prompt: 'x',
        resumeSession: 's',
      }),
    );
    expect(f.message).toBe('the command agent cannot resume sessions');
    const g = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        cwd: repo.repo,
        prompt: 'x',
        resumeSession: 's',
        maxIterations: 2,
      }),
    );
    expect(g.message).toBe('resumeSession needs maxIterations 1');
  });
});

describe('concurrency and size', () => {
  it('concurrent runs on different branches do not corrupt each other or .git', async () => {
    repo = makeRepo();
    const r = repo;
    const results = await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        run({
          agent: createAgentProvider('claude-code'),
          sandbox: bwrap(),
          cwd: r.repo,
          branchStrategy: { type: 'branch', branch: `agent/${n}` },
          maxIterations: 3,
          promptTemplate: scripted([{ append: `${n}.txt`, content: `${n}\n` }, { commit: `${n} step` }]),
          env: { PATH: r.path },
          mounts: r.mounts,
        }),
      ),
    );
    for (const [i, n] of ['a', 'b', 'c'].entries()) {
      expect(results[i]?.commits.map((c) => c.subject)).toEqual([`${n} step`, `${n} step`, `${n} step`]);
      expect(git(r.repo, 'show', `agent/${n}:${n}.txt`)).toBe(`${n}\n${n}\n${n}`);
    }
    expect(git(r.repo, 'fsck', '--strict', '--no-dangling')).toBe('');
    expect(git(r.repo, 'status', '--porcelain')).toBe('');
  });

  it('50 MB of agent output and a 20 MB line without newline stay bounded in memory', async () => {
    repo = makeRepo();
    // Live heap, not garbage waiting for the collector: vitest runs workers with --expose-gc
    // (vitest.config.ts), so each sample measures what the loop really keeps.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with --expose-gc (vitest.config.ts execArgv)');
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let n = 0;
    const result = await run({
      agent: createAgentProvider('claude-code'),
      sandbox: bwrap(),
      cwd: repo.repo,
      promptTemplate: scripted([
        { bytes: 50 * 1024 * 1024 },
        { rawBytes: 20 * 1024 * 1024 },
        { say: 'end <promise>COMPLETE</promise>' },
      ]),
      env: { PATH: repo.path },
      mounts: repo.mounts,
      onEvent: () => {
        if (++n % 2000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        }
      },
    });
    expect(result.completionSignal).toBeDefined();
    expect(result.text.length).toBeLessThanOrEqual(64 * 1024);
    expect(statSync(result.logPath as string).size).toBeGreaterThan(50 * 1024 * 1024);
    // Keeping the output would need > 100 MB of heap (UTF-16); the loop keeps tails only.
    expect(peak).toBeLessThan(48 * 1024 * 1024);
    expect(readFileSync(result.logPath as string, 'utf8').slice(-200)).toContain('end <promise>COMPLETE</promise>');
  });
});
