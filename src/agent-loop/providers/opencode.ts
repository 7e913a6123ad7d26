/**
 * OpenCode (`opencode`). One-shot mode with raw JSON events (reference/agent-cli/opencode-run-help.txt):
 *
 *   opencode run --format json [--auto] [--model provider/model] [--variant V] [--agent A]
 *                [--session ID [--fork]] [--] <prompt>
 *
 * The prompt is a positional argument (the CLI documents no stdin form), so it is bounded by the
 * 128 KiB argv limit. Stream: `step_start` (session id), `text`, `tool_use` (with a state that
 * reaches `completed`), `step_finish` (tokens and cost of the step), `error`.
 * With no credentials `opencode run` hangs silently (MACHINE-NOTES), hence the preflight on
 * `opencode auth list` and the idle timeout.
 */
import type { AgentEvent, AgentProvider, PreflightOptions } from '../types.js';
import { type AgentProviderOptions, assertPromptFitsArgv, modelArgs, providerBase } from './base.js';
import { hasAnyEnv, notLoggedIn, probe, requireExecutable } from './preflight.js';
import { errorMessage, obj, parseJsonObject, str, summarizeToolInput } from './stream.js';
import { costUsd, makeUsage, sumKnown, tokenCount } from '../usage.js';

/** Also takes `env` and `binary` (default `opencode`), as every provider does. */
export interface OpenCodeOptions extends AgentProviderOptions {
  /** Provider-specific reasoning effort (`--variant`). */
  variant?: string;
  /** OpenCode's own agent/mode (`--agent build|plan`), not factory's agent provider. */
  agent?: string;
}

/** Provider API keys opencode reads from the environment (any one is enough to run). */
const PROVIDER_ENV = [
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'OPENROUTER_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GROQ_API_KEY',
  'XAI_API_KEY',
  'OPENCODE_API_KEY',
] as const;

/** Parse one line of `opencode run --format json`. Pure. */
export function parseOpenCodeLine(line: string): AgentEvent[] {
  const o = parseJsonObject(line);
  if (!o) return [];
  const part = obj(o.part);
  switch (o.type) {
    case 'step_start': {
      const id = str(o.sessionID) ?? str(part?.sessionID);
      return id ? [{ type: 'session', sessionId: id }] : [];
    }
    case 'text': {
      const text = str(part?.text);
      return text !== undefined ? [{ type: 'text', text }] : [];
    }
    case 'tool_use': {
      const state = obj(part?.state);
      // Earlier states (pending, running) repeat the same call; report it once, when it completed.
      if (!part || typeof part.tool !== 'string' || (state?.status !== 'completed' && state?.status !== 'error'))
        return [];
      return [{ type: 'tool', name: part.tool, input: summarizeToolInput(state.input) }];
    }
    case 'step_finish': {
      const tokens = obj(part?.tokens);
      const cache = obj(tokens?.cache);
      const reported = makeUsage({
        input: tokenCount(tokens?.input),
        output: sumKnown(tokenCount(tokens?.output), tokenCount(tokens?.reasoning)),
        cacheRead: tokenCount(cache?.read),
        cacheWrite: tokenCount(cache?.write),
        costUsd: costUsd(part?.cost),
      });
      return reported ? [{ type: 'usage', cumulative: false, usage: reported }] : [];
    }
    case 'error': {
      const name = str(obj(o.error)?.name);
      const message = errorMessage(o) ?? 'error';
      return [{ type: 'error', message, ...(name === 'ProviderAuthError' ? { code: 'authentication_failed' } : {}) }];
    }
    default:
      return [];
  }
}

export function opencode(model?: string, options: OpenCodeOptions = {}): AgentProvider {
  const base = providerBase('opencode', 'opencode', model, options);
  const { binary } = base;
  const flags = (input: { model?: string; resume?: string; fork?: boolean }): string[] => {
    const argv: string[] = [];
    argv.push(...modelArgs('--model', input.model, model));
    if (options.variant) argv.push('--variant', options.variant);
    if (options.agent) argv.push('--agent', options.agent);
    if (input.resume) {
      argv.push('--session', input.resume);
      if (input.fork) argv.push('--fork');
    }
    return argv;
  };
  return {
    ...base,
    credentialEnv: PROVIDER_ENV,
    supportsResume: true,
    supportsFork: true,
    supportsMcp: true,
    buildArgv(input) {
      assertPromptFitsArgv('opencode', input.prompt);
      const argv = [binary, 'run', '--format', 'json'];
      if (input.skipPermissions) argv.push('--auto');
      argv.push(...flags(input));
      // A prompt that starts with "-" (a markdown list) would be read as flags without the separator.
      if (input.prompt.startsWith('-')) argv.push('--');
      argv.push(input.prompt);
      // OpenCode reads extra config (merged over its own) from OPENCODE_CONFIG_CONTENT.
      if (!input.mcpServers?.length) return { argv };
      const mcp = Object.fromEntries(
        input.mcpServers.map((m) => [m.name, { type: 'local', command: [m.command, ...m.args], enabled: true }]),
      );
      return { argv, env: { OPENCODE_CONFIG_CONTENT: JSON.stringify({ mcp }) } };
    },
    buildInteractiveArgv(input) {
      const argv = [binary, ...flags(input)];
      if (input.skipPermissions) argv.push('--auto');
      if (input.prompt) argv.push('--prompt', input.prompt);
      return argv;
    },
    parseLine: parseOpenCodeLine,
    async preflight({ env, signal }: PreflightOptions) {
      requireExecutable(
        'opencode',
        binary,
        env,
        'install OpenCode (npm i -g opencode-ai) or pass --agent with another agent',
      );
      if (hasAnyEnv(env, PROVIDER_ENV)) return;
      const r = await probe([binary, 'auth', 'list'], env, 15_000, signal);
      const out = r.stdout + r.stderr;
      if (/\b0 credentials\b/i.test(out) || (r.code !== 0 && !r.timedOut)) {
        throw notLoggedIn(
          'opencode',
          'no stored credentials and no provider API key in the environment (`opencode run` would hang silently)',
          'run `opencode auth login`, or set a provider key such as ANTHROPIC_API_KEY',
        );
      }
    },
  };
}
