/**
 * The job's pull request: found by its hidden marker among the pull requests of the job's branch
 * (so a re-run, a retry or a second worker updates the same one), opened when there is none, and
 * updated only when its title or body changed. A 422 "already exists" on create — another process
 * opened it between our read and our write — is answered by reading again, never by a second
 * create. Labels are added, never removed (a person's labels stay).
 */
import { githubFailure, messageOf, statusOf, type GitHub } from '../../github/index.js';
import { hasJobMarker } from './body.js';

export interface Repo {
  owner: string;
  repo: string;
}

export interface Pull {
  number: number;
  html_url: string;
  state: string;
  merged: boolean;
  title: string;
  body: string;
  labels: string[];
  created: boolean;
  updated: boolean;
}

type ListedPull = {
  number: number;
  html_url: string;
  state: string;
  title: string;
  body: string | null;
  merged_at: string | null;
  labels: { name?: string }[];
  head: { ref: string };
};

async function findPull(gh: GitHub, r: Repo, branch: string, jobId: string): Promise<ListedPull | undefined> {
  let pulls: ListedPull[];
  try {
    pulls = (await gh.paginate(gh.rest.pulls.list, {
      ...r,
      head: `${r.owner}:${branch}`,
      state: 'all',
      per_page: 100,
    })) as ListedPull[];
  } catch (error) {
    throw githubFailure(error, `listing the pull requests of ${branch}`, `${r.owner}/${r.repo}`);
  }
  const mine = pulls.filter((p) => p.head.ref === branch);
  return (
    mine.find((p) => hasJobMarker(p.body, jobId) && p.state === 'open') ?? mine.find((p) => hasJobMarker(p.body, jobId))
  );
}

const toPull = (p: ListedPull, created: boolean, updated: boolean): Pull => ({
  number: p.number,
  html_url: p.html_url,
  state: p.state,
  merged: p.merged_at !== null,
  title: p.title,
  body: p.body ?? '',
  labels: p.labels.map((l) => l.name ?? '').filter(Boolean),
  created,
  updated,
});

export async function upsertPull(
  gh: GitHub,
  r: Repo,
  o: { branch: string; base: string; jobId: string; title: string; body: string },
): Promise<Pull> {
  const slug = `${r.owner}/${r.repo}`;
  let found = await findPull(gh, r, o.branch, o.jobId);
  if (!found) {
    try {
      const { data } = await gh.rest.pulls.create({ ...r, head: o.branch, base: o.base, title: o.title, body: o.body });
      return toPull(data as unknown as ListedPull, true, false);
    } catch (error) {
      if (statusOf(error) !== 422 || !/already exists/i.test(messageOf(error)))
        throw githubFailure(error, `opening a pull request from ${o.branch} into ${o.base}`, slug);
      found = await findPull(gh, r, o.branch, o.jobId);
      if (!found) throw githubFailure(error, `opening a pull request from ${o.branch} into ${o.base}`, slug);
    }
  }
  if (found.title === o.title && (found.body ?? '') === o.body) return toPull(found, false, false);
  try {
    const { data } = await gh.rest.pulls.update({ ...r, pull_number: found.number, title: o.title, body: o.body });
    return toPull(data as unknown as ListedPull, false, true);
  } catch (error) {
    throw githubFailure(error, `updating pull request #${found.number}`, slug);
  }
}

/** Adds the labels the pull request lacks (GitHub creates a label that does not exist yet). */
export async function addLabels(gh: GitHub, r: Repo, pull: Pull, labels: string[]): Promise<string[]> {
  const have = new Set(pull.labels.map((l) => l.toLowerCase()));
  const missing = [...new Set(labels)].filter((l) => !have.has(l.toLowerCase()));
  if (missing.length === 0) return [];
  try {
    await gh.rest.issues.addLabels({ ...r, issue_number: pull.number, labels: missing });
  } catch (error) {
    throw githubFailure(error, `labelling pull request #${pull.number}`, `${r.owner}/${r.repo}`);
  }
  return missing;
}

export type PullState = 'open' | 'merged' | 'closed';

/** What happened to a pull request: open, merged or closed without merging. */
export async function pullState(gh: GitHub, r: Repo, number: number): Promise<PullState> {
  try {
    const { data } = await gh.rest.pulls.get({ ...r, pull_number: number });
    if (data.merged || data.merged_at) return 'merged';
    return data.state === 'closed' ? 'closed' : 'open';
  } catch (error) {
    throw githubFailure(error, `reading pull request #${number}`, `${r.owner}/${r.repo}`);
  }
}

/** The number in a pull request URL (`…/pull/12`). */
export function pullNumberOf(url: string): number | undefined {
  const m = /\/pull\/(\d+)(?:[/?#]|$)/.exec(url);
  return m?.[1] ? Number(m[1]) : undefined;
}
