/**
 * A silent agent gets periodic "idle for N" notices (events and log lines) before the idle timeout
 * stops it. Short intervals stand in for the default minute; nothing asserts how long anything took:
 * only the order (every notice comes before the timeout) and the counts the notices carry.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src/agent-loop/events.js';
import { formatIdle, IdleNotices } from '../../src/agent-loop/idle-notice.js';
import { createAgentProvider } from '../../src/agent-loop/providers/index.js';
import { run } from '../../src/agent-loop/run.js';
import { noSandbox } from '../../src/sandboxes/index.js';
import { runFactory } from '../helpers/cli.js';
import { makeRepo, scripted, type TestRepo } from './helpers.js';
import { failure } from '../helpers/failure.js';

let repo: TestRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

describe('idle notices', () => {
  it('formats idle time in seconds below a minute, in minutes above', () => {
    expect(formatIdle(500)).toBe('0.5 s');
    expect(formatIdle(45_000)).toBe('45 s');
    expect(formatIdle(60_000)).toBe('1 minute');
    expect(formatIdle(150_000)).toBe('2 minutes 30 s');
    expect(formatIdle(600_000)).toBe('10 minutes');
  });

  it('a silent agent gets a notice after each interval of silence, before the idle timeout stops it', async () => {
    repo = makeRepo();
    const events: RunEvent[] = [];
    const f = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        branchStrategy: { type: 'branch', branch: 'agent/idle-notice' },
        idleTimeoutSeconds: 3,
        idleNoticeSeconds: 0.5,
        promptTemplate: scripted([{ say: 'thinking' }, { hang: true }]),
        env: { PATH: repo.path },
        onEvent: (e) => events.push(e),
      }),
    );
    expect(f.code).toBe('agent-idle-timeout');
    const notices = events.filter((e): e is Extract<RunEvent, { type: 'idle' }> => e.type === 'idle');
    expect(notices.length).toBeGreaterThanOrEqual(1);
    // Each notice counts one more interval of silence, and all come before the iteration ended.
    expect(notices.map((n) => n.idleSeconds)).toEqual(notices.map((_, i) => 0.5 * (i + 1)));
    expect(notices.every((n) => n.idleSeconds < 3 && n.idleTimeoutSeconds === 3)).toBe(true);
    const end = events.findIndex((e) => e.type === 'iteration-end');
    expect(events.findIndex((e) => e.type === 'idle')).toBeLessThan(end);
    expect(events.slice(end).some((e) => e.type === 'idle')).toBe(false);
    const log = readFileSync(f.details?.logPath as string, 'utf8');
    expect(log).toContain('agent idle for 0.5 s (stopped at 3 s without output)');
  });

  it('output resets the count; notices stop before the timeout and after stop()', () => {
    vi.useFakeTimers();
    try {
      const seen: number[] = [];
      const n = new IdleNotices(500, 1600, (ms) => seen.push(ms));
      vi.advanceTimersByTime(400);
      n.activity();
      vi.advanceTimersByTime(400);
      expect(seen).toEqual([]); // 400 ms of silence twice is not 500
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([500]);
      vi.advanceTimersByTime(500);
      expect(seen).toEqual([500, 1000]);
      n.activity();
      vi.advanceTimersByTime(1500);
      expect(seen).toEqual([500, 1000, 500, 1000, 1500]);
      vi.advanceTimersByTime(5000);
      expect(seen).toEqual([500, 1000, 500, 1000, 1500]); // 2000 would be past the 1600 ms timeout
      const m = new IdleNotices(500, 10_000, (ms) => seen.push(ms));
      m.stop();
      vi.advanceTimersByTime(5000);
      expect(seen).toHaveLength(5);
      const never = new IdleNotices(0, 10_000, (ms) => seen.push(ms));
      never.activity();
      vi.advanceTimersByTime(20_000);
      expect(seen).toHaveLength(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('idleNoticeSeconds 0 turns them off in a run', async () => {
    repo = makeRepo();
    const quiet: RunEvent[] = [];
    await failure(
      run({
        agent: createAgentProvider('codex'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        branchStrategy: { type: 'branch', branch: 'agent/off' },
        idleTimeoutSeconds: 1,
        idleNoticeSeconds: 0,
        promptTemplate: scripted([{ hang: true }]),
        env: { PATH: repo.path },
        onEvent: (e) => quiet.push(e),
      }),
    );
    expect(quiet.some((e) => e.type === 'iteration-end')).toBe(true);
    expect(quiet.some((e) => e.type === 'idle')).toBe(false);
  });

  it('the CLI prints the notice on stderr (--idle-notice), and rejects a bad interval with exit 2', async () => {
    repo = makeRepo();
    const r = await runFactory(
      [
        'agent',
        'run',
        '--agent',
        'claude-code',
        '--sandbox',
        'none',
        '--branch',
        'agent/cli-idle',
        '--idle-timeout',
        '2s',
        '--idle-notice',
        '500ms',
        '--prompt',
        scripted([{ hang: true }]),
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('agent idle for 0.5 s (stopped at 2 s without output)');
    const bad = await runFactory(['agent', 'run', '--idle-notice', 'soon', '--prompt', 'x'], {
      cwd: repo.repo,
      env: { PATH: repo.path },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--idle-notice must be a duration like 90s, 45m or 2h (got "soon")');
  });
});
