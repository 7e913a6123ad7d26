import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCode, createAgentProvider } from '../../src/agent-loop/providers/index.js';
import { findExecutable } from '../../src/agent-loop/providers/preflight.js';
import { run } from '../../src/agent-loop/run.js';
import { isFactoryFailure } from '../../src/lib/failure.js';
import { bwrap, noSandbox } from '../../src/sandboxes/index.js';
import { makeRepo, scripted, type TestRepo } from './helpers.js';
import { failure } from '../helpers/failure.js';

let repo: TestRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

/** Credentials that would let a CLI skip its login check, blanked so the logged-out path runs. */
const NO_KEYS = {
  ANTHROPIC_API_KEY: '',
  CLAUDE_CODE_OAUTH_TOKEN: '',
  ANTHROPIC_AUTH_TOKEN: '',
  CODEX_API_KEY: '',
  OPENAI_API_KEY: '',
  CURSOR_API_KEY: '',
  OPENROUTER_API_KEY: '',
  GEMINI_API_KEY: '',
};

describe('preflight with fake CLIs that behave like the logged-out real ones', () => {
  for (const [agent, expected] of [
    ['claude-code', /`claude auth status` reports loggedIn: false|auth method none/],
    ['codex', /`codex login status` exited 1: Not logged in/],
    ['opencode', /no stored credentials/],
    ['cursor', /Not logged in/],
  ] as const) {
    it(`${agent}: logged out → agent-not-logged-in (exit 3) before any worktree or sandbox`, async () => {
      repo = makeRepo();
      const f = await failure(
        run({
          agent: createAgentProvider(agent),
          sandbox: noSandbox(),
          cwd: repo.repo,
          branchStrategy: { type: 'merge-to-head' },
          prompt: 'x',
          env: { PATH: repo.path, FAKE_AGENT_LOGGED_OUT: '1', ...NO_KEYS },
        }),
      );
      expect(f.code).toBe('agent-not-logged-in');
      expect(f.exitCode).toBe(3);
      expect(f.message).toMatch(expected);
      expect(existsSync(join(repo.repo, '.factory'))).toBe(false);
    });
  }

  it('a missing binary → agent-missing (exit 3) naming the binary', async () => {
    repo = makeRepo();
    const empty = join(repo.root, 'empty-bin');
    mkdirSync(empty);
    const f = await failure(
      run({
        agent: createAgentProvider('pi'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        prompt: 'x',
        env: { PATH: empty },
      }),
    );
    expect(f.code).toBe('agent-missing');
    expect(f.exitCode).toBe(3);
    expect(f.message).toBe('the pi agent needs the "pi" executable, which is not on PATH');
    expect(existsSync(join(repo.repo, '.factory'))).toBe(false);
  });

  it('logged-in fakes pass preflight', async () => {
    repo = makeRepo();
    for (const agent of ['claude-code', 'codex', 'opencode', 'cursor', 'copilot', 'pi'] as const) {
      await createAgentProvider(agent).preflight({ env: { ...process.env, PATH: repo.path, ...NO_KEYS } });
    }
  });

  it("without preflight, claude's real logged-out stream (authentication_failed) is still a clear failure", async () => {
    repo = makeRepo();
    const f = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        prompt: 'x',
        preflight: false,
        env: { PATH: repo.path, FAKE_AGENT_LOGGED_OUT: '1' },
      }),
    );
    expect(f.code).toBe('agent-not-logged-in');
    expect(f.message).toBe('the claude-code CLI is not logged in: Not logged in · Please run /login');
    expect(f.details?.sessionId).toBe('8eb7d0e1-d9ac-4b84-b3b6-bcbdcb831c77');
  });

  it('without preflight, codex with no network retries forever: the idle timeout bounds it', async () => {
    repo = makeRepo();
    const f = await failure(
      run({
        agent: createAgentProvider('codex'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        prompt: scripted([]),
        preflight: false,
        idleTimeoutSeconds: 1,
        env: { PATH: repo.path, FAKE_AGENT_LOGGED_OUT: '1' },
      }),
    );
    expect(f.code).toBe('agent-idle-timeout');
    expect(f.details?.lastError).toMatch(/^Reconnecting\.\.\. waiting for network/);
  });
});

describe('preflight of the real CLIs', () => {
  for (const [agent, binary] of [
    ['claude-code', 'claude'],
    ['codex', 'codex'],
    ['opencode', 'opencode'],
  ] as const) {
    const found = findExecutable(binary, process.env);
    if (!found) {
      // Not npm-installed here on purpose (~1 GB together); the fake CLIs above cover the logic.
      console.warn(`skipping the real ${binary} preflight: "${binary}" is not on PATH (npm i -g the CLI to run it)`);
    }
    it.skipIf(!found)(`${agent}: the real CLI either passes or reports a clear login failure`, async () => {
      try {
        await createAgentProvider(agent).preflight({ env: process.env });
      } catch (e) {
        expect(isFactoryFailure(e) && e.code).toBe('agent-not-logged-in');
      }
    });
  }
});

describe('the agent inside the sandbox', () => {
  it('a CLI the host has but bwrap cannot see is a clear agent-missing-in-sandbox failure', async () => {
    repo = makeRepo();
    // An absolute path under the host's /tmp, not on PATH: bwrap's fresh /tmp does not have it.
    const f = await failure(
      run({
        agent: claudeCode(undefined, { binary: join(repo.bin, 'claude') }),
        sandbox: bwrap(),
        cwd: repo.repo,
        prompt: 'x',
      }),
    );
    expect(f.code).toBe('agent-missing-in-sandbox');
    expect(f.exitCode).toBe(3);
    expect(f.hint).toMatch(/^mount its directory into the sandbox/);
  });
});
