/**
 * The agent loop's public face (docs/agent-loop.md): coding agents in sandboxes on git worktrees,
 * iteration by iteration, with the worktree's running app; one provider per agent CLI.
 */
export { run } from './run.js';
export { interactive, type InteractiveOptions, type InteractiveResult } from './interactive.js';
export { Output, type OutputDefinition } from './output.js';
export * from './providers/index.js';
export type { AgentProvider, AgentEvent, AgentInvocation, BuildArgvInput, Usage } from './types.js';
export type { RunOptions, RunResult, RunOutcome, IterationResult, AppInfo } from './options.js';
export type { RunEvent, LifecycleEvent, IterationEndReason } from './events.js';
export { idleMessage, type LoggingOption } from './log.js';
export { addUsage, describeUsage } from './usage.js';
export { AgentRunOutputSchema, toAgentRunJson } from './schema.js';
