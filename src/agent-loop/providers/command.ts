/**
 * Any executable as the agent: `factory agent run --agent command --command ./my-agent -- args…`.
 *
 * The prompt is written to its stdin; every stdout line is agent text, so the completion signal
 * and a structured-output tag are looked for there. No sessions, no usage.
 */
import type { AgentEvent, AgentProvider, PreflightOptions } from '../types.js';
import { providerBase } from './base.js';
import { requireExecutable } from './preflight.js';

export interface CommandAgentOptions {
  args?: string[];
  env?: Record<string, string>;
}

/** Every line is text (kept verbatim, newline restored so multi-line tags survive). Pure. */
export function parseCommandLine(line: string): AgentEvent[] {
  return [{ type: 'text', text: `${line}\n` }];
}

export function commandAgent(executable: string, options: CommandAgentOptions = {}): AgentProvider {
  const args = options.args ?? [];
  return {
    ...providerBase('command', executable, undefined, { env: options.env }),
    credentialEnv: [],
    supportsResume: false,
    supportsFork: false,
    buildArgv(input) {
      return { argv: [executable, ...args], stdin: input.prompt };
    },
    buildInteractiveArgv() {
      return [executable, ...args];
    },
    parseLine: parseCommandLine,
    async preflight({ env }: PreflightOptions) {
      requireExecutable(
        'command',
        executable,
        env,
        'pass --command with an executable file (a path, or a name on PATH)',
      );
    },
  };
}
