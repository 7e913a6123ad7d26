/**
 * Workers on other machines (`factory worker --store postgres://… --repo-url <remote>`, ADR 0151):
 * a job queued in the shared store names its repository's remote; the worker keeps a clone of it
 * per remote under its own state dir, runs the job there, and pushes the job's branch back before
 * every transition — so the store never records a state whose commits only one machine has.
 *
 * - **The clone**: `<state dir>/clones/<name>-<hash>`, HEAD detached (so a fetch may move every
 *   local branch but the job branches), the job's base fetched before each job.
 * - **Taking a job over**: the branch the remote has (what the previous worker pushed) becomes
 *   the local branch, its worktree is made here, and the job's paths (worktree, sandbox state)
 *   are rewritten to this machine's; what the dead machine had only locally is redone.
 * - **Push**: plain `git push` of `factory/<id>`, never forced: a worker that lost its lease and
 *   wakes up later cannot overwrite its successor's branch (the push is refused).
 * - **The view**: the worker sees every job's `repo` as its clone (stages use `job.repo` for git,
 *   the job folder and the scratch worktrees), and its own port range. The store keeps the path it
 *   was queued from.
 *
 * The evidence travels with the review request (the publisher): the local one writes the review
 * page in the clone; the GitHub publisher (src/publish/github) pushes it to the evidence
 * branch.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { createWorktree, git, gitRaw } from '../sandboxes/index.js';
import { branchOf } from './ids.js';
import type { JobStore } from './store/types.js';
import type { Job } from './types.js';

/** scp-like `host:path` or a URL with a scheme: left as written. A local path: made absolute. */
export function normalizeRemote(url: string, cwd = process.cwd()): string {
  const trimmed = url.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed.replace(/\/+$/, '');
  if (/^[^/\\]+@?[^/\\]*:/.test(trimmed) && !isAbsolute(trimmed)) return trimmed;
  return resolve(cwd, trimmed).replace(/\/+$/, '');
}

/** The repository's `origin` remote, normalized; undefined when it has none. */
export async function originOf(repo: string): Promise<string | undefined> {
  const r = await gitRaw(repo, ['remote', 'get-url', 'origin']);
  if (r.exitCode !== 0 || r.stdout.trim() === '') return undefined;
  return normalizeRemote(r.stdout.trim(), repo);
}

export function cloneDirOf(clonesDir: string, remote: string): string {
  const name = basename(remote.replace(/\.git$/, '')).replace(/[^A-Za-z0-9._-]/g, '_') || 'repo';
  const hash = createHash('sha256').update(remote).digest('hex').slice(0, 10);
  return join(clonesDir, `${name}-${hash}`);
}

/** One git operation at a time on a clone (a worker may run several jobs of it at once). */
const locks = new Map<string, Promise<unknown>>();
function serialized<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(dir) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  locks.set(
    dir,
    next.catch(() => {}),
  );
  return next;
}

function gitFailure(what: string, stderr: string, hint: string): FactoryFailure {
  return new FactoryFailure('remote-git-failed', `${what}: ${stderr.trim().split('\n').at(-1) ?? ''}`, {
    exitCode: ExitCode.unavailable,
    hint,
    details: { logTail: stderr.slice(-4000) },
  });
}

export interface RemoteRepo {
  remote: string;
  /** The clone's root. */
  dir: string;
  /** Clone (first time) and fetch the base; then make the job's branch and paths this machine's. */
  prepare(store: JobStore, job: Job, workerId: string): Promise<Job>;
  /** Push the job's branch when it has commits the remote lacks (never forced). */
  push(job: Job): Promise<void>;
}

