/**
 * The github publisher on a real job folder (../fixture.ts: real video and screenshots, a real
 * patch), a real git repository whose `origin` is a real bare repository, and the loopback REST
 * server (./server.ts). Asserts what reaches the remote (branch, evidence branch) and every request.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFactoryFailure } from '../../../src/lib/failure.js';
import { BODY_SECTIONS, githubPublisher, jobMarker, type JobManifest } from '../../../src/publish/index.js';
import { GH_TOKEN, makeJobFolder, SECRET, type JobFolder } from '../fixture.js';
import { startFakeGitHub, type FakeGitHub } from './server.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

interface Setup {
  root: string;
  repo: string;
  bare: string;
  head: string;
  folder: JobFolder;
  manifest: JobManifest;
}

function setUp(): Setup {
  const root = mkdtempSync(join(tmpdir(), 'factory-gh-'));
  const bare = join(root, 'remote.git');
  const repo = join(root, 'repo');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  git(repo, 'config', 'user.name', 'Test User');
  git(repo, 'config', 'user.email', 'test@example.com');
  writeFileSync(join(repo, 'README.md'), '# diffie\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'diffie');
  git(repo, 'remote', 'add', 'origin', bare);
  git(repo, 'push', '-q', 'origin', 'main');
  git(repo, 'switch', '-q', '-c', 'factory/job_1');
  writeFileSync(join(repo, 'header.txt'), 'count\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'Show the project count');
  const head = git(repo, 'rev-parse', 'HEAD');
  git(repo, 'switch', '-q', 'main');
  const folder = makeJobFolder();
  const m = folder.manifest;
  const manifest: JobManifest = {
    ...m,
    repo,
    head,
    diff: m.diff ? { ...m.diff, head } : null,
    review: m.rounds[1]?.review ?? null,
    reviewRequest: null,
  };
  return { root, repo, bare, head, folder, manifest };
}

let gh: FakeGitHub;
let s: Setup;
beforeEach(async () => {
  gh = await startFakeGitHub();
  s = setUp();
});
afterEach(async () => {
  await gh.close();
  rmSync(s.root, { recursive: true, force: true });
  rmSync(s.folder.dir, { recursive: true, force: true });
});

const env = () => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GITHUB_TOKEN: gh.token,
  FACTORY_GITHUB_API: gh.url,
  FACTORY_GITHUB_REPO: 'acme/diffie',
  DIFFIE_API_SECRET: SECRET,
});
const publisher = (o: Parameters<typeof githubPublisher>[0] = {}) =>
  githubPublisher({ env: env(), retryDelayMs: 1, labels: ['diffie'], ...o });
const publish = (m: JobManifest, p = publisher()) => p.publish({ manifest: m, evidenceDir: s.folder.dir });
const bodies = () => gh.requests.map((r) => JSON.stringify(r.body ?? ''));

describe('the github publisher', () => {
  it('pushes the branch and the evidence, opens the pull request with every section, reviews and sets statuses', async () => {
    const req = await publish(s.manifest);
    expect(req).toEqual({ publisher: 'github', url: `${gh.web}/acme/diffie/pull/1` });
    // The branch is on the remote at the job's head; main is untouched.
    expect(git(s.bare, 'rev-parse', 'refs/heads/factory/job_1')).toBe(s.head);
    expect(git(s.bare, 'rev-parse', 'main')).toBe(git(s.repo, 'rev-parse', 'main'));
    // The evidence branch: one folder for the job, the media only.
    const files = git(s.bare, 'ls-tree', '-r', '--name-only', 'factory/evidence').split('\n');
    expect(files.sort()).toEqual([
      'README.md',
      'job_1/validation/feature/01-header.png',
      'job_1/validation/feature/poster.png',
      'job_1/validation/feature/video.webm',
    ]);
    const evidenceCommit = git(s.bare, 'rev-parse', 'factory/evidence');
    // The repository's own index, HEAD and working tree were not touched.
    expect(git(s.repo, 'status', '--porcelain')).toBe('');
    expect(git(s.repo, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');

    expect(gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/acme/diffie/pulls',
      'POST /repos/acme/diffie/issues/1/labels',
      'POST /repos/acme/diffie/pulls/1/reviews',
      `POST /repos/acme/diffie/statuses/${s.head}`,
      `POST /repos/acme/diffie/statuses/${s.head}`,
    ]);
    const [create, labels, review, st1, st2] = gh.writes();
    const body = (create?.body as { body: string }).body;
    expect(create?.body).toMatchObject({
      head: 'factory/job_1',
      base: 'main',
      title: 'Add a project count next to the title in the header, fed by the projects list already loaded',
    });
    for (const section of BODY_SECTIONS) expect(`\n${body}`).toContain(`\n## ${section}\n`);
    expect(body.startsWith('## Request\n')).toBe(true);
    expect(body).toContain(jobMarker('job_1'));
    // Ticked only where evidence exists: AC1 (feature scenario passed), AC2 (tests), AC3 (reviewer).
    expect(body).toMatch(/- \[x\] \*\*AC1\*\*/);
    expect(body).toMatch(/- \[x\] \*\*AC2\*\*/);
    // Images inline and the video linked, pinned to the evidence commit.
    const at = `${gh.web}/acme/diffie/blob/${evidenceCommit}/job_1/validation/feature`;
    expect(body).toContain(`![feature: show the number of projects: 01-header.png](${at}/01-header.png?raw=true)`);
    expect(body).toContain(`[![Video: `);
    expect(body).toContain(`](${at}/video.webm?raw=true)`);
    expect(body).toContain('http://127.0.0.1:20410');
    // The request is data: no live HTML, no mentions.
    expect(body).not.toMatch(/<(?!!-- factory-job|details|\/details|summary|\/summary|sub|\/sub)/);
    expect(labels?.body).toEqual({ labels: ['factory-generated', 'needs-human-review', 'risk:low', 'diffie'] });
    expect(review?.body).toMatchObject({
      commit_id: s.head,
      event: 'COMMENT',
      comments: [{ path: 'app/src/header.tsx', line: 6, side: 'RIGHT' }],
    });
    expect((review?.body as { body: string }).body).toContain('<!-- factory-review: job_1 round 2 -->');
    expect([st1?.body, st2?.body]).toEqual([
      {
        state: 'success',
        context: 'factory/review',
        description: 'comments, 1 finding',
        target_url: `${gh.web}/acme/diffie/pull/1`,
      },
      {
        state: 'success',
        context: 'factory/validation',
        description: 'tests passed (1/1 suites), browser passed (2/2 scenarios)',
        target_url: `${gh.web}/acme/diffie/pull/1`,
      },
    ]);
    // No secret reached any request: the environment's, the token patterns, the token itself.
    for (const b of bodies()) {
      expect(b).not.toContain(SECRET);
      expect(b).not.toContain(GH_TOKEN);
      expect(b).not.toContain(gh.token);
    }
    expect(body).toContain('[redacted]');
    // APPROVE is never sent.
    expect(gh.reviews.map((r) => r.state)).toEqual(['COMMENTED']);
  });

  it('a second publish of the same evidence changes nothing; a new state updates the same pull request', async () => {
    await publish(s.manifest);
    const evidence = git(s.bare, 'rev-parse', 'factory/evidence');
    const before = gh.writes().length;
    await publish(s.manifest);
    expect(gh.writes().length).toBe(before);
    expect(git(s.bare, 'rev-parse', 'factory/evidence')).toBe(evidence);
    await publish({ ...s.manifest, state: 'merged' });
    expect(
      gh
        .writes()
        .slice(before)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual(['PATCH /repos/acme/diffie/pulls/1']);
    expect(gh.pulls).toHaveLength(1);
    expect(gh.reviews).toHaveLength(1);
  });

  it('request_changes is REQUEST_CHANGES; on its own pull request GitHub refuses it and it is posted as a comment', async () => {
    gh.authorCannotRequestChanges = true;
    const review = s.manifest.review;
    if (!review) throw new Error('fixture has a review');
    const m: JobManifest = {
      ...s.manifest,
      review: { ...review, verdict: { ...review.verdict, verdict: 'request_changes' } },
    };
    await publish(m);
    const posts = gh.writes().filter((r) => r.path.endsWith('/reviews'));
    expect(posts.map((r) => (r.body as { event: string }).event)).toEqual(['REQUEST_CHANGES', 'COMMENT']);
    expect((posts[1]?.body as { comments: unknown[] }).comments).toEqual([]);
    expect((posts[1]?.body as { body: string }).body).toContain('app/src/header.tsx:6');
    expect(gh.reviews).toHaveLength(1);
    const review2 = gh.statuses.find((x) => x.context === 'factory/review');
    expect(review2).toMatchObject({ state: 'failure', description: 'changes requested, 1 finding' });
  });

  it('never pushes the base, the default or a protected branch, and asks GitHub for nothing else', async () => {
    for (const m of [{ ...s.manifest, branch: 'main' }]) {
      const e = await publish(m).catch((x: unknown) => x);
      expect(isFactoryFailure(e) && e.code).toBe('push-refused');
    }
    gh.protectedBranches.add('factory/job_1');
    const e = await publish(s.manifest).catch((x: unknown) => x);
    expect(isFactoryFailure(e) && e.message).toBe('refusing to push factory/job_1: it is a protected branch');
    expect(gh.writes()).toEqual([]);
    expect(git(s.bare, 'branch', '--list')).toBe('* main');
  });

  it('a push the remote rejects is not forced: the remote keeps its commits, no pull request is opened', async () => {
    // Someone else's commit on the remote's factory/job_1.
    const other = join(s.root, 'other');
    execFileSync('git', ['clone', '-q', s.bare, other]);
    git(other, 'config', 'user.name', 'Other');
    git(other, 'config', 'user.email', 'other@example.com');
    git(other, 'switch', '-q', '-c', 'factory/job_1');
    writeFileSync(join(other, 'theirs.txt'), 'theirs\n');
    git(other, 'add', '-A');
    git(other, 'commit', '-q', '-m', 'theirs');
    git(other, 'push', '-q', 'origin', 'factory/job_1');
    const theirs = git(other, 'rev-parse', 'HEAD');
    const e = await publish(s.manifest).catch((x: unknown) => x);
    expect(isFactoryFailure(e) && e.code).toBe('push-rejected');
    expect(isFactoryFailure(e) && e.hint).toContain('never forces');
    expect(git(s.bare, 'rev-parse', 'factory/job_1')).toBe(theirs);
    expect(gh.writes()).toEqual([]);
  });

  it('reads the pull request state for job sync: open, merged, closed', async () => {
    const p = publisher();
    const { url } = await publish(s.manifest, p);
    const m: JobManifest = { ...s.manifest, reviewRequest: { publisher: 'github', url } };
    expect(await p.reviewState?.({ manifest: m })).toBe('open');
    const pull = gh.pulls[0];
    if (!pull) throw new Error('no pull request');
    pull.state = 'closed';
    expect(await p.reviewState?.({ manifest: m })).toBe('closed');
    pull.merged = true;
    expect(await p.reviewState?.({ manifest: m })).toBe('merged');
  });

  it('without a token, or with a remote that names no GitHub repository, it says what to do', async () => {
    const { GITHUB_TOKEN: _t, ...noToken } = env();
    const e1 = await githubPublisher({ env: { ...noToken, PATH: '/nonexistent' } })
      .publish({ manifest: s.manifest, evidenceDir: s.folder.dir })
      .catch((x: unknown) => x);
    expect(isFactoryFailure(e1) && e1.code).toBe('github-token-missing');
    const { FACTORY_GITHUB_REPO: _r, ...noRepo } = env();
    const e2 = await githubPublisher({ env: noRepo })
      .publish({ manifest: s.manifest, evidenceDir: s.folder.dir })
      .catch((x: unknown) => x);
    expect(isFactoryFailure(e2) && e2.code).toBe('github-repo-unknown');
    expect(isFactoryFailure(e2) && e2.hint).toContain('FACTORY_GITHUB_REPO');
    const e3 = await publisher({ remote: 'upstream' })
      .publish({ manifest: s.manifest, evidenceDir: s.folder.dir })
      .catch((x: unknown) => x);
    expect(isFactoryFailure(e3) && e3.code).toBe('no-remote');
    expect(gh.requests).toEqual([]);
  });
});
