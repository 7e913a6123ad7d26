/**
 * A job's settings, resolved once when it is created and stored with it: flags first, then the
 * contract's `jobs:` section, then the defaults (./defaults.ts). Storing them means a worker that
 * resumes the job tomorrow runs it exactly as it was asked for, whatever changed since.
 */
import { realpath } from 'node:fs/promises';
import { loadJobContract } from './contract-facts.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { git, gitRaw } from '../sandboxes/index.js';
import { STAGES } from '../publish/index.js';
import { JOB_DEFAULTS } from './defaults.js';
import type { AgentRole, AgentSpec, JobConfig, PublishChoice, StageName } from './types.js';

export const DEFAULT_AGENT = 'claude-code';
export const DEFAULT_SANDBOX = 'bwrap';

export interface JobSettings {
  /** Any path in the repository; default the current directory. */
  repo?: string;
  base?: string;
  /** The agent for every role not given its own (default claude-code). */
  agent?: string;
  model?: string;
  /** For agent `command`: the executable and its arguments. */
  command?: string[];
  plannerAgent?: string;
  plannerModel?: string;
  reviewerAgent?: string;
  reviewerModel?: string;
  sandbox?: string;
  maxFixRounds?: number;
  tests?: string[];
  approvalPaths?: string[];
  timeBudgetMs?: number;
  stageTimeoutsMs?: Partial<Record<StageName, number>>;
  agentIdleMs?: number;
  previewTtlMs?: number;
  portRange?: number;
  /** `local` or `github` (default: the contract's jobs.publisher, else the worker's). */
  publisher?: 'local' | 'github';
  /** github: the git remote to push to (default: jobs.github.remote, else origin). */
  remote?: string;
}

export async function repoRoot(dir: string): Promise<string> {
  const r = await gitRaw(dir, ['rev-parse', '--show-toplevel']);
  if (r.exitCode !== 0) {
    throw new FactoryFailure('not-a-repo', `${dir} is not in a git repository`, {
      exitCode: ExitCode.invalid,
      hint: 'run it inside the repository, or pass --repo PATH',
    });
  }
  return realpath(r.stdout.trim());
}

async function currentBranch(root: string): Promise<string> {
  const r = await gitRaw(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (r.exitCode === 0) return r.stdout.trim();
  return git(root, ['rev-parse', 'HEAD']);
}

export async function resolveJobConfig(
  s: JobSettings,
  env: NodeJS.ProcessEnv,
): Promise<{ repo: string; config: JobConfig }> {
  const repo = await repoRoot(s.repo ?? process.cwd());
  const contract = await loadJobContract(repo, env);
  const jobs = contract?.jobs;
  const base = s.base ?? (await currentBranch(repo));
  if ((await gitRaw(repo, ['rev-parse', '--verify', '-q', `${base}^{commit}`])).exitCode !== 0) {
    throw new FactoryFailure('unknown-base', `the base ${base} is not a branch or commit of ${repo}`, {
      exitCode: ExitCode.invalid,
      hint: 'pass --base with an existing branch',
    });
  }
  const role = (r: AgentRole, agent?: string, model?: string): AgentSpec => {
    const fromContract = jobs?.roles[r];
    const name = agent ?? s.agent ?? fromContract?.agent ?? DEFAULT_AGENT;
    // --model goes with --agent: a role given its own agent takes only its own model flag.
    const m =
      model ??
      (agent === undefined ? s.model : undefined) ??
      (name === fromContract?.agent ? fromContract?.model : undefined);
    const command = name === 'command' ? (s.command ?? fromContract?.command) : undefined;
    if (name === 'command' && !command?.length) {
      throw new FactoryFailure('usage', `the ${r} is agent "command" but no executable is given`, {
        exitCode: ExitCode.invalid,
        hint: 'pass --command EXE (or jobs.<role>.command in factory.yaml)',
      });
    }
    return { agent: name, ...(m ? { model: m } : {}), ...(command ? { command } : {}) };
  };
  const t = jobs?.timeoutsMs ?? {};
  const stageMs = Object.fromEntries(
    STAGES.map((st) => [st, s.stageTimeoutsMs?.[st] ?? t[st] ?? JOB_DEFAULTS.stageMs[st]]),
  ) as Record<StageName, number>;
  const publish = publishChoice(s, jobs);
  return {
    repo,
    config: {
      base,
      sandbox: s.sandbox ?? jobs?.sandbox ?? DEFAULT_SANDBOX,
      roles: {
        planner: role('planner', s.plannerAgent, s.plannerModel),
        builder: role('builder'),
        reviewer: role('reviewer', s.reviewerAgent, s.reviewerModel),
      },
      maxFixRounds: s.maxFixRounds ?? jobs?.maxFixRounds ?? JOB_DEFAULTS.maxFixRounds,
      tests: s.tests ?? jobs?.tests ?? [],
      approvalPaths: s.approvalPaths ?? jobs?.approvalPaths ?? [],
      timeouts: {
        stageMs,
        jobMs: s.timeBudgetMs ?? t.job ?? JOB_DEFAULTS.jobMs,
        agentIdleMs: s.agentIdleMs ?? t.agentIdle ?? JOB_DEFAULTS.agentIdleMs,
      },
      previewTtlMs: s.previewTtlMs ?? jobs?.previewTtlMs ?? JOB_DEFAULTS.previewTtlMs,
      ...(jobs?.concurrency !== undefined ? { concurrency: jobs.concurrency } : {}),
      ...(s.portRange !== undefined ? { portRange: s.portRange } : {}),
      ...(publish ? { publish } : {}),
    },
  };
}

type JobsSpec = NonNullable<Awaited<ReturnType<typeof loadJobContract>>>['jobs'];

/** Flags over the contract; undefined when neither chose (the worker's publisher then applies). */
function publishChoice(s: JobSettings, jobs: JobsSpec): PublishChoice | undefined {
  const publisher = s.publisher ?? (s.remote !== undefined ? 'github' : undefined) ?? jobs?.publisher;
  if (publisher === undefined) return undefined;
  if (publisher === 'local') {
    if (s.remote !== undefined)
      throw new FactoryFailure('usage', '--remote goes with --publisher github', {
        exitCode: ExitCode.invalid,
        hint: 'drop --remote, or pass --publisher github',
      });
    return { publisher };
  }
  const g = jobs?.github;
  const remote = s.remote ?? g?.remote;
  return {
    publisher,
    ...(remote ? { remote } : {}),
    ...(g?.repo ? { repo: g.repo } : {}),
    ...(g?.apiUrl ? { apiUrl: g.apiUrl } : {}),
    ...(g?.labels.length ? { labels: g.labels } : {}),
  };
}
