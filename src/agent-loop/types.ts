/**
 * The agent provider interface: how factory talks to one coding-agent CLI.
 *
 * A provider is a self-contained value (one file per agent under ./providers/): it knows the exact
 * argv of its CLI's non-interactive mode, parses one line of that CLI's stdout into neutral
 * `AgentEvent`s with a PURE function, names the environment it needs, and checks on the host —
 * before any worktree or sandbox exists — that the binary is there and logged in (`preflight`).
 * The loop (../run.ts) never looks at a provider's raw output format.
 */

/**
 * Token usage of one agent invocation (or a part of it, see `AgentEvent` 'usage'). Every field is
 * present only when the CLI reported it as a well-formed number: unknown is absent, never 0.
 */
export interface Usage {
  /** Prompt tokens not served from a cache. */
  input?: number;
  output?: number;
  /** Prompt tokens served from the provider's prompt cache. */
  cacheRead?: number;
  /** Prompt tokens written to the cache (Anthropic "cache creation"). */
  cacheWrite?: number;
  /** Cost in USD when the CLI reports one. */
  costUsd?: number;
}

/**
 * What a provider's parser extracts from one stdout line. Neutral across providers.
 *
 * - `usage.cumulative`: true when the numbers are the invocation's total so far (claude's final
 *   `result`), false when they are one step's share to be summed (codex `turn.completed`,
 *   opencode `step_finish`, pi `message_end`).
 * - `error.code` is `authentication_failed` when the CLI says it is not logged in: the loop turns it
 *   into a `agent-not-logged-in` failure instead of retrying.
 */
export type AgentEvent =
  | { type: 'session'; sessionId: string }
  | { type: 'text'; text: string }
  | { type: 'tool'; name: string; input: string }
  | { type: 'usage'; usage: Usage; cumulative: boolean }
  | { type: 'result'; text: string; isError: boolean }
  | { type: 'error'; message: string; code?: string };

/**
 * An MCP server for the agent (stdio): `factory agent run --mcp` hands it `factory mcp` for the
 * run's instance. Each provider passes it the way its CLI reads MCP config (docs/mcp.md).
 */
export interface McpServerSpec {
  name: string;
  command: string;
  args: string[];
}

/** Inputs every provider's argv builder understands. */
export interface BuildArgvInput {
  prompt: string;
  /** Model name as the CLI expects it; undefined = the CLI's own default. */
  model?: string;
  /** Resume this session (claude `--resume`, codex `exec resume`, opencode/pi/copilot `--session`/`--resume`). */
  resume?: string;
  /** With `resume`: continue in a NEW session and leave the parent untouched (claude `--fork-session`, codex `exec fork`, opencode `--fork`). */
  fork?: boolean;
  /**
   * Skip the CLI's own permission prompts. True for unattended runs (the sandbox is the boundary);
   * false for `interactive()` without a sandbox, where the human approves.
   */
  skipPermissions: boolean;
  /** MCP servers to give the agent (only for providers with `supportsMcp`). */
  mcpServers?: McpServerSpec[];
}

/** One concrete invocation: argv (argv[0] is the executable) and what goes to stdin. */
export interface AgentInvocation {
  argv: string[];
  /** Written to the agent's stdin then closed; undefined = stdin is closed at once. */
  stdin?: string;
  /** Extra environment for this invocation (a CLI that reads its MCP config from a variable). */
  env?: Record<string, string>;
}

export interface PreflightOptions {
  /** Environment the agent will get (PATH decides which binary is found). */
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export interface AgentProvider {
  /** Registry name: `claude-code`, `codex`, `opencode`, `cursor`, `copilot`, `pi`, `command`. */
  readonly name: string;
  /** The executable looked up on PATH. */
  readonly binary: string;
  readonly model: string | undefined;
  /** Extra environment for the agent process (merged over the inherited one). */
  readonly env: Record<string, string>;
  /**
   * Environment variables that can carry credentials for this CLI. Passed through into a sandbox
   * when set on the host; none is required (a CLI may be logged in through its config directory).
   */
  readonly credentialEnv: readonly string[];
  /** Whether the CLI has resumable sessions (`resume`/`fork` are accepted). */
  readonly supportsResume: boolean;
  readonly supportsFork: boolean;
  /** Whether `buildArgv` can hand the agent MCP servers (`mcpServers`): claude-code, codex, opencode. */
  readonly supportsMcp?: boolean;
  /** Non-interactive ("print") invocation whose stdout `parseLine` understands. */
  buildArgv(input: BuildArgvInput): AgentInvocation;
  /** Invocation attached to a terminal (the CLI's own TUI), for `interactive()`. */
  buildInteractiveArgv(input: Omit<BuildArgvInput, 'prompt'> & { prompt?: string }): string[];
  /** PURE: one line of stdout (without the newline) → zero or more events. Never throws. */
  parseLine(line: string): AgentEvent[];
  /** Throws a FactoryFailure (code `agent-missing` / `agent-not-logged-in`) when the agent cannot run. */
  preflight(options: PreflightOptions): Promise<void>;
}
