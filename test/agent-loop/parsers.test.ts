import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseClaudeLine,
  parseCodexLine,
  parseCommandLine,
  parseCopilotLine,
  parseCursorLine,
  parseOpenCodeLine,
  parsePiLine,
} from '../../src/agent-loop/providers/index.js';
import type { AgentEvent } from '../../src/agent-loop/types.js';
import { REPO_ROOT } from '../helpers/cli.js';

const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test/fixtures/agents', name), 'utf8');
const parseAll = (parse: (l: string) => AgentEvent[], text: string) => text.split('\n').flatMap((l) => parse(l));
const of = <T extends AgentEvent['type']>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

describe('claude-code parser', () => {
  it('reads the real logged-out stream: session, authentication_failed, error result, usage', () => {
    const events = parseAll(parseClaudeLine, fixture('claude-no-login.stream-json.jsonl'));
    expect(of(events, 'session')).toEqual([{ type: 'session', sessionId: '8eb7d0e1-d9ac-4b84-b3b6-bcbdcb831c77' }]);
    expect(of(events, 'error')).toEqual([
      { type: 'error', code: 'authentication_failed', message: 'Not logged in · Please run /login' },
    ]);
    expect(of(events, 'text')).toEqual([]); // the login message is not the model's text
    expect(of(events, 'result')).toEqual([
      { type: 'result', text: 'Not logged in · Please run /login', isError: true },
    ]);
    expect(of(events, 'usage')).toEqual([
      { type: 'usage', cumulative: true, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: 0 } },
    ]);
  });

  it('reads a working stream: text, tools, total usage and cost; tool results are not text', () => {
    const events = parseAll(parseClaudeLine, fixture('claude-success.stream-json.jsonl'));
    expect(of(events, 'text').map((e) => e.text)).toEqual([
      'Looking at the repo. ',
      'Done. <promise>COMPLETE</promise>',
    ]);
    expect(of(events, 'tool')).toEqual([
      { type: 'tool', name: 'Bash', input: 'git status' },
      { type: 'tool', name: 'Edit', input: '/w/a.ts' },
    ]);
    expect(of(events, 'usage')).toEqual([
      {
        type: 'usage',
        cumulative: true,
        usage: { input: 35, output: 16, cacheRead: 200, cacheWrite: 100, costUsd: 0.0421 },
      },
    ]);
    expect(of(events, 'result')[0]?.isError).toBe(false);
  });

  it('ignores non-JSON and malformed lines', () => {
    expect(parseClaudeLine('')).toEqual([]);
    expect(parseClaudeLine('Welcome to Claude')).toEqual([]);
    expect(parseClaudeLine('{"type":"assistant", broken')).toEqual([]);
    expect(parseClaudeLine('[1,2]')).toEqual([]);
  });
});

describe('codex parser', () => {
  it('reads the real no-network stream: thread id and the reconnect errors', () => {
    const events = parseAll(parseCodexLine, fixture('codex-no-network.jsonl'));
    expect(of(events, 'session')).toEqual([{ type: 'session', sessionId: '01a20281-b25f-7a53-a688-8b55a83beee6' }]);
    const errors = of(events, 'error');
    expect(errors).toHaveLength(10);
    expect(errors[0]?.message).toMatch(/^Reconnecting\.\.\. 2\/5/);
    expect(errors[4]?.message).toMatch(/^Falling back from WebSockets/);
    expect(of(events, 'text')).toEqual([]);
  });

  it('reads a working turn: commands, file changes, message, usage split into cached and fresh input', () => {
    const events = parseAll(parseCodexLine, fixture('codex-success.jsonl'));
    expect(of(events, 'tool')).toEqual([
      { type: 'tool', name: 'shell', input: 'bash -lc ls' },
      { type: 'tool', name: 'file_change', input: '/w/src/a.ts /w/src/b.ts' },
    ]);
    expect(of(events, 'text').map((e) => e.text)).toEqual(['Updated both files. <promise>COMPLETE</promise>']);
    expect(of(events, 'usage')).toEqual([
      { type: 'usage', cumulative: false, usage: { input: 315, output: 122, cacheRead: 24448 } }, // codex has no cache writes: absent, not 0
    ]);
  });

  it('reports turn.failed as an error result', () => {
    expect(parseCodexLine('{"type":"turn.failed","error":{"message":"boom"}}')).toEqual([
      { type: 'result', text: 'boom', isError: true },
    ]);
  });
});

