/**
 * The github publisher through the jobs layer on a repository without a factory.yaml (no instance,
 * tests or browser: the agent stages alone, fast): GitHub failing at publish fails the job with the
 * reason and `job retry --run` opens the pull request once; `worker --publisher github` publishes a
 * job that chose nothing, and a worker's sync closes the job whose pull request was closed.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runFactory } from '../../helpers/cli.js';
import { expectSchema } from '../../services/helpers.js';
import { approve, diffieRig, git, plan, request, type Rig } from '../../jobs/harness.js';
import { startFakeGitHub, type FakeGitHub } from './server.js';

let rig: Rig;
let gh: FakeGitHub;
let bare: string;
const env = () => ({
  ...rig.env,
  GITHUB_TOKEN: gh.token,
  FACTORY_GITHUB_API: gh.url,
  FACTORY_GITHUB_REPO: 'acme/diffie',
});
const factory = (args: string[]) => runFactory(args, { cwd: rig.repo, env: env(), timeoutMs: 180_000 });

beforeAll(async () => {
  rig = diffieRig({ plain: true });
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

const roles = (file: string) => ({
  planner: plan(),
  builder: [{ write: file, content: 'hello\n' }, { commit: `Add ${file}` }, { say: '<promise>COMPLETE</promise>' }],
  reviewer: approve('Adds the file.'),
});

describe('github through the jobs layer', () => {
  it('GitHub down at publish: the job fails with the reason; job retry --run opens the pull request once', {
    timeout: 300_000,
  }, async () => {
    gh.fail({ method: 'POST', path: /\/pulls$/, status: 502, times: 2 });
    const r = await factory([
      'job',
      'run',
      request('Add a greeting file', roles('hello.txt')),
      '--publisher',
      'github',
      '--sandbox',
      'none',
      '--json',
    ]);
    const m = JSON.parse(r.stdout);
    expectSchema('job', m);
    expect(r.code).toBe(1);
    expect(m.state).toBe('failed');
    expect(m.failure).toMatchObject({ stage: 'publish', state: 'video_recorded', code: 'github-api' });
    expect(m.failure.message).toContain('502');
    // The push had happened: nothing is lost, the branch is on the remote.
    expect(git(bare, 'rev-parse', `factory/${m.id}`)).toBe(m.head);
    expect(gh.pulls).toHaveLength(0);
    const again = await factory(['job', 'retry', m.id, '--run', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const after = rig.manifest(m.id);
    expect(after.state).toBe('ready_for_human_review');
    expect(after.reviewRequest).toEqual({ publisher: 'github', url: `${gh.web}/acme/diffie/pull/1` });
    expect(gh.pulls).toHaveLength(1);
    // Two refused creates (no retry of a write inside an attempt: one per publish attempt), one that worked.
    expect(gh.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/pulls'))).toHaveLength(3);
    expect(gh.reviews.map((x) => x.state)).toEqual(['COMMENTED']);
  });

  it('worker --publisher github publishes a job that chose nothing; a worker syncs its closed pull request', {
    timeout: 300_000,
  }, async () => {
    const queued = await factory([
      'job',
      'new',
      request('Add a second greeting file', roles('hello2.txt')),
      '--sandbox',
      'none',
      '--json',
    ]);
    expect(queued.code, queued.stderr).toBe(0);
    const id = JSON.parse(queued.stdout).id as string;
    const w = await factory(['worker', '--publisher', 'github', '--until-idle']);
    expect(w.code, w.stderr).toBe(0);
    const m = rig.manifest(id);
    expect(m.state).toBe('ready_for_human_review');
    expect(m.reviewRequest?.publisher).toBe('github');
    const pull = gh.pulls.find((p) => p.head === `factory/${id}`);
    expect(pull?.labels).toContain('factory-generated');
    if (!pull) throw new Error('no pull request');
    pull.state = 'closed';
    // A worker with no publisher flag: the job stays with the publisher of its review request.
    const sync = await factory(['worker', '--until-idle']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(rig.manifest(id).state).toBe('closed');
    const list = JSON.parse((await factory(['job', 'sync', '--json'])).stdout);
    expectSchema('job-sync', list);
    expect(list.jobs.map((j: { id: string }) => j.id)).not.toContain(id);
  });
});
