/**
 * Claude Code (`claude`). Print mode with the streaming JSON format:
 *
 *   claude -p --output-format stream-json --verbose [--dangerously-skip-permissions]
 *          [--model M] [--effort E] [--resume ID [--fork-session]]      (prompt on stdin)
 *
 * Stream (reference/agent-cli/claude-no-login.stream-json.jsonl): `system/init` carries the
 * session id; `assistant` messages carry text and `tool_use` blocks, and `"error":
 * "authentication_failed"` when logged out; the final `result` carries the text, `is_error`, the
 * invocation's total usage and cost.
 */
import type { AgentEvent, AgentProvider, BuildArgvInput, PreflightOptions } from '../types.js';
import { type AgentProviderOptions, modelArgs, providerBase } from './base.js';
import { hasAnyEnv, notLoggedIn, probe, requireExecutable } from './preflight.js';
import { errorMessage, obj, parseJsonObject, str, summarizeToolInput } from './stream.js';
import { costUsd, makeUsage, tokenCount } from '../usage.js';

/** Also takes `env` and `binary` (default `claude`), as every provider does. */
export interface ClaudeCodeOptions extends AgentProviderOptions {
  effort?: 'low' | 'medium' | 'high' | 'xhigh' | 'max';
  /** Replaces `--dangerously-skip-permissions` with an explicit `--permission-mode`. */
  permissionMode?: 'acceptEdits' | 'auto' | 'bypassPermissions' | 'default' | 'dontAsk' | 'plan';
}

const CREDENTIAL_ENV = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
] as const;
/** Any of these set means the CLI authenticates without its login state. */
const SELF_AUTH_ENV = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
] as const;

/** Parse one line of `claude -p --output-format stream-json --verbose`. Pure. */
export function parseClaudeLine(line: string): AgentEvent[] {
  const o = parseJsonObject(line);
  if (!o) return [];
  const events: AgentEvent[] = [];
  switch (o.type) {
    case 'system': {
      const id = str(o.session_id);
      if (o.subtype === 'init' && id) events.push({ type: 'session', sessionId: id });
      break;
    }
    case 'assistant': {
      const message = obj(o.message);
      const content = Array.isArray(message?.content) ? message.content : [];
      const texts: string[] = [];
      for (const raw of content) {
        const block = obj(raw);
        if (!block) continue;
        if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
        if (block.type === 'tool_use' && typeof block.name === 'string') {
          if (texts.length) events.push({ type: 'text', text: texts.splice(0).join('') });
          events.push({ type: 'tool', name: block.name, input: summarizeToolInput(block.input) });
        }
      }
      const text = texts.join('');
      // `error` on an assistant line is how the CLI reports a failed API call (authentication_failed,
      // rate_limit, …); its text is a human message, not the model's answer.
      const code = str(o.error);
      if (code) events.push({ type: 'error', code, message: text || code });
      else if (text) events.push({ type: 'text', text });
      break;
    }
    case 'result': {
      const u = obj(o.usage);
      const reported = makeUsage({
        input: tokenCount(u?.input_tokens),
        output: tokenCount(u?.output_tokens),
        cacheRead: tokenCount(u?.cache_read_input_tokens),
        cacheWrite: tokenCount(u?.cache_creation_input_tokens),
        costUsd: costUsd(o.total_cost_usd),
      });
      if (reported) events.push({ type: 'usage', cumulative: true, usage: reported });
      const isError = o.is_error === true || (typeof o.subtype === 'string' && o.subtype.startsWith('error'));
      events.push({
        type: 'result',
        text: str(o.result) ?? (isError ? (errorMessage(o) ?? String(o.subtype)) : ''),
        isError,
      });
      break;
    }
    default:
      break;
  }
  return events;
}

export function claudeCode(model?: string, options: ClaudeCodeOptions = {}): AgentProvider {
  const base = providerBase('claude-code', 'claude', model, options);
  const { binary } = base;
  const common = (input: Omit<BuildArgvInput, 'prompt'>): string[] => {
    const argv: string[] = [];
    if (options.permissionMode) argv.push('--permission-mode', options.permissionMode);
    else if (input.skipPermissions) argv.push('--dangerously-skip-permissions');
    argv.push(...modelArgs('--model', input.model, model));
    if (options.effort) argv.push('--effort', options.effort);
    if (input.resume) {
      argv.push('--resume', input.resume);
      if (input.fork) argv.push('--fork-session');
    }
    return argv;
  };
  return {
    ...base,
    credentialEnv: CREDENTIAL_ENV,
    supportsResume: true,
    supportsFork: true,
    supportsMcp: true,
    buildArgv(input) {
      // The prompt goes on stdin: `-p` with no prompt argument reads it, and stdin has no 128 KiB cap.
      // `--mcp-config` takes JSON strings as well as files: `{"mcpServers":{name:{command,args}}}`.
      const mcp = input.mcpServers?.length
        ? [
            '--mcp-config',
            JSON.stringify({
              mcpServers: Object.fromEntries(
                input.mcpServers.map((m) => [m.name, { command: m.command, args: m.args }]),
              ),
            }),
          ]
        : [];
      return {
        argv: [binary, '-p', '--output-format', 'stream-json', '--verbose', ...common(input), ...mcp],
        stdin: input.prompt,
      };
    },
    buildInteractiveArgv(input) {
      return [binary, ...common(input), ...(input.prompt ? [input.prompt] : [])];
    },
    parseLine: parseClaudeLine,
    async preflight({ env, signal }: PreflightOptions) {
      requireExecutable(
        'claude-code',
        binary,
        env,
        'install Claude Code (npm i -g @anthropic-ai/claude-code) or pass --agent with another agent',
      );
      if (hasAnyEnv(env, SELF_AUTH_ENV)) return;
      // `claude auth status` answers locally ({"loggedIn": false, …}, exit 1 when logged out); the
      // same state shows in a print run as an assistant line with "error":"authentication_failed",
      // which the loop maps to the same failure should the status command be unavailable.
      const r = await probe([binary, 'auth', 'status'], env, 15_000, signal);
      const status = parseJsonObject(r.stdout);
      if (status && status.loggedIn === false) {
        throw notLoggedIn(
          'claude-code',
          str(status.authMethod)
            ? `auth method ${String(status.authMethod)}`
            : '`claude auth status` reports loggedIn: false',
          'run `claude` once and /login, or set ANTHROPIC_API_KEY',
        );
      }
      if (status && status.loggedIn === true) return;
      if (r.code !== 0) {
        const said = (r.stdout + r.stderr).trim().split('\n')[0] ?? '';
        throw notLoggedIn(
          'claude-code',
          `\`claude auth status\` exited ${r.timedOut ? 'by timeout' : String(r.code)}${said ? `: ${said}` : ''}`,
          'run `claude` once and /login, or set ANTHROPIC_API_KEY',
        );
      }
    },
  };
}