describe('opencode parser', () => {
  it('reads session, completed tools only, text, step usage and auth errors', () => {
    const events = parseAll(parseOpenCodeLine, fixture('opencode.jsonl'));
    expect(of(events, 'session')).toEqual([{ type: 'session', sessionId: 'ses_494719016ffe85dkDMj0FPRbHK' }]);
    expect(of(events, 'tool')).toEqual([{ type: 'tool', name: 'bash', input: 'ls' }]);
    expect(of(events, 'text').map((e) => e.text)).toEqual(['All set. <promise>COMPLETE</promise>']);
    expect(of(events, 'usage')).toEqual([
      {
        type: 'usage',
        cumulative: false,
        usage: { input: 671, output: 10, cacheRead: 21415, cacheWrite: 0, costUsd: 0.0031 },
      },
    ]);
    expect(of(events, 'error')).toEqual([{ type: 'error', message: 'Missing API key', code: 'authentication_failed' }]);
  });
});

describe('cursor parser', () => {
  it('reads session, assistant text (not the echoed user prompt), started tool calls and the result', () => {
    const events = parseAll(parseCursorLine, fixture('cursor.jsonl'));
    expect(of(events, 'session')).toEqual([{ type: 'session', sessionId: 'c6b62c6f-7ead-4fd6-9922-e952131177ff' }]);
    expect(of(events, 'text').map((e) => e.text)).toEqual(['Reading the file.', 'Done <promise>COMPLETE</promise>']);
    expect(of(events, 'tool')).toEqual([
      { type: 'tool', name: 'read', input: 'README.md' },
      { type: 'tool', name: 'shell', input: 'npm test' },
      { type: 'tool', name: 'custom_tool', input: 'make' },
    ]);
    expect(of(events, 'result')).toHaveLength(1);
  });
});

describe('copilot parser', () => {
  it('reads deltas as text, the whole message as result, tools, session and usage from result', () => {
    const events = parseAll(parseCopilotLine, fixture('copilot.jsonl'));
    expect(
      of(events, 'text')
        .map((e) => e.text)
        .join(''),
    ).toBe('Checking the tests.');
    expect(of(events, 'result').map((e) => e.text)).toEqual(['Checking the tests. <promise>COMPLETE</promise>']);
    expect(of(events, 'tool')).toEqual([{ type: 'tool', name: 'bash', input: 'npm test' }]);
    expect(of(events, 'session')).toEqual([{ type: 'session', sessionId: '7a1c1f7e-2d0e-4a44-a3a6-0c8f4c6a9e11' }]);
    expect(of(events, 'usage')).toEqual([
      { type: 'usage', cumulative: true, usage: { input: 900, output: 40, cacheRead: 100, cacheWrite: 0 } },
    ]);
    expect(of(events, 'error')).toEqual([{ type: 'error', message: 'rate limited' }]);
  });
});

