/**
 * Evidence GitHub can show: the job's screenshots, poster and video go to an orphan branch of the
 * same remote (`factory/evidence`, one folder per job, never merged), committed with git plumbing
 * on a private index — the working tree, the index and HEAD of the repository are never touched.
 * The pull request links each file pinned to the evidence commit, so a later job's push never
 * changes what an older body shows. Private repositories work: GitHub serves the files to whoever
 * can read the repository (ADR 0121).
 *
 * Only media go there (images and videos are not redacted: they are not text; logs and reports stay
 * in the job folder). A file larger than MAX_EVIDENCE_BYTES is skipped and named in the body.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import type { JobManifest } from '../evidence/manifest.js';
import { gitOk, runGit } from './git.js';

export const EVIDENCE_BRANCH = 'factory/evidence';
/** GitHub refuses files over 100 MB; a video that large is not evidence anyone watches. */
export const MAX_EVIDENCE_BYTES = 50 * 1024 * 1024;
/** Pushes lost to a concurrent job's push are redone from the new tip this many times. */
const PUSH_ATTEMPTS = 3;

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Software Factory',
  GIT_AUTHOR_EMAIL: 'factory@localhost',
  GIT_COMMITTER_NAME: 'Software Factory',
  GIT_COMMITTER_EMAIL: 'factory@localhost',
};

const README = `# factory/evidence

Screenshots and videos of Software Factory jobs, one folder per job id, linked from each job's pull
request. This branch is never merged; delete a job's folder (or the branch) when it is no longer needed.
`;

/** The media of the latest validation, as job-folder-relative paths (videos first). */
export function evidenceFiles(m: JobManifest): string[] {
  const v = m.rounds.findLast((r) => r.validation !== undefined)?.validation;
  if (!v) return [];
  const out = new Set<string>();
  for (const s of v.scenarios) {
    if (s.video) out.add(s.video);
    if (s.poster) out.add(s.poster);
    for (const p of s.screenshots) out.add(p);
    if (s.failure?.screenshot) out.add(s.failure.screenshot);
  }
  return [...out].filter((p) => !p.split('/').includes('..'));
}

export interface EvidencePush {
  /** The evidence branch's commit holding this job's folder. */
  commit: string;
  /** Job-folder-relative path → path on the evidence branch. */
  paths: Map<string, string>;
  skipped: { path: string; why: string }[];
  /** false when the remote already had exactly these files. */
  pushed: boolean;
}

async function remoteTip(repo: string, remote: string, branch: string, signal?: AbortSignal) {
  const ls = await runGit(repo, ['ls-remote', '--heads', remote, `refs/heads/${branch}`], signal ? { signal } : {});
  if (ls.exitCode !== 0)
    throw new FactoryFailure('push-failed', `cannot read ${remote}: ${ls.stderr.split('\n').at(-1) ?? ''}`, {
      exitCode: ExitCode.unavailable,
      hint: 'check the remote and git credentials, then: factory job retry',
    });
  const sha = ls.stdout.split(/\s+/)[0];
  if (!sha) return undefined;
  const local = `refs/factory/evidence-tip`;
  await gitOk(
    repo,
    ['fetch', '--no-tags', '--quiet', remote, `+refs/heads/${branch}:${local}`],
    signal ? { signal } : {},
  );
  return sha;
}

export async function pushEvidence(o: {
  repo: string;
  remote: string;
  jobId: string;
  evidenceDir: string;
  files: string[];
  branch?: string;
  signal?: AbortSignal;
}): Promise<EvidencePush> {
  const branch = o.branch ?? EVIDENCE_BRANCH;
  const skipped: EvidencePush['skipped'] = [];
  const present: string[] = [];
  for (const rel of o.files) {
    const st = await stat(join(o.evidenceDir, rel)).catch(() => undefined);
    if (!st?.isFile()) skipped.push({ path: rel, why: 'missing' });
    else if (st.size > MAX_EVIDENCE_BYTES)
      skipped.push({ path: rel, why: `${Math.round(st.size / 1e6)} MB: too large` });
    else present.push(rel);
  }
  const paths = new Map(present.map((rel) => [rel, `${o.jobId}/${rel}`]));
  const scratch = await mkdtemp(join(tmpdir(), 'factory-evidence-'));
  const env = { ...IDENTITY, GIT_INDEX_FILE: join(scratch, 'index') };
  const opts = { env, ...(o.signal ? { signal: o.signal } : {}) };
  try {
    for (let attempt = 1; ; attempt++) {
      const parent = await remoteTip(o.repo, o.remote, branch, o.signal);
      await gitOk(o.repo, parent ? ['read-tree', parent] : ['read-tree', '--empty'], opts);
      const old = (await gitOk(o.repo, ['ls-files', '-z', '--', `${o.jobId}/`], opts)).split('\0').filter(Boolean);
      if (old.length)
        await gitOk(o.repo, ['update-index', '-z', '--force-remove', '--stdin'], { ...opts, input: old.join('\0') });
      const add = async (path: string, sha: string) =>
        gitOk(o.repo, ['update-index', '--add', '--cacheinfo', `100644,${sha},${path}`], opts);
      if (!parent)
        await add('README.md', await gitOk(o.repo, ['hash-object', '-w', '--stdin'], { ...opts, input: README }));
      for (const [rel, path] of paths)
        await add(path, await gitOk(o.repo, ['hash-object', '-w', '--', join(o.evidenceDir, rel)], opts));
      const tree = await gitOk(o.repo, ['write-tree'], opts);
      if (parent && tree === (await gitOk(o.repo, ['rev-parse', `${parent}^{tree}`], opts)))
        return { commit: parent, paths, skipped, pushed: false };
      const commit = await gitOk(
        o.repo,
        ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', `Evidence of job ${o.jobId}`],
        opts,
      );
      const push = await runGit(
        o.repo,
        ['push', '--porcelain', '--no-verify', o.remote, `${commit}:refs/heads/${branch}`],
        opts,
      );
      if (push.exitCode === 0) return { commit, paths, skipped, pushed: true };
      // Another job pushed its evidence first: build again on the new tip (never forced).
      if (
        attempt >= PUSH_ATTEMPTS ||
        !/\[rejected\]|non-fast-forward|fetch first|stale info/.test(push.stdout + push.stderr)
      )
        throw new FactoryFailure('push-failed', `pushing the evidence to ${o.remote} ${branch} failed`, {
          exitCode: ExitCode.unavailable,
          hint: 'check the remote and git credentials, then: factory job retry',
        });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
