/**
 * The PRD walker: take a PRD's tasks in order; run each AFK task whose blockers are done with an
 * agent in the PRD's worktree (branch `factory/prd-N`), test, and record it in the ledger (one
 * commit with `Refs #<task>`); stop at a HITL task with the command to resume; when every task is
 * done, run a review iteration and open the review (review.ts).
 *
 * Idempotent by construction: what is done is read from the backlog and the ledger on every run,
 * so re-running after a pause, a failure or a SIGKILL continues where the last run stopped and
 * never commits a task twice. The worktree is never removed on pause or failure.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Task } from '../backlog/index.js';
import { ExitCode, isFactoryFailure } from '../lib/failure.js';
import { createWorktree as defaultCreateWorktree } from '../sandboxes/index.js';
import { git, gitRaw } from '../sandboxes/index.js';
import { commitLedger, readLedger } from './ledger.js';
import { acquireLock } from './lock.js';
import { DEFAULT_PHASE_TIMEOUTS, isPhaseError, PhaseError, runPhase } from './phase.js';
import { buildTaskPrompt } from './prompt.js';
import { reviewAndPublish } from './review.js';
import { contractTestRunner } from './test-runner.js';
import { clearAttempt, newRunId, prdStateDir, readAttempt, RunLog, writeAttempt } from './state.js';
import { killProcessesIn } from './strays.js';
import { prdBranch, type WalkContext, type WalkOptions, type WalkResult, type WalkStop } from './types.js';

/** The branch the PRD branch was made from, remembered so later runs compare against the same one. */
async function baseBranchFor(stateDir: string, root: string, requested: string | undefined): Promise<string> {
  const file = join(stateDir, 'base.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { baseBranch?: string };
    if (saved.baseBranch && !requested) return saved.baseBranch;
  } catch {
    // first run
  }
  const current = await gitRaw(root, ['symbolic-ref', '--short', '-q', 'HEAD']);
  // A detached checkout has no branch to name: remember the commit, which merge-base understands.
  const baseBranch =
    requested ?? (current.exitCode === 0 ? current.stdout.trim() : await git(root, ['rev-parse', 'HEAD']));
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, `${JSON.stringify({ baseBranch }, null, 2)}\n`);
  return baseBranch;
}

/** The FactoryFailure a failed phase wrapped, so user mistakes keep their code, exit code and diagnostics. */
function unwrap(error: unknown): unknown {
  return isPhaseError(error) && error.reason === 'failed' && isFactoryFailure(error.cause) ? error.cause : error;
}

function errorText(error: unknown): string {
  if (isPhaseError(error)) return error.message;
  if (isFactoryFailure(error)) return error.message + (error.hint ? ` (${error.hint})` : '');
  return error instanceof Error ? error.message : String(error);
}

