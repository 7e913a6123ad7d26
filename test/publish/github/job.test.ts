/**
 * End to end: a job on a copy of examples/diffie published with `--publisher github` — the real
 * binary, git, bwrap, the diffie instance, the test suites and Chromium with video, the fake agent
 * in every role; `origin` is a real bare repository and GitHub is the loopback REST server
 * (./server.ts). The reviewer asks for changes once, so the job publishes twice: the second publish
 * updates the same pull request. Then `factory job sync` sees it merged. Secrets planted in the
 * agents' output and in the environment reach no request.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_SECTIONS, jobMarker } from '../../../src/publish/index.js';
import { runFactory } from '../../helpers/cli.js';
import { basePort, expectSchema } from '../../services/helpers.js';
import { countSteps, diffieRig, git, plan, request, showCount, type Rig } from '../../jobs/harness.js';
import { startFakeGitHub, type FakeGitHub } from './server.js';

/** In the environment (redacted by value) and in the agents' output. */
const DEPLOY_SECRET = 'deploy-9c8b7a6f5e4d3c2b1a0f';
/** A token shape the environment never held (redacted by pattern). */
const LOOSE_TOKEN = `ghp_${'Zz9Yy8Xx7W'.repeat(4)}`;

let rig: Rig;
let gh: FakeGitHub;
let bare: string;
const env = () => ({
  ...rig.env,
  GITHUB_TOKEN: gh.token,
  FACTORY_GITHUB_API: gh.url,
  FACTORY_GITHUB_REPO: 'acme/diffie',
  DIFFIE_DEPLOY_TOKEN: DEPLOY_SECRET,
});
const factory = (args: string[], timeoutMs = 600_000) => runFactory(args, { cwd: rig.repo, env: env(), timeoutMs });

