/**
 * Cursor Agent CLI (`cursor-agent`). Print mode with Claude-like streaming JSON:
 *
 *   cursor-agent --print --output-format stream-json [--force] [--model M] [--resume ID] <prompt>
 *
 * The prompt is a positional argument (128 KiB argv limit). Stream: `system/init` (session id),
 * `assistant` (text), `tool_call` with subtype `started` (shell, read, write, edit calls), `result`.
 * No reference capture exists on this machine; the shapes follow Cursor's output-format
 * documentation and are exercised by test/fixtures/agents/cursor.jsonl.
 */
import type { AgentEvent, AgentProvider, PreflightOptions } from '../types.js';
import { parseClaudeLine } from './claude-code.js';
import { type AgentProviderOptions, assertPromptFitsArgv, modelArgs, providerBase } from './base.js';
import { hasAnyEnv, notLoggedIn, probe, requireExecutable } from './preflight.js';
import { obj, parseJsonObject, str, summarizeToolInput } from './stream.js';
import { makeUsage, tokenCount } from '../usage.js';

/** `env` and `binary` (default `cursor-agent`; newer releases also install it as `agent`), as every provider takes. */
export type CursorOptions = AgentProviderOptions;

const TOOL_KINDS: Record<string, string> = {
  shellToolCall: 'shell',
  readToolCall: 'read',
  writeToolCall: 'write',
  editToolCall: 'edit',
  grepToolCall: 'grep',
  globToolCall: 'glob',
  lsToolCall: 'ls',
  deleteToolCall: 'delete',
};

/** Parse one line of `cursor-agent --print --output-format stream-json`. Pure. */
export function parseCursorLine(line: string): AgentEvent[] {
  const o = parseJsonObject(line);
  if (!o) return [];
  if (o.type === 'tool_call') {
    if (o.subtype !== 'started') return [];
    const call = obj(o.tool_call) ?? {};
    for (const [key, name] of Object.entries(TOOL_KINDS)) {
      const c = obj(call[key]);
      if (c) return [{ type: 'tool', name, input: summarizeToolInput(c.args) }];
    }
    const fn = obj(call.function);
    if (fn && typeof fn.name === 'string') {
      const raw = str(fn.arguments) ?? '';
      let input = raw;
      try {
        input = summarizeToolInput(JSON.parse(raw));
      } catch {
        // keep the raw arguments
      }
      return [{ type: 'tool', name: fn.name, input }];
    }
    return [];
  }
  let events = parseClaudeLine(line);
  // Cursor's result may carry camelCase usage; claude's parser only knows the snake_case form.
  const u = obj(o.usage);
  const camel =
    o.type === 'result' && u
      ? makeUsage({
          input: tokenCount(u.inputTokens),
          output: tokenCount(u.outputTokens),
          cacheRead: tokenCount(u.cacheReadTokens),
          cacheWrite: tokenCount(u.cacheWriteTokens),
          costUsd: undefined,
        })
      : undefined;
  if (camel) {
    events = events.filter((e) => e.type !== 'usage');
    events.unshift({ type: 'usage', cumulative: true, usage: camel });
  }
  return events;
}

export function cursor(model?: string, options: CursorOptions = {}): AgentProvider {
  const base = providerBase('cursor', 'cursor-agent', model, options);
  const { binary } = base;
  return {
    ...base,
    credentialEnv: ['CURSOR_API_KEY'],
    supportsResume: true,
    supportsFork: false,
    buildArgv(input) {
      assertPromptFitsArgv('cursor', input.prompt);
      const argv = [binary, '--print', '--output-format', 'stream-json'];
      if (input.skipPermissions) argv.push('--force');
      argv.push(...modelArgs('--model', input.model, model));
      if (input.resume) argv.push('--resume', input.resume);
      if (input.prompt.startsWith('-')) argv.push('--');
      argv.push(input.prompt);
      return { argv };
    },
    buildInteractiveArgv(input) {
      const argv = [binary];
      if (input.skipPermissions) argv.push('--force');
      argv.push(...modelArgs('--model', input.model, model));
      if (input.resume) argv.push('--resume', input.resume);
      if (input.prompt) argv.push(input.prompt);
      return argv;
    },
    parseLine: parseCursorLine,
    async preflight({ env, signal }: PreflightOptions) {
      requireExecutable(
        'cursor',
        binary,
        env,
        'install the Cursor CLI (curl https://cursor.com/install -fsS | bash) or pass --agent with another agent',
      );
      if (hasAnyEnv(env, ['CURSOR_API_KEY'])) return;
      const r = await probe([binary, 'status'], env, 15_000, signal);
      const out = r.stdout + r.stderr;
      if (/not (logged|authenticated)/i.test(out) || (r.code !== 0 && !r.timedOut)) {
        throw notLoggedIn(
          'cursor',
          (out.trim().split('\n')[0] ?? '') || `\`${binary} status\` exited ${String(r.code)}`,
          `run \`${binary} login\`, or set CURSOR_API_KEY`,
        );
      }
    },
  };
}
