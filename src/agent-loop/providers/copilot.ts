/**
 * GitHub Copilot CLI (`copilot`). Programmatic mode with JSONL events:
 *
 *   copilot -p <prompt> --output-format json [--allow-all-tools] [--model M] [--resume ID]
 *
 * The prompt is the `-p` argument (128 KiB argv limit). Stream: `assistant.message_delta`
 * (text chunks), `assistant.message` (a whole message), `tool.execution_start`, `result`
 * (session id, usage), `error`. No reference capture exists on this machine; the shapes are
 * exercised by test/fixtures/agents/copilot.jsonl.
 */
import type { AgentEvent, AgentProvider, PreflightOptions } from '../types.js';
import { type AgentProviderOptions, assertPromptFitsArgv, modelArgs, providerBase } from './base.js';
import { requireExecutable } from './preflight.js';
import { errorMessage, obj, parseJsonObject, str, summarizeToolInput } from './stream.js';
import { makeUsage, tokenCount } from '../usage.js';

/** Also takes `env` and `binary` (default `copilot`), as every provider does. */
export interface CopilotOptions extends AgentProviderOptions {
  effort?: 'low' | 'medium' | 'high';
}

/** Parse one line of `copilot --output-format json`. Pure. */
export function parseCopilotLine(line: string): AgentEvent[] {
  const o = parseJsonObject(line);
  if (!o) return [];
  const data = obj(o.data);
  switch (o.type) {
    case 'assistant.message_delta': {
      const text = str(data?.deltaContent);
      return text !== undefined ? [{ type: 'text', text }] : [];
    }
    case 'assistant.message': {
      // The whole message repeats the deltas: report it as the (last-wins) result, not as more text.
      const text = str(data?.content);
      return text ? [{ type: 'result', text, isError: false }] : [];
    }
    case 'tool.execution_start': {
      const name = str(data?.toolName);
      return name ? [{ type: 'tool', name, input: summarizeToolInput(data?.arguments) }] : [];
    }
    case 'result': {
      const events: AgentEvent[] = [];
      const id = str(o.sessionId);
      if (id) events.push({ type: 'session', sessionId: id });
      const u = obj(o.usage);
      const reported = makeUsage({
        input: tokenCount(u?.inputTokens ?? u?.input_tokens),
        output: tokenCount(u?.outputTokens ?? u?.output_tokens),
        cacheRead: tokenCount(u?.cacheReadTokens ?? u?.cache_read_input_tokens),
        cacheWrite: tokenCount(u?.cacheWriteTokens ?? u?.cache_creation_input_tokens),
        costUsd: undefined,
      });
      if (reported) events.push({ type: 'usage', cumulative: true, usage: reported });
      if (typeof o.exitCode === 'number' && o.exitCode !== 0)
        events.push({ type: 'result', text: errorMessage(o) ?? `exit code ${o.exitCode}`, isError: true });
      return events;
    }
    case 'error':
    case 'agent_error':
      return [{ type: 'error', message: errorMessage(o) ?? 'error' }];
    default:
      return [];
  }
}

export function copilot(model?: string, options: CopilotOptions = {}): AgentProvider {
  const base = providerBase('copilot', 'copilot', model, options);
  const { binary } = base;
  return {
    ...base,
    credentialEnv: ['COPILOT_GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN'],
    supportsResume: true,
    supportsFork: false,
    buildArgv(input) {
      assertPromptFitsArgv('copilot', input.prompt);
      const argv = [binary, '-p', input.prompt, '--output-format', 'json'];
      if (input.skipPermissions) argv.push('--allow-all-tools');
      argv.push(...modelArgs('--model', input.model, model));
      if (options.effort) argv.push('--effort', options.effort);
      if (input.resume) argv.push('--resume', input.resume);
      return { argv };
    },
    buildInteractiveArgv(input) {
      const argv = [binary];
      argv.push(...modelArgs('--model', input.model, model));
      if (input.resume) argv.push('--resume', input.resume);
      // `-i` starts the TUI with the prompt; `-p` would print and exit.
      if (input.prompt) argv.push('-i', input.prompt);
      return argv;
    },
    parseLine: parseCopilotLine,
    async preflight({ env }: PreflightOptions) {
      // Copilot has no local status command; a missing login shows as an `error` event at run time.
      requireExecutable(
        'copilot',
        binary,
        env,
        'install the GitHub Copilot CLI (npm i -g @github/copilot) or pass --agent with another agent',
      );
    },
  };
}
