import { describe, expect, it } from 'vitest';
import {
  AGENT_NAMES,
  claudeCode,
  codex,
  commandAgent,
  copilot,
  createAgentProvider,
  cursor,
  opencode,
  pi,
} from '../../src/agent-loop/providers/index.js';
import type { AgentProvider } from '../../src/agent-loop/types.js';

const base = { prompt: 'Fix it', skipPermissions: true } as const;

describe('argv builders (flags from reference/agent-cli help texts)', () => {
  it('claude-code: print mode, stream-json, verbose, prompt on stdin; resume and fork', () => {
    const a = claudeCode('sonnet', { effort: 'high' });
    expect(a.buildArgv(base)).toEqual({
      argv: [
        'claude',
        '-p',
        '--output-format',
        'stream-json',
        '--verbose',
        '--dangerously-skip-permissions',
        '--model',
        'sonnet',
        '--effort',
        'high',
      ],
      stdin: 'Fix it',
    });
    expect(a.buildArgv({ ...base, resume: 'S1' }).argv.slice(-2)).toEqual(['--resume', 'S1']);
    expect(a.buildArgv({ ...base, resume: 'S1', fork: true }).argv.slice(-3)).toEqual([
      '--resume',
      'S1',
      '--fork-session',
    ]);
    expect(claudeCode().buildArgv({ prompt: 'p', skipPermissions: false }).argv).toEqual([
      'claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
    ]);
    expect(claudeCode(undefined, { permissionMode: 'acceptEdits' }).buildArgv(base).argv).toContain('acceptEdits');
    expect(claudeCode(undefined, { permissionMode: 'acceptEdits' }).buildArgv(base).argv).not.toContain(
      '--dangerously-skip-permissions',
    );
  });

  it('codex: exec --json, `exec resume ID`, `exec fork ID`, prompt from stdin via "-"', () => {
    const a = codex('gpt-5.4', { effort: 'low' });
    expect(a.buildArgv(base)).toEqual({
      argv: [
        'codex',
        'exec',
        '--json',
        '--dangerously-bypass-approvals-and-sandbox',
        '-m',
        'gpt-5.4',
        '-c',
        'model_reasoning_effort="low"',
        '-',
      ],
      stdin: 'Fix it',
    });
    expect(a.buildArgv({ ...base, resume: 'T1' }).argv.slice(0, 5)).toEqual([
      'codex',
      'exec',
      'resume',
      'T1',
      '--json',
    ]);
    expect(a.buildArgv({ ...base, resume: 'T1', fork: true }).argv.slice(0, 5)).toEqual([
      'codex',
      'exec',
      'fork',
      'T1',
      '--json',
    ]);
  });

  it('opencode: run --format json, --auto, --session/--fork, positional prompt guarded by --', () => {
    const a = opencode('anthropic/claude-sonnet-4-6');
    expect(a.buildArgv(base)).toEqual({
      argv: ['opencode', 'run', '--format', 'json', '--auto', '--model', 'anthropic/claude-sonnet-4-6', 'Fix it'],
    });
    expect(a.buildArgv({ ...base, prompt: '- item', resume: 'ses_1', fork: true }).argv.slice(-5)).toEqual([
      '--session',
      'ses_1',
      '--fork',
      '--',
      '- item',
    ]);
    expect(() => a.buildArgv({ ...base, prompt: 'x'.repeat(200 * 1024) })).toThrow(/takes the prompt as one argument/);
  });

  it('cursor, copilot, pi', () => {
    expect(cursor('gpt-5').buildArgv({ ...base, resume: 'c1' }).argv).toEqual([
      'cursor-agent',
      '--print',
      '--output-format',
      'stream-json',
      '--force',
      '--model',
      'gpt-5',
      '--resume',
      'c1',
      'Fix it',
    ]);
    expect(copilot('claude-sonnet-4.5').buildArgv(base).argv).toEqual([
      'copilot',
      '-p',
      'Fix it',
      '--output-format',
      'json',
      '--allow-all-tools',
      '--model',
      'claude-sonnet-4.5',
    ]);
    expect(pi('m', { thinking: 'high' }).buildArgv({ ...base, resume: 'p1' })).toEqual({
      argv: ['pi', '-p', '--mode', 'json', '--model', 'm', '--thinking', 'high', '--session', 'p1'],
      stdin: 'Fix it',
    });
  });

  it('command: the executable and its args, prompt on stdin', () => {
    expect(commandAgent('./agent.sh', { args: ['--fast'] }).buildArgv(base)).toEqual({
      argv: ['./agent.sh', '--fast'],
      stdin: 'Fix it',
    });
  });

  it('interactive argv carries the prompt as the TUI expects it', () => {
    expect(claudeCode('opus').buildInteractiveArgv({ prompt: 'hi', skipPermissions: false })).toEqual([
      'claude',
      '--model',
      'opus',
      'hi',
    ]);
    expect(copilot().buildInteractiveArgv({ prompt: 'hi', skipPermissions: false })).toEqual(['copilot', '-i', 'hi']);
    expect(opencode().buildInteractiveArgv({ prompt: 'hi', skipPermissions: false })).toEqual([
      'opencode',
      '--prompt',
      'hi',
    ]);
  });

  it('the registry knows every agent and says which ones resume and fork', () => {
    const table: Record<(typeof AGENT_NAMES)[number], [boolean, boolean]> = {
      'claude-code': [true, true],
      codex: [true, true],
      opencode: [true, true],
      cursor: [true, false],
      copilot: [true, false],
      pi: [true, false],
      command: [false, false],
    };
    for (const name of AGENT_NAMES) {
      const p: AgentProvider = createAgentProvider(name, { command: '/bin/true' });
      expect(p.name).toBe(name);
      expect([p.supportsResume, p.supportsFork]).toEqual(table[name]);
    }
    expect(() => createAgentProvider('claud')).toThrow(/unknown agent "claud"/);
    expect(() => createAgentProvider('command')).toThrow(/--command/);
  });
});
