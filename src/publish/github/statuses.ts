/**
 * Two commit statuses on the branch's tip, which branch protection can require:
 *
 *   factory/review      pending while the reviewer runs; success for approve / comment; failure for
 *                       request_changes (the verdict itself is the pull request's review)
 *   factory/validation  the latest tests and browser validation: success when both passed (or the
 *                       contract has none), failure when either failed, pending before they ran
 *
 * Commit statuses, not check runs: check runs need a GitHub App's token, statuses work with the
 * personal or fine-grained token a person already has (ADR 0122). A status already in place with the
 * same state and description is not posted again.
 */
import { githubFailure, type GitHub } from '../../github/index.js';
import { latestTests, latestValidation } from '../evidence/checklist.js';
import type { JobManifest } from '../evidence/manifest.js';
import type { Repo } from './pulls.js';

export type StatusState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  context: 'factory/review' | 'factory/validation';
  state: StatusState;
  description: string;
}

/** GitHub cuts descriptions at 140 characters; cut them ourselves, on a word. */
const short = (s: string) => (s.length <= 140 ? s : `${s.slice(0, 139).replace(/\s+\S*$/, '')}…`);

export function reviewStatus(m: JobManifest): CommitStatus {
  const v = m.review?.verdict;
  if (!v)
    return { context: 'factory/review', state: 'pending', description: 'the reviewer has not given a verdict yet' };
  const n = v.findings.length;
  const findings = `${n} finding${n === 1 ? '' : 's'}`;
  if (v.verdict === 'request_changes')
    return { context: 'factory/review', state: 'failure', description: short(`changes requested, ${findings}`) };
  return {
    context: 'factory/review',
    state: 'success',
    description: short(`${v.verdict === 'approve' ? 'no changes needed' : 'comments'}, ${findings}`),
  };
}

export function validationStatus(m: JobManifest): CommitStatus {
  const t = latestTests(m);
  const v = latestValidation(m);
  const ctx = 'factory/validation' as const;
  if (!t && !v) return { context: ctx, state: 'pending', description: 'tests and browser validation have not run' };
  const parts: string[] = [];
  if (t) {
    const passed = t.suites.filter((s) => s.status === 'passed').length;
    parts.push(`tests ${t.ok ? 'passed' : 'failed'} (${passed}/${t.suites.length} suites)`);
  }
  if (v) {
    const passed = v.scenarios.filter((s) => s.status === 'passed').length;
    parts.push(`browser ${v.ok ? 'passed' : 'failed'} (${passed}/${v.scenarios.length} scenarios)`);
  }
  const ok = (t?.ok ?? true) && (v?.ok ?? true);
  return { context: ctx, state: ok ? 'success' : 'failure', description: short(parts.join(', ')) };
}

export async function postStatuses(
  gh: GitHub,
  r: Repo,
  o: { sha: string; statuses: CommitStatus[]; targetUrl: string },
): Promise<CommitStatus[]> {
  const slug = `${r.owner}/${r.repo}`;
  let current: { context: string; state: string; description: string | null }[];
  try {
    current = (await gh.rest.repos.getCombinedStatusForRef({ ...r, ref: o.sha, per_page: 100 })).data.statuses;
  } catch (error) {
    throw githubFailure(error, `reading the statuses of ${o.sha.slice(0, 10)}`, slug);
  }
  const posted: CommitStatus[] = [];
  for (const s of o.statuses) {
    const now = current.find((c) => c.context === s.context);
    if (now && now.state === s.state && (now.description ?? '') === s.description) continue;
    try {
      await gh.rest.repos.createCommitStatus({
        ...r,
        sha: o.sha,
        state: s.state,
        context: s.context,
        description: s.description,
        target_url: o.targetUrl,
      });
    } catch (error) {
      throw githubFailure(error, `setting the ${s.context} status`, slug);
    }
    posted.push(s);
  }
  return posted;
}
