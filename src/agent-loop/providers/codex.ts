/**
 * OpenAI Codex (`codex`). Non-interactive mode with JSONL events on stdout:
 *
 *   codex exec             --json [--dangerously-bypass-approvals-and-sandbox] [-m M] [-c model_reasoning_effort="E"] -
 *   codex exec resume ID   --json …  -        (continue a session)
 *   codex exec fork ID     --json …  -        (continue in a new session; the parent stays as it was)
 *
 * `-` makes codex read the prompt from stdin (reference/agent-cli/codex-exec-*-help.txt).
 * Stream: `thread.started` (session id), `item.started`/`item.completed` (commands, file changes,
 * agent messages, warnings), `error` (reconnects: reference/agent-cli/codex-no-network.jsonl —
 * codex retries forever without network, so the idle timeout bounds it), `turn.completed` (usage),
 * `turn.failed`.
 */
import type { AgentEvent, AgentProvider, PreflightOptions } from '../types.js';
import { type AgentProviderOptions, modelArgs, providerBase } from './base.js';
import { hasAnyEnv, notLoggedIn, probe, requireExecutable } from './preflight.js';
import { errorMessage, obj, parseJsonObject, str, summarizeToolInput } from './stream.js';
import { makeUsage, tokenCount } from '../usage.js';

/** Also takes `env` and `binary` (default `codex`), as every provider does. */
export interface CodexOptions extends AgentProviderOptions {
  effort?: 'low' | 'medium' | 'high' | 'xhigh';
}

const CREDENTIAL_ENV = ['OPENAI_API_KEY', 'CODEX_API_KEY', 'CODEX_HOME', 'OPENAI_BASE_URL'] as const;

/** Parse one line of `codex exec --json`. Pure. */
export function parseCodexLine(line: string): AgentEvent[] {
  const o = parseJsonObject(line);
  if (!o) return [];
  const item = obj(o.item);
  switch (o.type) {
    case 'thread.started': {
      const id = str(o.thread_id);
      return id ? [{ type: 'session', sessionId: id }] : [];
    }
    case 'item.started': {
      if (item?.type === 'command_execution') return [{ type: 'tool', name: 'shell', input: str(item.command) ?? '' }];
      if (item?.type === 'mcp_tool_call')
        return [
          {
            type: 'tool',
            name: `${str(item.server) ?? 'mcp'}.${str(item.tool) ?? '?'}`,
            input: summarizeToolInput(item.arguments),
          },
        ];
      return [];
    }
    case 'item.completed': {
      if (item?.type === 'agent_message') {
        const text = str(item.text);
        return text !== undefined ? [{ type: 'text', text }] : [];
      }
      if (item?.type === 'file_change' && Array.isArray(item.changes)) {
        const paths = item.changes.map((c) => str(obj(c)?.path)).filter((p): p is string => p !== undefined);
        return [{ type: 'tool', name: 'file_change', input: paths.join(' ') }];
      }
      if (item?.type === 'error') return [{ type: 'error', message: str(item.message) ?? 'error' }];
      return [];
    }
    case 'turn.completed': {
      const u = obj(o.usage);
      // `input_tokens` includes the cached part; split it so input + cacheRead is the prompt size
      // (a cached part larger than the whole is malformed: the fresh part is then unknown).
      const prompt = tokenCount(u?.input_tokens);
      const cached = tokenCount(u?.cached_input_tokens);
      const fresh = prompt !== undefined ? tokenCount(prompt - (cached ?? 0)) : undefined;
      const reported = makeUsage({
        input: fresh,
        cacheRead: cached,
        output: tokenCount(u?.output_tokens),
        cacheWrite: undefined,
        costUsd: undefined,
      });
      return reported ? [{ type: 'usage', cumulative: false, usage: reported }] : [];
    }
    case 'turn.failed': {
      const message = errorMessage(o) ?? 'turn failed';
      return [{ type: 'result', text: message, isError: true }];
    }
    case 'error':
      return [{ type: 'error', message: errorMessage(o) ?? 'error' }];
    default:
      return [];
  }
}

export function codex(model?: string, options: CodexOptions = {}): AgentProvider {
  const base = providerBase('codex', 'codex', model, options);
  const { binary } = base;
  return {
    ...base,
    credentialEnv: CREDENTIAL_ENV,
    supportsResume: true,
    supportsFork: true,
    supportsMcp: true,
    buildArgv(input) {
      const verb = input.resume
        ? input.fork
          ? ['exec', 'fork', input.resume]
          : ['exec', 'resume', input.resume]
        : ['exec'];
      const argv = [binary, ...verb, '--json'];
      if (input.skipPermissions) argv.push('--dangerously-bypass-approvals-and-sandbox');
      argv.push(...modelArgs('-m', input.model, model));
      if (options.effort) argv.push('-c', `model_reasoning_effort="${options.effort}"`);
      // `-c key=value` values are TOML; a JSON string or array of strings is valid TOML too.
      for (const m of input.mcpServers ?? []) {
        argv.push('-c', `mcp_servers.${m.name}.command=${JSON.stringify(m.command)}`);
        argv.push('-c', `mcp_servers.${m.name}.args=${JSON.stringify(m.args)}`);
      }
      argv.push('-');
      return { argv, stdin: input.prompt };
    },
    buildInteractiveArgv(input) {
      const argv = [binary];
      if (input.resume) argv.push(input.fork ? 'fork' : 'resume', input.resume);
      argv.push(...modelArgs('-m', input.model, model));
      if (input.skipPermissions) argv.push('--dangerously-bypass-approvals-and-sandbox');
      if (input.prompt) argv.push(input.prompt);
      return argv;
    },
    parseLine: parseCodexLine,
    async preflight({ env, signal }: PreflightOptions) {
      requireExecutable(
        'codex',
        binary,
        env,
        'install Codex (npm i -g @openai/codex) or pass --agent with another agent',
      );
      // `codex login status` answers at once from local state: exit 0 logged in, 1 not.
      // (`codex exec` itself never reports a missing login: it retries the network forever.)
      const r = await probe([binary, 'login', 'status'], env, 15_000, signal);
      if (r.code === 0) return;
      if (hasAnyEnv(env, ['CODEX_API_KEY'])) return;
      const said = (r.stdout + r.stderr).trim().split('\n')[0] ?? '';
      throw notLoggedIn(
        'codex',
        `\`codex login status\` exited ${r.timedOut ? 'by timeout' : String(r.code)}${said ? `: ${said}` : ''}`,
        'run `codex login` (or set CODEX_API_KEY)',
      );
    },
  };
}
