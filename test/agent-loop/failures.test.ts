/**
 * An agent that fails says why in its own stream more often than on stderr: the run's failure
 * carries those last words (claude's error result, opencode's plain-text error on stdout, a
 * command's last line), with stderr empty in every case here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentProvider } from '../../src/agent-loop/providers/index.js';
import { run } from '../../src/agent-loop/run.js';
import { noSandbox } from '../../src/sandboxes/index.js';
import { FAKE_AGENT, makeRepo, scripted, type TestRepo } from './helpers.js';
import { failure } from '../helpers/failure.js';

const repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

async function failedRun(agent: string, steps: unknown[]) {
  const repo = makeRepo();
  repos.push(repo);
  return failure(
    run({
      agent:
        agent === 'command'
          ? createAgentProvider('command', { command: FAKE_AGENT, commandArgs: ['--fake-format=text'] })
          : createAgentProvider(agent),
      sandbox: noSandbox(),
      cwd: repo.repo,
      branchStrategy: { type: 'branch', branch: `agent/${agent}` },
      promptTemplate: scripted(steps),
      env: { PATH: repo.path },
      logging: { type: 'none' },
    }),
  );
}

describe("a failed agent's last words", () => {
  it("claude: the error result's text (is_error: true), stderr empty", async () => {
    const f = await failedRun('claude-code', [{ say: 'API Error: 529 Overloaded' }, { exit: 1 }]);
    expect(f.code).toBe('agent-failed');
    expect(f.message).toBe('the agent exited with code 1: API Error: 529 Overloaded');
    expect(f.details?.stderrTail).toBe('');
    expect(f.details?.lastWords).toBe('API Error: 529 Overloaded');
  });

  it('opencode: a plain-text error line on stdout, outside its JSON stream', async () => {
    const f = await failedRun('opencode', [{ stdout: 'Error: API key is invalid' }, { exit: 1 }]);
    expect(f.message).toBe('the agent exited with code 1: Error: API key is invalid');
  });

  it("opencode: its JSON error event (the shape of opencode's real UnknownError line)", async () => {
    const f = await failedRun('opencode', [
      {
        stdout: JSON.stringify({
          type: 'error',
          sessionID: 'ses_1',
          error: { name: 'APIError', data: { message: 'API key is invalid' } },
        }),
      },
      { exit: 1 },
    ]);
    expect(f.message).toBe('the agent exited with code 1: API key is invalid');
  });

  it('a command agent: its last lines of text', async () => {
    const f = await failedRun('command', [
      { say: 'working' },
      { say: 'cannot reach the model: ECONNREFUSED' },
      { exit: 2 },
    ]);
    expect(f.message).toBe('the agent exited with code 2: working\ncannot reach the model: ECONNREFUSED');
  });

  it('stderr still counts when the stream said nothing about an error', async () => {
    const f = await failedRun('pi', [{ say: 'thinking' }, { stderr: 'panic: out of memory' }, { exit: 101 }]);
    expect(f.message).toBe('the agent exited with code 101: panic: out of memory');
  });
});
