/**
 * `factory agent run --prd N` (walk one PRD) and `factory agent run` with a backlog and no prompt
 * (batch: every ready PRD). The lead wires `runPrd` and `prdArgs` into src/commands/agent.ts; this
 * file parses and renders, the walk itself is src/prd/.
 *
 * Exit codes: 0 when every PRD walked is reviewed, paused at a HITL/blocked task, or had nothing to
 * do; 1 when a PRD failed (the failure is recorded on its task with the resume command); 2 for bad
 * flags, an unknown PRD or an invalid backlog file; 3 when the PRD is locked by a live run or the
 * GitHub token/API is unavailable; 130 when interrupted (nothing is lost; re-run to continue).
 */
import type { ArgDef } from 'citty';
import { createAgentProvider } from '../agent-loop/index.js';
import {
  agentLoopRunner,
  walkBacklog,
  type BatchResult,
  type PhaseTimeouts,
  renderBatch,
  renderEvent,
  toJsonOutput,
  prdBranch,
  walkPrd,
} from '../prd/index.js';
import { BACKLOG_KINDS, openBacklog, type BacklogKind } from '../backlog/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { printJson } from '../lib/output.js';
import { git, sandboxProviderByName } from '../sandboxes/index.js';

export const prdArgs = {
  prd: {
    type: 'string',
    description: 'Walk this PRD (its number); without it and without a prompt, every ready PRD of the backlog',
  },
  backlog: { type: 'string', description: 'Backlog source: local (prds/ in the repo, default) or github' },
  'backlog-dir': { type: 'string', description: 'local backlog folder (default prds/, or FACTORY_BACKLOG_DIR)' },
  repo: {
    type: 'string',
    description: 'github backlog: owner/name (default: the origin remote, or FACTORY_GITHUB_REPO)',
  },
  base: {
    type: 'string',
    description: 'Branch the PRD branch starts from and the review targets (default: the current branch)',
  },
  push: {
    type: 'boolean',
    description: 'Push the PRD branch before opening the review (default: on for github, off for local)',
  },
  remote: { type: 'string', description: 'Remote to push to (default origin)' },
  'task-timeout': {
    type: 'string',
    description: 'Limit for one agent run on a task or the review, e.g. 45m (default 45m)',
  },
  'test-timeout': { type: 'string', description: 'Limit for the tests after a task, e.g. 20m (default 20m)' },
} as const satisfies Record<string, ArgDef>;

/** Every flag `runPrd` reads, including the agent flags `factory agent run` already defines. */
export interface PrdRunArgs {
  prd?: string;
  backlog?: string;
  'backlog-dir'?: string;
  repo?: string;
  base?: string;
  push?: boolean;
  remote?: string;
  'task-timeout'?: string;
  'test-timeout'?: string;
  agent?: string;
  model?: string;
  command?: string;
  sandbox?: string;
  'max-iterations'?: string | number;
  'idle-timeout'?: string | number;
  /** false (`--no-app`): do not start the app for the agent. */
  app?: boolean;
  /** false (`--no-preflight`): skip the agent CLI check. */
  preflight?: boolean;
  json?: boolean;
  /** Repository (any path in it); default process.cwd(). */
  cwd?: string;
}

const usage = (message: string, hint?: string) =>
  new FactoryFailure('usage', message, { exitCode: ExitCode.invalid, ...(hint ? { hint } : {}) });

/** `90`, `90s`, `45m`, `2h` → milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw usage(`--${flag} must be a duration like 90s, 45m or 2h (got "${value}")`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}

function positiveInt(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usage(`--${flag} must be a positive integer (got "${value}")`);
  return n;
}

/** The command a person runs to resume: the same flags that change what is walked or how. */
export function resumeCommandFor(prd: number, args: PrdRunArgs): string {
  const argv = ['factory', 'agent', 'run', '--prd', String(prd)];
  const pass = ['backlog', 'backlog-dir', 'repo', 'base', 'remote', 'agent', 'model', 'command', 'sandbox'] as const;
  for (const flag of pass) if (args[flag]) argv.push(`--${flag}`, args[flag]);
  if (args.push) argv.push('--push');
  if (args.app === false) argv.push('--no-app');
  const quote = (a: string) => (/^[\w./:=@%+,-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);
  return argv.map(quote).join(' ');
}

export async function runPrd(args: PrdRunArgs): Promise<number> {
  const kind = (args.backlog ?? process.env.FACTORY_BACKLOG ?? 'local') as BacklogKind;
  if (!BACKLOG_KINDS.includes(kind))
    throw usage(`unknown backlog "${args.backlog}"`, `one of: ${BACKLOG_KINDS.join(', ')}`);
  const prdNumber = args.prd === undefined ? undefined : Number(args.prd);
  if (prdNumber !== undefined && (!Number.isInteger(prdNumber) || prdNumber < 1))
    throw usage(`--prd must be a PRD number (got "${args.prd}")`);
  const timeouts: Partial<PhaseTimeouts> = {};
  if (args['task-timeout']) timeouts.agent = timeouts.review = parseDuration(args['task-timeout'], 'task-timeout');
  if (args['test-timeout']) timeouts.tests = parseDuration(args['test-timeout'], 'test-timeout');

  const root = await git(args.cwd ?? process.cwd(), ['rev-parse', '--show-toplevel']).catch(() => {
    throw new FactoryFailure('not-a-git-repo', `${args.cwd ?? process.cwd()} is not inside a git repository`, {
      exitCode: ExitCode.invalid,
    });
  });
  const source = await openBacklog({
    kind,
    root,
    branchFor: prdBranch,
    ...(args['backlog-dir'] ? { dir: args['backlog-dir'] } : {}),
    ...(args.repo ? { repo: args.repo } : {}),
  });
  const maxIterations = positiveInt(args['max-iterations'], 'max-iterations');
  const idle =
    args['idle-timeout'] === undefined ? undefined : parseDuration(String(args['idle-timeout']), 'idle-timeout') / 1000;
  const agent = agentLoopRunner({
    agent: createAgentProvider(args.agent ?? 'claude-code', {
      ...(args.model ? { model: args.model } : {}),
      ...(args.command ? { command: args.command } : {}),
    }),
    ...(args.sandbox ? { sandbox: sandboxProviderByName(args.sandbox) } : {}),
    ...(maxIterations ? { maxIterations } : {}),
    ...(idle ? { idleTimeoutSeconds: idle } : {}),
    ...(args.app === false ? { app: false as const } : {}),
    ...(args.preflight === false ? { preflight: false } : {}),
  });

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const common = {
    root,
    source,
    agent,
    timeouts,
    signal: abort.signal,
    ...(args.base ? { baseBranch: args.base } : {}),
    ...(args.push !== undefined ? { push: args.push } : {}),
    ...(args.remote ? { remote: args.remote } : {}),
    ...(args.json ? {} : { onEvent: renderEvent }),
  };
  let batch: BatchResult;
  try {
    batch =
      prdNumber !== undefined
        ? {
            results: [await walkPrd({ ...common, prd: prdNumber, resumeCommand: resumeCommandFor(prdNumber, args) })],
            skipped: [],
          }
        : await walkBacklog({ ...common, resumeCommandFor: (n) => resumeCommandFor(n, args) });
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (args.json) printJson(toJsonOutput(prdNumber !== undefined ? 'prd' : 'batch', batch));
  else renderBatch(batch, prdNumber !== undefined ? 'prd' : 'batch');
  if (batch.results.some((r) => r.status === 'interrupted')) return ExitCode.interrupted;
  return batch.results.some((r) => r.status === 'failed') ? ExitCode.failed : ExitCode.ok;
}
