import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prdBranch } from '../../src/prd/types.js';
import { walkPrd } from '../../src/prd/walk.js';
import { GitHubClient } from '../../src/backlog/github-client.js';
import { GitHubBacklog } from '../../src/backlog/github.js';
import { startReplayServer, type ReplayServer } from '../backlog/github-server.js';
import { createRepo, type TestRepo } from './helpers/repo.js';
import { FAKE_AGENT, fakeAgentRunner } from './helpers/fake-runner.js';
import { runFactory } from '../helpers/cli.js';

/**
 * A whole walk with the github backlog: recorded API responses on loopback (no live GitHub), a
 * real bare git repository as `origin`. The first push fails (origin points nowhere): nothing is
 * lost, the failure is commented on the PRD; the re-run pushes and opens the pull request.
 */
let repo: TestRepo | undefined;
let server: ReplayServer | undefined;
let bare: string | undefined;
afterEach(async () => {
  await server?.close();
  repo?.dispose();
  if (bare) rmSync(bare, { recursive: true, force: true });
  repo = server = bare = undefined;
});

describe('PRD walk with the github backlog', () => {
  it('walks the sub-issues, survives a failed push, pushes and opens the pull request', async () => {
    repo = createRepo({ 'README.md': '# shop\n' });
    bare = mkdtempSync(join(tmpdir(), 'prd-origin-'));
    execFileSync('git', ['init', '-q', '--bare', bare]);
    repo.git('remote', 'add', 'origin', join(bare, 'missing.git'));
    server = await startReplayServer('walk.json');
    const source = new GitHubBacklog({
      client: new GitHubClient({ token: 't0k', apiBase: server.url, retryDelayMs: 1 }),
      repo: 'octo-org/shop',
      branchFor: prdBranch,
    });
    const r = repo;
    const walk = () =>
      walkPrd({
        root: r.root,
        source,
        prd: 50,
        agent: fakeAgentRunner(),
        resumeCommand: 'factory agent run --prd 50 --backlog github',
      });
    const requests = (s: ReplayServer) => s.requests.map((q) => `${q.method} ${q.path}`);

    const failed = await walk();
    expect(failed).toMatchObject({ status: 'failed', phase: 'push', doneThisRun: ['51', '53'] });
    const commits = r.branchLog('factory/prd-50');
    expect(commits.map((c) => c.message.split('\n')[0])).toEqual([
      'Wishlist table',
      'Wishlist page',
      'Review: Wishlist',
    ]);
    expect(commits.map((c) => /Refs #(\S+)/.exec(c.message)?.[1])).toEqual(['51', '53', '50']);
    expect(requests(server)).toEqual([
      'GET /repos/octo-org/shop/issues/50',
      'GET /repos/octo-org/shop/pulls?head=octo-org%3Afactory%2Fprd-50&state=all&per_page=10',
      'GET /repos/octo-org/shop/issues/50/sub_issues?per_page=100',
      'POST /repos/octo-org/shop/issues/51/comments',
      'POST /repos/octo-org/shop/issues/51/labels',
      'POST /repos/octo-org/shop/issues/53/comments',
      'POST /repos/octo-org/shop/issues/53/labels',
      'POST /repos/octo-org/shop/issues/50/comments',
    ]);
    const failure = server.requests.at(-1)?.body as { body: string };
    expect(failure.body).toContain('the push phase failed');
    expect(failure.body).toContain('Resume with `factory agent run --prd 50 --backlog github`');

    // The remote is fixed; the re-run pushes what is already committed and opens the PR.
    r.git('remote', 'set-url', 'origin', bare);
    server.requests.length = 0;
    const done = await walk();
    expect(done).toMatchObject({
      status: 'reviewed',
      doneThisRun: [],
      review: { kind: 'pull-request', location: 'https://github.com/octo-org/shop/pull/60' },
    });
    expect(r.branchLog('factory/prd-50').map((c) => c.sha)).toEqual(commits.map((c) => c.sha));
    expect(
      execFileSync('git', ['rev-parse', 'refs/heads/factory/prd-50'], { cwd: bare, encoding: 'utf8' }).trim(),
    ).toBe(commits[2]?.sha);
    expect(requests(server)).toEqual([
      'GET /repos/octo-org/shop/issues/50',
      'GET /repos/octo-org/shop/pulls?head=octo-org%3Afactory%2Fprd-50&state=all&per_page=10',
      'GET /repos/octo-org/shop/issues/50/sub_issues?per_page=100',
      'POST /repos/octo-org/shop/pulls',
      'POST /repos/octo-org/shop/issues/50/comments',
    ]);
    const pr = server.requests[3]?.body as { title: string; head: string; base: string; body: string };
    expect(pr).toMatchObject({ title: 'Wishlist', head: 'factory/prd-50', base: 'main' });
    expect(pr.body).toContain('- [x] Closes #51: Wishlist table (AFK)');
    expect(pr.body).toContain('- [x] #52 Design review (HITL)');
    expect(pr.body).toContain('- [x] Closes #53: Wishlist page (AFK)');
    for (const c of commits) expect(pr.body).toContain(c.sha.slice(0, 10));
  });

  it('factory agent run --prd 50 --backlog github: token and API base from the environment, PR opened', async () => {
    repo = createRepo({ 'README.md': '# shop\n' });
    bare = mkdtempSync(join(tmpdir(), 'prd-origin-'));
    execFileSync('git', ['init', '-q', '--bare', bare]);
    repo.git('remote', 'add', 'origin', bare);
    server = await startReplayServer('walk.json');
    const result = await runFactory(
      [
        'agent',
        'run',
        '--prd',
        '50',
        '--backlog',
        'github',
        '--repo',
        'octo-org/shop',
        '--agent',
        'command',
        '--command',
        FAKE_AGENT,
        '--sandbox',
        'none',
      ],
      { cwd: repo.root, env: { GITHUB_TOKEN: 'ghs_fromenv', GH_TOKEN: undefined, FACTORY_GITHUB_API: server.url } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('review opened: https://github.com/octo-org/shop/pull/60');
    expect(result.stderr).toContain('✓ pushed factory/prd-50 to origin');
    expect(new Set(server.requests.map((q) => q.headers.authorization))).toEqual(new Set(['Bearer ghs_fromenv']));
    expect(server.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/pulls'))).toHaveLength(1);
  });
});