export async function walkPrd(options: WalkOptions): Promise<WalkResult> {
  const { source, root } = options;
  const branch = prdBranch(options.prd);
  const timeouts = { ...DEFAULT_PHASE_TIMEOUTS, ...options.timeouts };
  const doneThisRun: string[] = [];
  const resumeCommand = options.resumeCommand;

  const prd = await runPhase('backlog', timeouts.backlog, options.signal, () => source.getPrd(options.prd)).catch(
    (e: unknown) => {
      throw unwrap(e);
    },
  );
  const base = { prd: prd.number, title: prd.title, branch, doneThisRun };
  if (prd.review)
    return { ...base, status: 'nothing-to-do', reason: `already reviewed: ${prd.review.location}`, review: prd.review };
  if (prd.state === 'done') return { ...base, status: 'nothing-to-do', reason: 'the PRD is closed' };

  const stateDir = prdStateDir(root, prd.number);
  const runId = newRunId();
  const log = new RunLog(join(stateDir, 'runs', runId));
  const emit = (event: Parameters<NonNullable<WalkOptions['onEvent']>>[0]) => {
    log.write(`${event.type} ${JSON.stringify(event, (k, v) => (k === 'type' || k === 'body' ? undefined : v))}`);
    options.onEvent?.(event);
  };
  const lock = await acquireLock(join(stateDir, 'lock.json'), runId, `PRD ${prd.number}`);
  const withLog = { ...base, logFile: log.file };
  let phase = 'worktree';
  let current: Task | undefined;
  let worktreePath: string | undefined;
  try {
    emit({ type: 'start', prd, runId, logFile: log.file });
    const baseBranch = await baseBranchFor(stateDir, root, options.baseBranch);
    const create = options.createWorktree ?? defaultCreateWorktree;
    const worktree = await runPhase('worktree', timeouts.worktree, options.signal, (signal) =>
      create({ repo: root, branchStrategy: { type: 'branch', branch, baseBranch }, name: `prd-${prd.number}`, signal }),
    );
    worktreePath = worktree.path;
    emit({ type: 'worktree', path: worktree.path, branch, reused: !worktree.isNew });
    if (lock.tookOverFrom) {
      // The previous walker died; its agent may still be editing the worktree.
      const killed = await killProcessesIn(worktree.path, { startedAfter: lock.tookOverFrom.startTime });
      emit({ type: 'took-over', fromPid: lock.tookOverFrom.pid, killed });
    }
    const forkPoint = await git(worktree.path, ['merge-base', 'HEAD', baseBranch]).catch(() => worktree.baseCommit);
    phase = 'backlog';
    const tasks = await runPhase('backlog', timeouts.backlog, options.signal, () => source.listTasks(prd));
    if (tasks.length === 0)
      return { ...withLog, worktree: worktree.path, status: 'nothing-to-do', reason: 'the PRD has no tasks yet' };
    const ctx: WalkContext = {
      options,
      source,
      prd,
      tasks,
      worktree,
      base: forkPoint,
      baseBranch,
      stateDir,
      timeouts,
      log,
      emit,
      doneThisRun,
    };
    const result = await walkTasks(
      ctx,
      (t) => (current = t),
      (p) => (phase = p),
    );
    if (result) return { ...withLog, worktree: worktree.path, ...result };
    current = undefined;
    phase = 'review';
    return { ...withLog, worktree: worktree.path, ...(await reviewAndPublish(ctx, (p) => (phase = p))) };
  } catch (error) {
    const failedPhase = isPhaseError(error) ? error.phase : phase;
    const at = { ...withLog, ...(worktreePath ? { worktree: worktreePath } : {}) };
    if (isPhaseError(error) && error.reason === 'interrupted') {
      log.write(`interrupted during ${failedPhase}`);
      return { ...at, status: 'interrupted', phase: failedPhase, resumeCommand };
    }
    const inner = unwrap(error);
    // A mistake in the input (an invalid task file) is the user's to fix, not a task failure to record.
    if (isFactoryFailure(inner) && inner.exitCode === ExitCode.invalid) {
      log.write(`stopped: ${inner.message}`);
      throw inner;
    }
    const message = errorText(error);
    log.write(`failed in ${failedPhase}: ${message}`);
    const subject: Task = current ?? {
      id: prd.ref,
      position: 0,
      title: prd.title,
      body: '',
      kind: 'afk',
      state: 'open',
      blockedBy: [],
      location: prd.location,
    };
    try {
      await runPhase('backlog', timeouts.backlog, undefined, () =>
        source.recordFailure(subject, { phase: failedPhase, error: message, resumeCommand, logFile: log.file }),
      );
    } catch (recordError) {
      log.write(`could not record the failure in the backlog: ${errorText(recordError)}`);
    }
    if (current) {
      const attempt = await readAttempt(stateDir);
      if (attempt?.ref === current.id)
        await writeAttempt(stateDir, { ...attempt, lastError: `${failedPhase}: ${message}` });
    }
    return {
      ...at,
      status: 'failed',
      ...(current ? { task: current } : {}),
      phase: failedPhase,
      error: message,
      resumeCommand,
    };
  } finally {
    await lock.release();
  }
}

/** The task loop. Returns a stopping result (pause), or undefined when every task is done. */
async function walkTasks(
  ctx: WalkContext,
  setCurrent: (t: Task | undefined) => void,
  setPhase: (p: string) => void,
): Promise<WalkStop<'paused'> | undefined> {
  const { source, prd, tasks, worktree, timeouts, options } = ctx;
  const ledger = await readLedger(worktree.path, ctx.base);
  const ledgerByRef = new Map(ledger.filter((e) => e.phase === 'task').map((e) => [e.ref, e.sha]));
  const done = new Set(tasks.filter((t) => t.state === 'done').map((t) => t.id));

  // Mirror ledger commits the backlog does not show yet (a run killed between commit and markDone).
  for (const task of tasks) {
    const sha = ledgerByRef.get(task.id);
    if (!sha) continue;
    done.add(task.id);
    if (task.state === 'open') {
      await runPhase('backlog', timeouts.backlog, options.signal, () => source.markDone(task, sha));
      ctx.doneThisRun.push(task.id);
      ctx.emit({ type: 'task-done', task, sha, changed: true, reconciled: true });
    }
  }

  for (const task of tasks) {
    if (done.has(task.id)) continue;
    setCurrent(task);
    if (task.kind === 'hitl') {
      const why = task.kindNote ? ` (treated as HITL: ${task.kindNote})` : '';
      const message = `PRD ${prd.number} paused at task #${task.id} "${task.title}": it is a HITL task for a person${why}. Do it, ${source.howToMarkDone(task)}, then run: ${options.resumeCommand}`;
      ctx.log.write(message);
      return { status: 'paused', task, reason: 'hitl', message, resumeCommand: options.resumeCommand };
    }
    const blockers = [];
    for (const id of task.blockedBy) {
      if (done.has(id) || ledgerByRef.has(id)) continue;
      const inPrd = tasks.some((t) => t.id === id);
      const elsewhere =
        !inPrd && (await runPhase('backlog', timeouts.backlog, options.signal, () => source.isTaskDone(id)));
      if (!elsewhere) blockers.push(id);
    }
    if (blockers.length > 0) {
      const message = `PRD ${prd.number} paused at task #${task.id} "${task.title}": blocked by ${blockers.map((b) => `#${b}`).join(', ')}, not done yet. Finish those, then run: ${options.resumeCommand}`;
      ctx.log.write(message);
      return { status: 'paused', task, reason: 'blocked', message, resumeCommand: options.resumeCommand };
    }
    const sha = await runAfkTask(ctx, task, done, setPhase);
    done.add(task.id);
    ctx.doneThisRun.push(task.id);
    setPhase('backlog');
    try {
      await runPhase('backlog', timeouts.backlog, options.signal, () => source.markDone(task, sha));
    } catch (error) {
      if (isPhaseError(error) && error.reason === 'interrupted') throw error;
      // The ledger commit is the truth; the next run mirrors it again.
      ctx.emit({
        type: 'warning',
        message: `task #${task.id} is done (${sha.slice(0, 10)}) but the backlog was not updated: ${errorText(error)}`,
      });
    }
  }
  setCurrent(undefined);
  return undefined;
}

