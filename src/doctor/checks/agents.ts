/**
 * Agent CLIs and their login state, through each provider's own preflight (the check the agent
 * loop runs before a worktree exists): `claude auth status`, `codex login status`, `opencode auth
 * list`, … Needed only for the agents named with `--agent`; the others are reported.
 */
import { createAgentProvider } from '../../agent-loop/index.js';
import { isFactoryFailure } from '../../lib/failure.js';
import { broken, type Check, missing, ok } from '../types.js';

/** The CLIs doctor reports (the `command` agent has no CLI of its own). */
export const DOCTOR_AGENTS = ['claude-code', 'codex', 'opencode', 'cursor', 'copilot', 'pi'] as const;

/** The exact install command per agent CLI (npm packages, as in MACHINE-NOTES). */
const INSTALL: Record<string, string> = {
  'claude-code': 'npm install -g @anthropic-ai/claude-code',
  codex: 'npm install -g @openai/codex',
  opencode: 'npm install -g opencode-ai',
  cursor: 'curl https://cursor.com/install -fsS | bash   (Cursor CLI: cursor-agent)',
  copilot: 'npm install -g @github/copilot',
  pi: 'npm install -g @mariozechner/pi-coding-agent',
};

export function agentCheck(name: string): Check {
  return {
    id: `agent:${name}`,
    need: ({ agents }) =>
      agents.includes(name)
        ? { needed: true, why: `factory agent run --agent ${name}` }
        : { needed: false, why: `factory agent run --agent ${name} (pass --agent ${name} to require it)` },
    probe: async ({ env }) => {
      const provider = createAgentProvider(name);
      try {
        await provider.preflight({ env });
        return ok(`${provider.binary} is installed and logged in`);
      } catch (e) {
        if (!isFactoryFailure(e)) throw e;
        if (e.code === 'agent-missing') return missing(e.message, INSTALL[name] ?? e.hint ?? '');
        return broken(e.message, e.hint ?? '');
      }
    },
  };
}
