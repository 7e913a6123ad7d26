/**
 * The agent-provider registry: a name on the command line (`--agent codex`) → a provider value.
 * Library users may also call the factories directly (`claudeCode('opus', {effort: 'high'})`).
 */
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import type { AgentProvider } from '../types.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { commandAgent } from './command.js';
import { copilot } from './copilot.js';
import { cursor } from './cursor.js';
import { opencode } from './opencode.js';
import { pi } from './pi.js';

export { claudeCode, parseClaudeLine, type ClaudeCodeOptions } from './claude-code.js';
export { codex, parseCodexLine, type CodexOptions } from './codex.js';
export { commandAgent, parseCommandLine, type CommandAgentOptions } from './command.js';
export { copilot, parseCopilotLine, type CopilotOptions } from './copilot.js';
export { cursor, parseCursorLine, type CursorOptions } from './cursor.js';
export { opencode, parseOpenCodeLine, type OpenCodeOptions } from './opencode.js';
export { pi, parsePiLine, type PiOptions } from './pi.js';

export const AGENT_NAMES = ['claude-code', 'codex', 'opencode', 'cursor', 'copilot', 'pi', 'command'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

export interface AgentSelection {
  model?: string;
  /** For `command`: the executable and its arguments. */
  command?: string;
  commandArgs?: string[];
}

export function createAgentProvider(name: string, selection: AgentSelection = {}): AgentProvider {
  const { model } = selection;
  switch (name as AgentName) {
    case 'claude-code':
      return claudeCode(model);
    case 'codex':
      return codex(model);
    case 'opencode':
      return opencode(model);
    case 'cursor':
      return cursor(model);
    case 'copilot':
      return copilot(model);
    case 'pi':
      return pi(model);
    case 'command':
      if (!selection.command) {
        throw new FactoryFailure('usage', '--agent command needs --command <executable>', {
          exitCode: ExitCode.invalid,
          hint: 'factory agent run --agent command --command ./my-agent -- --its-flags',
        });
      }
      return commandAgent(selection.command, { args: selection.commandArgs ?? [] });
    default:
      throw new FactoryFailure('unknown-agent', `unknown agent "${name}"`, {
        exitCode: ExitCode.invalid,
        hint: `one of: ${AGENT_NAMES.join(', ')}`,
      });
  }
}
