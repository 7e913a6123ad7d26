/**
 * The `github` publisher (docs/github.md): every job becomes a pull request with its evidence.
 * One publish, in order — each step idempotent, so the job calls it after every state change and a
 * re-run or a retry updates what is there:
 *
 *   1. read the repository (default branch, URL); refuse a base, default or protected branch
 *   2. push the job's branch (never forced)                                   ./git.ts
 *   3. push its screenshots and video to factory/evidence/<job id>/          ./evidence-branch.ts
 *   4. open or update the pull request: title, body with every section       ./body.ts, ./pulls.ts
 *   5. labels: factory-generated, needs-human-review, risk:<level>, the contract's
 *   6. the reviewer's verdict as a review with line comments (once per round) ./review.ts
 *   7. commit statuses factory/review and factory/validation                  ./statuses.ts
 *
 * Everything sent passes the one redaction step (ADR 0101): the manifest before rendering, every
 * text after, with the token itself among the secrets.
 */
import { readFile } from 'node:fs/promises';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { insideJobDir } from '../local/index.js';
import { createRedactor, type Redactor } from '../redact.js';
import type { Publisher, PublishInput, ReviewRequest, ReviewState } from '../types.js';
import { pullTitle, renderPullBody } from './body.js';
import { connect, isProtected, type ConnectOptions } from './connect.js';
import { EVIDENCE_BRANCH, evidenceFiles, pushEvidence } from './evidence-branch.js';
import { pushBranch } from './git.js';
import { addLabels, pullNumberOf, pullState, upsertPull } from './pulls.js';
import { postReview } from './review.js';
import { postStatuses, reviewStatus, validationStatus } from './statuses.js';

export const DEFAULT_REMOTE = 'origin';
export const BASE_LABELS = ['factory-generated', 'needs-human-review'];

export interface GitHubPublisherOptions {
  /** The git remote to push to and whose GitHub repository gets the pull request (default origin). */
  remote?: string;
  /** `owner/name`, when the remote's URL does not say it (default FACTORY_GITHUB_REPO, then the URL). */
  repo?: string;
  /** The REST API base (default FACTORY_GITHUB_API, then https://api.github.com). */
  apiUrl?: string;
  /** Labels besides factory-generated, needs-human-review and the risk level (the contract's). */
  labels?: string[];
  /** The branch evidence goes to (default factory/evidence). */
  evidenceBranch?: string;
  /** Where the token and the secrets to redact come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  redactor?: Redactor;
  /** A token to use instead of GITHUB_TOKEN / GH_TOKEN / gh. */
  token?: string;
  /** First delay of a read's retry (tests make it short). */
  retryDelayMs?: number;
}

/** A GitHub URL of a file on the evidence branch, pinned to its commit (images show inline). */
function fileUrl(htmlUrl: string, commit: string, path: string): string {
  return `${htmlUrl.replace(/\/+$/, '')}/blob/${commit}/${path.split('/').map(encodeURIComponent).join('/')}?raw=true`;
}

async function readPatch(evidenceDir: string, rel: string | undefined): Promise<string | null> {
  const path = rel ? insideJobDir(evidenceDir, rel) : null;
  return path ? readFile(path, 'utf8').catch(() => null) : null;
}

export function githubPublisher(options: GitHubPublisherOptions = {}): Publisher {
  const env = options.env ?? process.env;
  const remote = options.remote ?? DEFAULT_REMOTE;
  const conn: ConnectOptions = {
    remote,
    env,
    ...(options.repo ? { repo: options.repo } : {}),
    ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    ...(options.token ? { token: options.token } : {}),
    ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
  };
  return {
    name: 'github',
    async publish({ manifest, evidenceDir, signal }: PublishInput): Promise<ReviewRequest> {
      const c = await connect(conn, manifest.repo);
      const redact = options.redactor ?? createRedactor({ env, secrets: [c.token] });
      const byToken = createRedactor({ secrets: [c.token] });
      const clean = (s: string) => byToken(redact(s));
      const head = manifest.head ?? manifest.diff?.head;
      if (!head || !manifest.diff) {
        throw new FactoryFailure('nothing-to-publish', `job ${manifest.id} has no commits to open a pull request for`, {
          exitCode: ExitCode.failed,
        });
      }
      const base = manifest.base;
      await pushBranch({
        repo: manifest.repo,
        remote,
        branch: manifest.branch,
        forbidden: [base, c.info.defaultBranch],
        protectedBranch: await isProtected(c, manifest.branch),
        redact: clean,
        ...(signal ? { signal } : {}),
      });
      const evidence = await pushEvidence({
        repo: manifest.repo,
        remote,
        jobId: manifest.id,
        evidenceDir,
        files: evidenceFiles(manifest),
        branch: options.evidenceBranch ?? EVIDENCE_BRANCH,
        ...(signal ? { signal } : {}),
      });
      const links = new Map(
        [...evidence.paths].map(([rel, path]) => [rel, fileUrl(c.info.htmlUrl, evidence.commit, path)]),
      );
      const shown = redact.deep(manifest);
      const body = clean(renderPullBody({ manifest: shown, links, skipped: evidence.skipped }));
      const pull = await upsertPull(c.gh, c.r, {
        branch: manifest.branch,
        base,
        jobId: manifest.id,
        title: clean(pullTitle(shown)),
        body,
      });
      const risk = manifest.plan ? [`risk:${manifest.plan.risk}`] : [];
      await addLabels(c.gh, c.r, pull, [...BASE_LABELS, ...risk, ...(options.labels ?? [])]);
      await postReview(c.gh, c.r, pull, {
        manifest: shown,
        patch: await readPatch(evidenceDir, manifest.diff.patch).then((p) => (p === null ? null : clean(p))),
        head,
        redact: clean,
      });
      await postStatuses(c.gh, c.r, {
        sha: head,
        statuses: [reviewStatus(shown), validationStatus(shown)],
        targetUrl: pull.html_url,
      });
      return { publisher: 'github', url: pull.html_url };
    },
    async reviewState({ manifest }): Promise<ReviewState> {
      const url = manifest.reviewRequest?.url;
      const number = url ? pullNumberOf(url) : undefined;
      if (number === undefined) return 'open';
      const c = await connect(conn, manifest.repo);
      return pullState(c.gh, c.r, number);
    },
  };
}
