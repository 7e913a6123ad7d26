/**
 * Pi coding agent (`pi`). Print mode with JSON events, prompt on stdin:
 *
 *   pi -p --mode json [--model M] [--thinking LEVEL] [--session ID]
 *
 * Stream: a `session` header (id), `message_update` with `text_delta`s, `tool_execution_start`,
 * `message_end` (an assistant message with its usage), `agent_end` (all messages), and
 * `error`/`agent_error` for API failures. Exercised by test/fixtures/agents/pi.jsonl.
 */
import type { AgentEvent, AgentProvider, PreflightOptions } from '../types.js';
import { type AgentProviderOptions, modelArgs, providerBase } from './base.js';
import { requireExecutable } from './preflight.js';
import { errorMessage, obj, parseJsonObject, str, summarizeToolInput } from './stream.js';
import { costUsd, makeUsage, tokenCount } from '../usage.js';

/** Also takes `env` and `binary` (default `pi`), as every provider does. */
export interface PiOptions extends AgentProviderOptions {
  thinking?: 'off' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
}

function assistantText(message: Record<string, unknown> | undefined): string {
  const content = Array.isArray(message?.content) ? message.content : [];
  return content
    .map((b) => obj(b))
    .filter((b) => b?.type === 'text' && typeof b.text === 'string')
    .map((b) => b?.text as string)
    .join('');
}

/** Parse one line of `pi -p --mode json`. Pure. */
export function parsePiLine(line: string): AgentEvent[] {
  const o = parseJsonObject(line);
  if (!o) return [];
  switch (o.type) {
    case 'session': {
      const id = str(o.id);
      return id ? [{ type: 'session', sessionId: id }] : [];
    }
    case 'message_update': {
      const e = obj(o.assistantMessageEvent);
      return e?.type === 'text_delta' && typeof e.delta === 'string' ? [{ type: 'text', text: e.delta }] : [];
    }
    case 'tool_execution_start': {
      const name = str(o.toolName);
      return name ? [{ type: 'tool', name, input: summarizeToolInput(o.args) }] : [];
    }
    case 'message_end': {
      const message = obj(o.message);
      const u = obj(message?.usage);
      if (message?.role !== 'assistant' || !u) return [];
      const reported = makeUsage({
        input: tokenCount(u.input),
        output: tokenCount(u.output),
        cacheRead: tokenCount(u.cacheRead),
        cacheWrite: tokenCount(u.cacheWrite),
        costUsd: costUsd(obj(u.cost)?.total),
      });
      return reported ? [{ type: 'usage', cumulative: false, usage: reported }] : [];
    }
    case 'agent_end': {
      const messages = Array.isArray(o.messages) ? o.messages.map((m) => obj(m)) : [];
      const last = [...messages].reverse().find((m) => m?.role === 'assistant');
      const text = assistantText(last);
      return text ? [{ type: 'result', text, isError: false }] : [];
    }
    case 'error':
    case 'agent_error':
      return [{ type: 'error', message: errorMessage(o) ?? 'error' }];
    default:
      return [];
  }
}

export function pi(model?: string, options: PiOptions = {}): AgentProvider {
  const base = providerBase('pi', 'pi', model, options);
  const { binary } = base;
  const flags = (input: { model?: string; resume?: string }): string[] => {
    const argv: string[] = [];
    argv.push(...modelArgs('--model', input.model, model));
    if (options.thinking) argv.push('--thinking', options.thinking);
    if (input.resume) argv.push('--session', input.resume);
    return argv;
  };
  return {
    ...base,
    credentialEnv: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'OPENROUTER_API_KEY'],
    supportsResume: true,
    supportsFork: false,
    buildArgv(input) {
      return { argv: [binary, '-p', '--mode', 'json', ...flags(input)], stdin: input.prompt };
    },
    buildInteractiveArgv(input) {
      return [binary, ...flags(input), ...(input.prompt ? [input.prompt] : [])];
    },
    parseLine: parsePiLine,
    async preflight({ env }: PreflightOptions) {
      // Pi keeps provider keys in its own settings; a missing one surfaces as an `error` event.
      requireExecutable(
        'pi',
        binary,
        env,
        'install pi (npm i -g @mariozechner/pi-coding-agent) or pass --agent with another agent',
      );
    },
  };
}
