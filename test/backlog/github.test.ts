import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubClient, parseGitHubRemote, resolveGitHubToken } from '../../src/backlog/github-client.js';
import { blockedBySection, GitHubBacklog, issueRefs, taskListRefs } from '../../src/backlog/github.js';
import { startReplayServer, type ReplayServer } from './github-server.js';

/**
 * The github backlog against a loopback server replaying recorded REST responses. No live GitHub:
 * what is checked is that the requests match GitHub's documented endpoints and that the documented
 * response shapes are read correctly.
 */
let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function backlog(fixture = 'shop.json'): Promise<{ source: GitHubBacklog; server: ReplayServer }> {
  server = await startReplayServer(fixture);
  const client = new GitHubClient({ token: 'ghp_test123', apiBase: server.url, retryDelayMs: 1 });
  return { source: new GitHubBacklog({ client, repo: 'octo-org/shop', branchFor: (n) => `factory/prd-${n}` }), server };
}

const paths = (s: ReplayServer) => s.requests.map((r) => `${r.method} ${r.path}`);

describe('github backlog (recorded responses on loopback)', () => {
  it('sends the documented headers with the token', async () => {
    const { source, server } = await backlog();
    await source.getPrd(10);
    const first = server.requests[0];
    expect(first?.headers).toMatchObject({
      accept: 'application/vnd.github+json',
      authorization: 'Bearer ghp_test123',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'software-factory',
    });
    expect(paths(server)).toEqual([
      'GET /repos/octo-org/shop/issues/10',
      'GET /repos/octo-org/shop/pulls?head=octo-org%3Afactory%2Fprd-10&state=all&per_page=10',
    ]);
  });

  it('lists PRD issues by label, skipping pull requests, with draft and review state', async () => {
    const { source } = await backlog();
    const prds = await source.listPrds();
    expect(prds.map((p) => [p.number, p.title, p.state, p.ref, p.review?.location ?? null])).toEqual([
      [10, 'Checkout flow', 'ready', '10', null],
      [20, 'Search', 'draft', '20', 'https://github.com/octo-org/shop/pull/31'],
    ]);
  });

  it('reads tasks from sub-issues across pages: order, kind labels, state, blockers', async () => {
    const { source, server } = await backlog();
    const tasks = await source.listTasks(await source.getPrd(10));
    expect(tasks.map((t) => [t.id, t.position, t.kind, t.state, t.blockedBy, t.kindNote ?? null])).toEqual([
      ['11', 1, 'afk', 'open', [], null],
      ['12', 2, 'afk', 'open', ['11'], null],
      ['13', 3, 'hitl', 'done', [], null],
      ['14', 4, 'hitl', 'open', [], 'it has neither an "afk" nor a "hitl" label, so a person decides'],
    ]);
    expect(paths(server).slice(2)).toEqual([
      'GET /repos/octo-org/shop/issues/10/sub_issues?per_page=100',
      'GET /repos/octo-org/shop/issues/10/sub_issues?per_page=100&page=2',
    ]);
  });

  it('falls back to the task list in the PRD body when there are no sub-issues', async () => {
    const { source, server } = await backlog();
    const tasks = await source.listTasks(await source.getPrd(20));
    expect(tasks.map((t) => [t.id, t.state, t.blockedBy])).toEqual([
      ['21', 'done', []],
      ['22', 'open', ['21']],
    ]);
    expect(paths(server).slice(2)).toEqual([
      'GET /repos/octo-org/shop/issues/20/sub_issues?per_page=100',
      'GET /repos/octo-org/shop/issues/21',
      'GET /repos/octo-org/shop/issues/22',
    ]);
  });

  it('marks a task done with a comment and the factory-done label, and records failures as comments', async () => {
    const { source, server } = await backlog();
    const [t11, t12] = await source.listTasks(await source.getPrd(10));
    if (!t11 || !t12) throw new Error('tasks missing');
    server.requests.length = 0;
    await source.markDone(t11, '1111111111111111111111111111111111111111');
    await source.recordFailure(t12, {
      phase: 'tests',
      error: 'unit: command 1 exited 1',
      resumeCommand: 'factory agent run --prd 10 --backlog github',
      logFile: '/r/walk.log',
    });
    expect(server.requests.map((r) => [r.method, r.path, r.headers['content-type'], r.body])).toEqual([
      [
        'POST',
        '/repos/octo-org/shop/issues/11/comments',
        'application/json',
        { body: expect.stringContaining('Done by factory in 1111111111111111111111111111111111111111') },
      ],
      ['POST', '/repos/octo-org/shop/issues/11/labels', 'application/json', { labels: ['factory-done'] }],
      [
        'POST',
        '/repos/octo-org/shop/issues/12/comments',
        'application/json',
        {
          body: expect.stringContaining(
            'Resume with `factory agent run --prd 10 --backlog github` (log: `/r/walk.log`)',
          ),
        },
      ],
    ]);
    expect((server.requests[2]?.body as { body: string } | undefined)?.body).toContain('the tests phase failed');
  });

  it('opens a pull request from the PRD branch and links it on the PRD', async () => {
    const { source, server } = await backlog();
    const prd = await source.getPrd(10);
    server.requests.length = 0;
    const review = await source.openReview(prd, {
      branch: 'factory/prd-10',
      base: 'main',
      title: 'Checkout flow',
      body: 'Closes #11\n',
      evidence: { commits: [], tests: [], artifacts: [] },
    });
    expect(review).toEqual({
      kind: 'pull-request',
      location: 'https://github.com/octo-org/shop/pull/40',
      branch: 'factory/prd-10',
      openedAt: '2026-11-23T17:00:00Z',
    });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      [
        'POST',
        '/repos/octo-org/shop/pulls',
        { title: 'Checkout flow', head: 'factory/prd-10', base: 'main', body: 'Closes #11\n' },
      ],
      [
        'POST',
        '/repos/octo-org/shop/issues/10/comments',
        { body: expect.stringContaining('https://github.com/octo-org/shop/pull/40') },
      ],
    ]);
  });

  it('finds the existing pull request on 422, and turns 404 and 401 into clear failures', async () => {
    const { source } = await backlog('shop-edge-cases.json');
    const prd = await source.getPrd(10);
    const review = await source.openReview(prd, {
      branch: 'factory/prd-10',
      base: 'main',
      title: 't',
      body: 'b',
      evidence: { commits: [], tests: [], artifacts: [] },
    });
    expect(review.location).toBe('https://github.com/octo-org/shop/pull/40');
    await expect(source.getPrd(404)).rejects.toMatchObject({ code: 'github-api' });
    await expect(source.getPrd(11)).rejects.toMatchObject({
      code: 'github-api',
      message: 'GET /repos/octo-org/shop/issues/11 → 401: Bad credentials',
      hint: 'the token lacks access: set GITHUB_TOKEN or run "gh auth login"',
    });
  });

  it('answers whether a blocker elsewhere is done, and how a person marks a task done', async () => {
    const { source } = await backlog();
    expect(await source.isTaskDone('13')).toBe(true); // closed
    expect(await source.isTaskDone('14')).toBe(false); // open
    expect(await source.isTaskDone('404')).toBe(false); // unknown
    const tasks = await source.listTasks(await source.getPrd(10));
    expect(source.howToMarkDone(tasks[3] as (typeof tasks)[number])).toBe(
      'close https://github.com/octo-org/shop/issues/14',
    );
  });

  it('retries a GET on 502 and 429, never a write', async () => {
    const { source, server } = await backlog('shop-edge-cases.json');
    const prd = { number: 11, title: 't', body: '', state: 'ready' as const, ref: '11', location: '' };
    const tasks = await source.listTasks(prd);
    expect(tasks.map((t) => t.id)).toEqual(['11']);
    const task = tasks[0] as (typeof tasks)[number];
    await expect(source.recordFailure(task, { phase: 'agent', error: 'x', resumeCommand: 'y' })).rejects.toMatchObject({
      code: 'github-api',
    });
    expect(paths(server)).toEqual([
      'GET /repos/octo-org/shop/issues/11/sub_issues?per_page=100',
      'GET /repos/octo-org/shop/issues/11/sub_issues?per_page=100',
      'GET /repos/octo-org/shop/issues/11/sub_issues?per_page=100',
      'POST /repos/octo-org/shop/issues/11/comments',
    ]);
  });

  it('reports a 404 PRD as prd-not-found', async () => {
    const { source } = await backlog();
    await expect(source.getPrd(404)).rejects.toMatchObject({
      code: 'prd-not-found',
      message: 'no issue #404 in octo-org/shop',
    });
  });
});

