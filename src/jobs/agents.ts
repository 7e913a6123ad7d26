/**
 * One agent role run: the role's agent and model (job config), the job's sandbox provider, the
 * agent loop's `run()` on a worktree the job owns (nothing merges or removes it), a log file in the
 * job folder, and the role's variables (FACTORY_JOB_ID, FACTORY_JOB_ROLE, FACTORY_JOB_ROUND) so a
 * `command` executable knows which part it plays. The agent's text reaches subscribers as progress
 * events (the first ones verbatim, then one per ~2 s at most, so a chatty agent cannot flood the
 * store).
 */
import type { OutputDefinition } from '../agent-loop/index.js';
import type { RunResult } from '../agent-loop/index.js';
import { createAgentProvider } from '../agent-loop/index.js';
import { run } from '../agent-loop/index.js';
import type { AgentProvider } from '../agent-loop/index.js';
import { sandboxProviderByName } from '../sandboxes/index.js';
import type { Worktree } from '../sandboxes/index.js';
import type { StageContext } from './context.js';
import type { AgentRole, AgentSpec } from './types.js';

const VERBATIM_LINES = 20;
const THROTTLE_MS = 2_000;
const LINE_CHARS = 400;

export function providerFor(spec: AgentSpec): AgentProvider {
  const [command, ...commandArgs] = spec.command ?? [];
  return createAgentProvider(spec.agent, {
    ...(spec.model ? { model: spec.model } : {}),
    ...(command ? { command, commandArgs } : {}),
  });
}

export interface RoleRun<T> {
  worktree: Worktree;
  prompt: string;
  output?: OutputDefinition<T>;
  /** Start (attach to) the worktree's app for the agent. */
  app: boolean;
  maxIterations?: number;
  /** Folder-relative log path. */
  log: string;
}

export async function runRole<T>(ctx: StageContext, role: AgentRole, o: RoleRun<T>): Promise<RunResult<T>> {
  const { job } = ctx;
  const spec = job.config.roles[role];
  let lines = 0;
  let lastAt = 0;
  const say = (text: string) => {
    const line = text
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '');
    if (!line) return;
    const now = Date.now();
    if (lines >= VERBATIM_LINES && now - lastAt < THROTTLE_MS) return;
    lines += 1;
    lastAt = now;
    void ctx.progress(`${role}: ${line.slice(0, LINE_CHARS)}`).catch(() => {});
  };
  return run<T>({
    agent: providerFor(spec),
    sandbox: sandboxProviderByName(job.config.sandbox, ctx.runtime.env),
    worktree: o.worktree,
    cwd: job.repo,
    prompt: o.prompt,
    name: o.worktree.name,
    maxIterations: o.maxIterations ?? 1,
    ...(o.output ? { output: o.output } : {}),
    ...(spec.model ? { model: spec.model } : {}),
    app: o.app ? 'auto' : false,
    keepEnv: true,
    preflight: false,
    idleTimeoutSeconds: Math.max(1, Math.round(job.config.timeouts.agentIdleMs / 1000)),
    logging: { type: 'file', path: ctx.evidence.path(o.log) },
    signal: ctx.signal,
    env: { FACTORY_JOB_ID: job.id, FACTORY_JOB_ROLE: role, FACTORY_JOB_ROUND: String(job.round) },
    onEvent: (e) => {
      if (e.type === 'text') say(e.text);
    },
  });
}