beforeAll(async () => {
  rig = diffieRig();
  gh = await startFakeGitHub();
  bare = join(rig.root, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  git(rig.repo, 'remote', 'add', 'origin', bare);
  git(rig.repo, 'push', '-q', 'origin', 'main');
});
afterAll(async () => {
  await rig?.dispose();
  await gh?.close();
});

const requestChanges = {
  answer: {
    tag: 'verdict',
    json: {
      verdict: 'request_changes',
      summary: `The pill says "1 projects" for one project. (env had ${DEPLOY_SECRET})`,
      findings: [
        {
          file: 'web/index.html',
          line: 14,
          severity: 'minor',
          message: `Give the pill an aria-label. Seen: ${LOOSE_TOKEN}`,
        },
        { file: 'web/app.js', severity: 'info', message: 'Consider Intl.PluralRules.' },
      ],
      risks: [`none beyond ${DEPLOY_SECRET}`],
    },
  },
};
const comment = {
  answer: {
    tag: 'verdict',
    json: { verdict: 'comment', summary: 'Fixed; the header shows the count.', findings: [], risks: ['none found'] },
  },
};

describe('a job published to GitHub', () => {
  let jobId = '';

  it('pushes its branch and evidence, opens one pull request, reviews twice, sets statuses', {
    timeout: 900_000,
  }, async () => {
    const text = request('Show the number of projects in the page header', {
      planner: plan(countSteps, {
        summary: `Show how many projects there are next to the page title. ${DEPLOY_SECRET}`,
      }),
      builder: {
        rounds: [
          [{ say: `working with ${DEPLOY_SECRET} and ${LOOSE_TOKEN}` }, ...showCount],
          [
            { append: 'web/app.js', content: '// one project: "1 project"\n' },
            { commit: 'Say 1 project for one project' },
            { say: 'Done. <promise>COMPLETE</promise>' },
          ],
        ],
      },
      reviewer: { rounds: [[requestChanges], [comment]] },
    });
    const r = await factory([
      'job',
      'run',
      text,
      '--publisher',
      'github',
      '--json',
      '--port-range',
      String(basePort(60)),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expectSchema('job', m);
    jobId = m.id;
    expect(m.state).toBe('ready_for_human_review');
    expect(m.rounds).toHaveLength(2);
    expect(m.reviewRequest).toEqual({ publisher: 'github', url: `${gh.web}/acme/diffie/pull/1` });

    // One pull request, opened once and updated after; the branch on the remote is the job's tip.
    expect(gh.pulls).toHaveLength(1);
    expect(gh.writes().filter((q) => q.method === 'POST' && q.path.endsWith('/pulls'))).toHaveLength(1);
    expect(gh.writes().filter((q) => q.method === 'PATCH').length).toBeGreaterThan(0);
    expect(git(bare, 'rev-parse', `refs/heads/factory/${jobId}`)).toBe(m.head);
    expect(git(bare, 'log', '--format=%s', `main..factory/${jobId}`).split('\n')).toEqual([
      'Say 1 project for one project',
      'Show the number of projects in the page header',
    ]);
    const pull = gh.pulls[0];
    const body = pull?.body ?? '';
    for (const section of BODY_SECTIONS) expect(`\n${body}`).toContain(`\n## ${section}\n`);
    expect(body).toContain(jobMarker(jobId));
    expect(body).toMatch(/- \[x\] \*\*AC1\*\*/);
    expect(body).toMatch(/- \[x\] \*\*AC2\*\*/);
    expect(pull?.base).toBe('main');
    expect(pull?.labels).toEqual(['factory-generated', 'needs-human-review', 'risk:low']);
    // docs/github.md shows this body: FACTORY_TEST_PR_BODY=<file> keeps a copy.
    if (process.env.FACTORY_TEST_PR_BODY) writeFileSync(process.env.FACTORY_TEST_PR_BODY, body);

    // The evidence branch: the feature video as mp4 (GitHub plays it), its poster, screenshots.
    const files = git(bare, 'ls-tree', '-r', '--name-only', 'factory/evidence').split('\n');
    expect(files).toContain('README.md');
    const video = files.find((f) => f.startsWith(`${jobId}/`) && f.endsWith('.mp4'));
    expect(video, files.join('\n')).toBeDefined();
    const evidence = git(bare, 'rev-parse', 'factory/evidence');
    expect(body).toContain(`${gh.web}/acme/diffie/blob/${evidence}/${video}?raw=true`);
    expect(files.every((f) => f === 'README.md' || f.startsWith(`${jobId}/`))).toBe(true);

    // Two reviews: round 1 requested changes with a line comment, round 2 commented. Never APPROVE.
    const posted = gh.writes().filter((q) => q.path.endsWith('/pulls/1/reviews'));
    expect(posted.map((q) => (q.body as { event: string }).event)).toEqual(['REQUEST_CHANGES', 'COMMENT']);
    expect((posted[0]?.body as { comments: unknown[] }).comments).toEqual([
      expect.objectContaining({ path: 'web/index.html', line: 14, side: 'RIGHT' }),
    ]);
    expect((posted[0]?.body as { body: string }).body).toContain('`web/app.js` **info**');
    // Statuses on the final head.
    const onHead = gh.statuses.filter((st) => st.sha === m.head);
    expect(Object.fromEntries(onHead.map((st) => [st.context, st.state]))).toEqual({
      'factory/review': 'success',
      'factory/validation': 'success',
    });
    expect(gh.statuses.some((st) => st.context === 'factory/review' && st.state === 'failure')).toBe(true);

    // No secret reached a request body, nor the evidence branch.
    for (const q of gh.requests) {
      const b = JSON.stringify(q.body ?? '');
      expect(b, `${q.method} ${q.path}`).not.toContain(DEPLOY_SECRET);
      expect(b, `${q.method} ${q.path}`).not.toContain(LOOSE_TOKEN);
      expect(b, `${q.method} ${q.path}`).not.toContain(gh.token);
    }
    expect(body).toContain('[redacted]');
    const grep = execFileSync('git', ['grep', '-I', '-c', DEPLOY_SECRET, 'factory/evidence'], {
      cwd: bare,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    expect(grep).toBe('');
  });

  it('job sync: the pull request merged → the job is merged, its preview stopped, its worktree removed', {
    timeout: 180_000,
  }, async () => {
    expect(jobId).not.toBe('');
    const wt = join(rig.repo, '.factory', 'worktrees', jobId);
    expect(existsSync(wt)).toBe(true);
    const open = await factory(['job', 'sync', '--json']);
    expect(open.code, open.stderr).toBe(0);
    expectSchema('job-sync', JSON.parse(open.stdout));
    expect(JSON.parse(open.stdout).jobs).toEqual([
      expect.objectContaining({
        id: jobId,
        before: 'ready_for_human_review',
        after: 'ready_for_human_review',
        review: 'open',
      }),
    ]);
    const pull = gh.pulls[0];
    if (!pull) throw new Error('no pull request');
    pull.state = 'closed';
    pull.merged = true;
    const writes = gh.writes().length;
    const r = await factory(['job', 'sync', jobId.slice(-6), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).jobs[0]).toMatchObject({ id: jobId, after: 'merged', review: 'merged' });
    expect(rig.manifest(jobId).state).toBe('merged');
    expect(rig.manifest(jobId).preview?.up).toBe(false);
    expect(existsSync(wt)).toBe(false);
    // Nothing was written to GitHub after the merge.
    expect(gh.writes().length).toBe(writes);
  });
});
