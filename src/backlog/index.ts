/**
 * Choosing and opening a backlog source. `local` is the embedded default; `github` needs a
 * repository (`--repo`, FACTORY_GITHUB_REPO, or the `origin` remote) and a token.
 */
import { execFile } from 'node:child_process';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { GitHubClient, parseGitHubRemote, resolveGitHubToken } from './github-client.js';
import { GitHubBacklog } from './github.js';
import { LocalBacklog } from './local.js';
import type { BacklogSource } from './types.js';

export type {
  BacklogSource,
  Evidence,
  Prd,
  PrdState,
  ReviewRecord,
  ReviewRequest,
  Task,
  TaskFailure,
  TaskKind,
  TaskState,
} from './types.js';
export { LocalBacklog } from './local.js';
export { GitHubBacklog } from './github.js';
export { GitHubClient } from './github-client.js';

export type BacklogKind = 'local' | 'github';
export const BACKLOG_KINDS: readonly BacklogKind[] = ['local', 'github'];

export interface OpenBacklogOptions {
  kind: BacklogKind;
  /** Repository root (main checkout). */
  root: string;
  /** local: the backlog folder. */
  dir?: string;
  /** github: `owner/name`. */
  repo?: string;
  /** github: the PRD label (default `prd`). */
  prdLabel?: string;
  branchFor: (prd: number) => string;
  env?: NodeJS.ProcessEnv;
}

function originUrl(root: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['remote', 'get-url', 'origin'], { cwd: root, timeout: 10_000 }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    );
  });
}

export async function openBacklog(options: OpenBacklogOptions): Promise<BacklogSource> {
  const env = options.env ?? process.env;
  if (options.kind === 'local') {
    return new LocalBacklog({ root: options.root, dir: options.dir ?? env.FACTORY_BACKLOG_DIR });
  }
  const repo = options.repo ?? env.FACTORY_GITHUB_REPO ?? parseGitHubRemote((await originUrl(options.root)) ?? '');
  if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new FactoryFailure('github-repo-unknown', 'cannot tell which GitHub repository holds the backlog', {
      exitCode: ExitCode.invalid,
      hint: 'pass --repo owner/name (or set FACTORY_GITHUB_REPO)',
    });
  }
  const token = await resolveGitHubToken(env);
  const client = new GitHubClient({ token, apiBase: env.FACTORY_GITHUB_API });
  return new GitHubBacklog({ client, repo, branchFor: options.branchFor, prdLabel: options.prdLabel });
}