describe('pi parser', () => {
  it('reads session header, text deltas (not thinking), tools, message usage, final result, errors', () => {
    const events = parseAll(parsePiLine, fixture('pi.jsonl'));
    expect(of(events, 'session')).toEqual([{ type: 'session', sessionId: '0d1f8e56-1b0a-4c46-8b83-4b0e0a4f5c11' }]);
    expect(of(events, 'text').map((e) => e.text)).toEqual(['Editing ', 'now.']);
    expect(of(events, 'tool')).toEqual([{ type: 'tool', name: 'bash', input: 'git commit -am fix' }]);
    expect(of(events, 'usage')).toEqual([
      {
        type: 'usage',
        cumulative: false,
        usage: { input: 300, output: 20, cacheRead: 50, cacheWrite: 10, costUsd: 0.002 },
      },
    ]);
    expect(of(events, 'result').map((e) => e.text)).toEqual(['Editing now. <promise>COMPLETE</promise>']);
    expect(of(events, 'error')).toEqual([{ type: 'error', message: '401 invalid x-api-key' }]);
  });
});

describe('command parser', () => {
  it('treats every line as text, newline kept', () => {
    expect(parseCommandLine('hello')).toEqual([{ type: 'text', text: 'hello\n' }]);
    expect(parseCommandLine('{"type":"x"}')).toEqual([{ type: 'text', text: '{"type":"x"}\n' }]);
  });
});

describe('token usage: unknown is absent, never 0', () => {
  const usageOf = (events: AgentEvent[]) => of(events, 'usage').map((e) => e.usage);

  it('a count the CLI did not report is absent; a usage line with nothing known yields no usage event', () => {
    expect(
      usageOf(parseClaudeLine('{"type":"result","is_error":false,"result":"ok","usage":{"output_tokens":7}}')),
    ).toEqual([{ output: 7 }]);
    expect(usageOf(parseClaudeLine('{"type":"result","is_error":false,"result":"ok"}'))).toEqual([]);
    expect(usageOf(parseCodexLine('{"type":"turn.completed","usage":{"output_tokens":3}}'))).toEqual([{ output: 3 }]);
    expect(usageOf(parseCodexLine('{"type":"turn.completed"}'))).toEqual([]);
    expect(usageOf(parseOpenCodeLine('{"type":"step_finish","part":{"tokens":{"input":4}}}'))).toEqual([{ input: 4 }]);
    expect(usageOf(parseOpenCodeLine('{"type":"step_finish","part":{}}'))).toEqual([]);
    expect(
      usageOf(parsePiLine('{"type":"message_end","message":{"role":"assistant","usage":{"cacheRead":9}}}')),
    ).toEqual([{ cacheRead: 9 }]);
    expect(usageOf(parseCopilotLine('{"type":"result","sessionId":"s","exitCode":0,"usage":{}}'))).toEqual([]);
    expect(
      usageOf(parseCursorLine('{"type":"result","is_error":false,"result":"ok","usage":{"outputTokens":2}}')),
    ).toEqual([{ output: 2 }]);
  });

  it('malformed counts (strings, negative, fractional, null) are not counted', () => {
    const bad =
      '"input_tokens":"12","output_tokens":-3,"cache_read_input_tokens":1.5,"cache_creation_input_tokens":null';
    expect(usageOf(parseClaudeLine(`{"type":"result","is_error":false,"result":"ok","usage":{${bad}}}`))).toEqual([]);
    expect(
      usageOf(
        parseClaudeLine(`{"type":"result","result":"ok","total_cost_usd":"0.1","usage":{${bad},"output_tokens":5}}`),
      ),
    ).toEqual([{ output: 5 }]);
    // codex: a cached part larger than the whole prompt leaves the fresh part unknown
    expect(
      usageOf(
        parseCodexLine(
          '{"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":50,"output_tokens":1}}',
        ),
      ),
    ).toEqual([{ cacheRead: 50, output: 1 }]);
    expect(
      usageOf(
        parseOpenCodeLine(
          '{"type":"step_finish","part":{"cost":-1,"tokens":{"input":"x","output":2,"reasoning":"y"}}}',
        ),
      ),
    ).toEqual([{ output: 2 }]);
    expect(
      usageOf(
        parsePiLine(
          '{"type":"message_end","message":{"role":"assistant","usage":{"input":1e400,"cost":{"total":"1"}}}}',
        ),
      ),
    ).toEqual([]);
  });
});