export function remoteRepo(remote: string, clonesDir: string): RemoteRepo {
  const dir = cloneDirOf(clonesDir, remote);
  const ensureClone = async () => {
    if (existsSync(join(dir, '.git'))) return;
    await mkdir(clonesDir, { recursive: true });
    const r = await gitRaw(clonesDir, ['clone', '--quiet', '--', remote, dir]);
    if (r.exitCode !== 0) {
      throw gitFailure(
        `cannot clone ${remote}`,
        r.stderr,
        'check that this machine can reach the remote (git ls-remote <url>)',
      );
    }
    // Detached: a fetch may then update any local branch, the base included.
    await git(dir, ['checkout', '--quiet', '--detach']);
  };
  const fetch = async (refspec: string) => gitRaw(dir, ['fetch', '--quiet', 'origin', refspec]);

  return {
    remote,
    dir,
    async prepare(store, job, workerId) {
      const branch = branchOf(job.id);
      await serialized(dir, async () => {
        await ensureClone();
        const base = await fetch(`+refs/heads/${job.config.base}:refs/heads/${job.config.base}`);
        if (base.exitCode !== 0) {
          throw gitFailure(
            `cannot fetch ${job.config.base} from ${remote}`,
            base.stderr,
            "check the remote and the job's base branch",
          );
        }
        // The root follows the base: the planner reads the contract (factory.yaml) there.
        await gitRaw(dir, ['checkout', '--quiet', '--detach', `refs/heads/${job.config.base}`]);
        // What the previous holder pushed (absent for a new job: nothing to take over).
        const pushed = await fetch(`+refs/heads/${branch}:refs/remotes/origin/${branch}`);
        if (pushed.exitCode !== 0) return;
        const local = await gitRaw(dir, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`]);
        if (local.exitCode !== 0) {
          await git(dir, ['branch', '--quiet', '--no-track', branch, `refs/remotes/origin/${branch}`]);
          return;
        }
        // This machine had it before: move forward to what was pushed since; never drop local commits.
        const behind = await gitRaw(dir, [
          'merge-base',
          '--is-ancestor',
          `refs/heads/${branch}`,
          `refs/remotes/origin/${branch}`,
        ]);
        if (behind.exitCode !== 0) return;
        const checkedOut = join(dir, '.factory', 'worktrees', job.id);
        if (existsSync(checkedOut))
          await git(checkedOut, ['merge', '--quiet', '--ff-only', `refs/remotes/origin/${branch}`]);
        else await git(dir, ['branch', '--quiet', '-f', branch, `refs/remotes/origin/${branch}`]);
      });
      const wt = job.data.worktree;
      if (!wt) return job;
      const here = await createWorktree({ repo: dir, branchStrategy: { type: 'branch', branch }, name: job.id });
      const sandbox = job.data.sandbox;
      const stateDir = join(dir, '.factory', 'sandboxes', job.id);
      if (wt.path === here.path && (!sandbox || sandbox.stateDir === stateDir)) return job;
      if (sandbox) await mkdir(stateDir, { recursive: true });
      return store.update(
        job.id,
        {
          data: {
            ...job.data,
            worktree: { ...wt, path: here.path },
            ...(sandbox ? { sandbox: { ...sandbox, stateDir } } : {}),
          },
        },
        { workerId },
      );
    },
    async push(job) {
      const branch = branchOf(job.id);
      await serialized(dir, async () => {
        const head = await gitRaw(dir, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`]);
        if (head.exitCode !== 0) return;
        const known = await gitRaw(dir, ['rev-parse', '--verify', '-q', `refs/remotes/origin/${branch}`]);
        if (known.exitCode === 0 && known.stdout.trim() === head.stdout.trim()) return;
        const r = await gitRaw(dir, ['push', '--quiet', 'origin', `refs/heads/${branch}:refs/heads/${branch}`]);
        if (r.exitCode !== 0) {
          throw gitFailure(
            `cannot push ${branch} to ${remote}`,
            r.stderr,
            'a refused push means the remote branch moved on (another worker holds the job now) or this machine may not push there',
          );
        }
        await git(dir, ['update-ref', `refs/remotes/origin/${branch}`, head.stdout.trim()]);
      });
    },
  };
}

/**
 * The store as a remote worker sees it: every job's `repo` is its clone, and its port range
 * replaces the one the job was queued with (ports are this machine's business).
 */
export function localView(store: JobStore, repo: RemoteRepo, portRange: number | undefined): JobStore {
  const local = (job: Job): Job =>
    job.remote !== repo.remote
      ? job
      : { ...job, repo: repo.dir, config: portRange === undefined ? job.config : { ...job.config, portRange } };
  const maybe = (job: Job | undefined) => (job ? local(job) : undefined);
  return {
    backend: store.backend,
    location: store.location,
    pushes: store.pushes,
    wait: (topic, ms, signal) => store.wait(topic, ms, signal),
    create: async (job) => local(await store.create(job)),
    get: async (id) => maybe(await store.get(id)),
    list: async (filter) => (await store.list(filter)).map(local),
    transition: async (id, request, patch, options) => local(await store.transition(id, request, patch, options)),
    update: async (id, patch, options) => local(await store.update(id, patch, options)),
    append: (id, event, options) => store.append(id, event, options),
    events: (options) => store.events(options),
    saveChatMessage: (message) => store.saveChatMessage(message),
    chatMessages: (filter) => store.chatMessages(filter),
    lastEventId: () => store.lastEventId(),
    claim: async (options) => maybe(await store.claim(options)),
    heartbeat: (id, workerId, leaseMs) => store.heartbeat(id, workerId, leaseMs),
    release: (id, workerId) => store.release(id, workerId),
    cancel: async (id, message, isLeaseDead) => {
      const r = await store.cancel(id, message, isLeaseDead);
      return { ...r, job: local(r.job) };
    },
    close: () => store.close(),
  };
}