/** One AFK task: agent → tests → ledger commit. Returns the ledger commit. */
async function runAfkTask(
  ctx: WalkContext,
  task: Task,
  done: Set<string>,
  setPhase: (p: string) => void,
): Promise<string> {
  const { prd, tasks, worktree, timeouts, options, stateDir } = ctx;
  ctx.emit({ type: 'task-start', task });
  const head = await git(worktree.path, ['rev-parse', 'HEAD']);
  const previous = await readAttempt(stateDir);
  const resumed =
    previous?.ref === task.id &&
    (await gitRaw(worktree.path, ['merge-base', '--is-ancestor', previous.start, 'HEAD'])).exitCode === 0;
  const attempt = resumed && previous ? previous : { ref: task.id, start: head, runId: '' };
  await writeAttempt(stateDir, { ...attempt, runId: basename(ctx.log.dir) });
  const label = `task-${String(task.position).padStart(2, '0')}`;

  setPhase('agent');
  const prompt = buildTaskPrompt({
    prd,
    task,
    done: tasks.filter((t) => done.has(t.id)),
    remaining: tasks.filter((t) => !done.has(t.id) && t.id !== task.id),
    branch: worktree.branch,
    ...(attempt.lastError ? { previousFailure: attempt.lastError } : {}),
  });
  const outcome = await runPhase('agent', timeouts.agent, options.signal, (signal) =>
    options.agent.runTask({
      worktree,
      prompt,
      signal,
      logFile: ctx.log.path(`${label}-agent.log`),
      name: `prd-${prd.number}-${label}`,
    }),
  );
  ctx.log.write(
    `agent ${outcome.outcome}${outcome.sessionId ? ` session ${outcome.sessionId}` : ''}${outcome.message ? `: ${outcome.message}` : ''}`,
  );
  if (outcome.outcome === 'failed' || outcome.outcome === 'incomplete') {
    throw new PhaseError(
      'agent',
      `the agent ${outcome.outcome === 'failed' ? 'failed' : 'stopped before finishing'}${outcome.message ? `: ${outcome.message}` : ''}`,
      'failed',
    );
  }

  setPhase('tests');
  const tests = await runPhase('tests', timeouts.tests, options.signal, (signal) =>
    (options.tests ?? contractTestRunner).run({ worktree, signal, logDir: ctx.log.dir, label }),
  );
  ctx.emit({ type: 'tests', label, result: tests });
  if (!tests.ok) {
    const failed = tests.suites
      .filter((s) => !s.ok)
      .map((s) => `${s.suite}: ${s.summary}${s.logFile ? ` (${s.logFile})` : ''}`);
    throw new PhaseError('tests', `tests failed after task #${task.id}: ${failed.join('; ')}`, 'failed');
  }

  setPhase('commit');
  const body = outcome.outcome === 'no-changes' ? 'The agent changed nothing: the task needed no change.' : undefined;
  const commit = await runPhase('commit', timeouts.commit, options.signal, () =>
    commitLedger({
      worktree: worktree.path,
      start: attempt.start,
      title: task.title,
      ref: task.id,
      phase: 'task',
      ...(body ? { body } : {}),
    }),
  );
  await clearAttempt(stateDir);
  ctx.emit({ type: 'task-done', task, sha: commit.sha, changed: commit.changed, reconciled: false });
  return commit.sha;
}
