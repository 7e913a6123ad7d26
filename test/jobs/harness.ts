/**
 * A job test rig: a private git repository made from examples/diffie (its tracked files, one
 * commit), a job store of its own, the fake agent on PATH as `claude` (in a directory bwrap can see:
 * the sandbox hides /tmp), and the real `factory` binary. `dispose()` stops every job instance,
 * kills the workers it started and removes everything.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteJobStore } from '../../src/jobs/store/sqlite.js';
import type { JobStore } from '../../src/jobs/store/types.js';
import type { Job, JobManifest } from '../../src/jobs/types.js';
import { copyDiffie } from '../diffie/fixture.js';
import { FACTORY_BIN, REPO_ROOT, runFactory, type RunResult } from '../helpers/cli.js';

export const FAKE_AGENT = join(REPO_ROOT, 'test/fixtures/agents/fake-agent.mjs');

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface Rig {
  root: string;
  repo: string;
  env: Record<string, string>;
  factory(args: string[], timeoutMs?: number): Promise<RunResult>;
  /** A `factory worker` process; its output is collected in `output()`. */
  worker(args?: string[]): { child: ChildProcess; output(): string };
  store(): JobStore;
  manifest(jobId: string): JobManifest;
  dispose(): Promise<void>;
}

export function diffieRig(): Rig {
  const root = mkdtempSync(join(tmpdir(), 'factory-jobs-'));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  copyDiffie(repo);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.name', 'Test User');
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'diffie');
  const bin = join(REPO_ROOT, 'node_modules', '.cache', 'factory-job-tests', `${process.pid}-${root.slice(-6)}`);
  mkdirSync(bin, { recursive: true });
  symlinkSync(FAKE_AGENT, join(bin, 'claude'));
  const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, FACTORY_JOB_STORE: join(root, 'jobs.db') };
  const workers: ChildProcess[] = [];
  const stores: JobStore[] = [];
  return {
    root,
    repo,
    env,
    factory: (args, timeoutMs = 300_000) => runFactory(args, { cwd: repo, env, timeoutMs }),
    worker(args = []) {
      const child = spawn(process.execPath, [FACTORY_BIN, 'worker', ...args], {
        cwd: repo,
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (d) => (out += d));
      child.stderr?.on('data', (d) => (out += d));
      workers.push(child);
      return { child, output: () => out };
    },
    store() {
      const s = openSqliteJobStore(env.FACTORY_JOB_STORE);
      stores.push(s);
      return s;
    },
    manifest: (jobId) =>
      JSON.parse(readFileSync(join(repo, '.factory', 'jobs', jobId, 'job.json'), 'utf8')) as JobManifest,
    async dispose() {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
      for (const s of stores) await s.close();
      const worktrees = join(repo, '.factory', 'worktrees');
      for (const id of existsSync(worktrees) ? readdirSync(worktrees) : []) {
        if (existsSync(join(worktrees, id, 'factory.yaml')))
          await runFactory(['stop', '--worktree-id', id], { cwd: join(worktrees, id), env, timeoutMs: 60_000 });
      }
      rmSync(bin, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The request a test sends: the words, and the fake agent's script for every role (data to the factory). */
export function request(words: string, roles: Record<string, unknown>): string {
  return `${words}\n\n<fake-roles>${JSON.stringify(roles)}</fake-roles>\n`;
}

export const approve = (summary = 'Looks right') => [
  { answer: { tag: 'verdict', json: { verdict: 'approve', summary, findings: [], risks: ['none found'] } } },
];

/** The happy path's builder: a project count in the header of diffie's page. */
export const showCount = [
  {
    replace: 'web/index.html',
    find: '<h1>Diffie</h1>',
    with: '<h1>Diffie</h1>\n      <span id="project-count" class="pill"></span>',
  },
  {
    replace: 'web/app.js',
    find: "  $('count').textContent = `(${projects.length})`;",
    with: "  $('count').textContent = `(${projects.length})`;\n  $('project-count').textContent = `${projects.length} project${projects.length === 1 ? '' : 's'}`;",
  },
  { commit: 'Show the number of projects in the page header' },
  { say: 'Done: the header shows the count. <promise>COMPLETE</promise>' },
];

export function plan(browserSteps: unknown[] = [], extra: Record<string, unknown> = {}) {
  return [
    {
      answer: {
        tag: 'plan',
        json: {
          summary: 'Show how many projects there are next to the page title.',
          steps: ['Add a #project-count pill to the header in web/index.html', 'Fill it in render() in web/app.js'],
          files: ['web/index.html', 'web/app.js'],
          acceptanceCriteria: [
            { id: 'AC1', text: 'The header shows "N projects"', proof: 'browser' },
            { id: 'AC2', text: 'The unit tests still pass', proof: 'test' },
          ],
          browserSteps,
          risk: 'low',
          rollback: 'Revert the commit; no data changes.',
          ...extra,
        },
      },
    },
  ];
}

/** The feature scenario's steps: the count is shown, and follows a new project. */
export const countSteps = [
  { action: 'wait_for', selector: '#live[data-state="live"]', timeoutMs: 15000, name: 'realtime connected' },
  {
    action: 'wait_for',
    selector: '#project-count:text-matches("^[0-9]+ projects?$")',
    timeoutMs: 10000,
    name: 'the count is shown',
  },
  { action: 'fill', selector: '#name', value: 'Counted ${NOT_A_VARIABLE}' },
  { action: 'click', selector: '#create' },
  { action: 'wait_for', selector: '#project-count:text-is("2 projects")', timeoutMs: 10000, name: 'the count follows' },
];

export async function waitFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 240_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
}

export async function jobIn(store: JobStore, states: Job['state'][], jobId: string): Promise<Job> {
  return waitFor(`job ${jobId} in ${states.join('|')}`, async () => {
    const j = await store.get(jobId);
    return j && states.includes(j.state) ? j : undefined;
  });
}
