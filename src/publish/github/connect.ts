/**
 * Which repository on which GitHub, with which token: the remote's URL names `owner/name` (or
 * `FACTORY_GITHUB_REPO` / the `repo` option, for a remote that is not GitHub-shaped — a mirror,
 * or the tests' bare repository); the API base is the option, `FACTORY_GITHUB_API`, or
 * api.github.com; the token is GITHUB_TOKEN, GH_TOKEN or `gh auth token`.
 */
import {
  createGitHub,
  githubFailure,
  parseGitHubRemote,
  resolveGitHubToken,
  splitRepo,
  statusOf,
  type GitHub,
} from '../../github/index.js';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { remoteUrl } from './git.js';
import type { Repo } from './pulls.js';

export interface ConnectOptions {
  remote: string;
  repo?: string;
  apiUrl?: string;
  token?: string;
  env: NodeJS.ProcessEnv;
  retryDelayMs?: number;
}

export interface Connection {
  gh: GitHub;
  r: Repo;
  slug: string;
  token: string;
  info: { defaultBranch: string; htmlUrl: string; private: boolean };
}

export async function connect(o: ConnectOptions, repoDir: string): Promise<Connection> {
  const url = await remoteUrl(repoDir, o.remote);
  const slug = o.repo ?? o.env.FACTORY_GITHUB_REPO ?? parseGitHubRemote(url);
  const r = slug ? splitRepo(slug) : undefined;
  if (!slug || !r) {
    throw new FactoryFailure('github-repo-unknown', `the remote "${o.remote}" does not name a GitHub repository`, {
      exitCode: ExitCode.invalid,
      hint: 'point the remote at github.com/OWNER/REPO, or set FACTORY_GITHUB_REPO=OWNER/REPO (jobs.github.repo)',
    });
  }
  const token = o.token ?? (await resolveGitHubToken(o.env));
  const apiUrl = o.apiUrl ?? o.env.FACTORY_GITHUB_API;
  const gh = createGitHub({
    token,
    ...(apiUrl ? { apiUrl } : {}),
    ...(o.retryDelayMs !== undefined ? { retryDelayMs: o.retryDelayMs } : {}),
  });
  try {
    const { data } = await gh.rest.repos.get(r);
    return {
      gh,
      r,
      slug,
      token,
      info: { defaultBranch: data.default_branch, htmlUrl: data.html_url, private: data.private },
    };
  } catch (error) {
    throw githubFailure(error, `reading the repository ${slug}`, slug);
  }
}

/** Whether GitHub protects `branch` (a branch that does not exist there yet is not protected). */
export async function isProtected(c: Connection, branch: string): Promise<boolean> {
  try {
    const { data } = await c.gh.rest.repos.getBranch({ ...c.r, branch });
    return data.protected;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw githubFailure(error, `reading the branch ${branch}`, c.slug);
  }
}