describe('github helpers', () => {
  it('parses references, task lists and the Blocked by section', () => {
    expect(
      issueRefs('#1, octo-org/shop#2, other/x#3, https://github.com/octo-org/shop/issues/4, #1', 'octo-org/shop'),
    ).toEqual([1, 2, 4]);
    expect(
      taskListRefs('- [ ] #5\n* [x] https://github.com/octo-org/shop/issues/6\n- plain #7\n', 'octo-org/shop'),
    ).toEqual([5, 6]);
    expect(blockedBySection('intro #1\n## Blocked by\n- #2\n## Next\n#3')).toBe('\n- #2\n');
    expect(parseGitHubRemote('git@github.com:octo-org/shop.git')).toBe('octo-org/shop');
    expect(parseGitHubRemote('https://github.com/octo-org/shop')).toBe('octo-org/shop');
    expect(parseGitHubRemote('/srv/git/shop.git')).toBeUndefined();
  });

  it('takes the token from GITHUB_TOKEN, then GH_TOKEN, then `gh auth token`', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'fake-gh-'));
    try {
      // `gh` is not installed here; a stand-in that answers `auth token` like gh does.
      writeFileSync(join(bin, 'gh'), '#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo gho_fromgh && exit 0\nexit 1\n');
      chmodSync(join(bin, 'gh'), 0o755);
      expect(await resolveGitHubToken({ GITHUB_TOKEN: 'a', GH_TOKEN: 'b', PATH: bin })).toBe('a');
      expect(await resolveGitHubToken({ GH_TOKEN: 'b', PATH: bin })).toBe('b');
      expect(await resolveGitHubToken({ PATH: bin })).toBe('gho_fromgh');
      await expect(resolveGitHubToken({ PATH: join(bin, 'missing') })).rejects.toMatchObject({
        code: 'github-token-missing',
      });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
