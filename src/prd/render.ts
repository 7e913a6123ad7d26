/**
 * Human rendering of a PRD walk: progress events on stderr as they happen, one summary per PRD on
 * stdout at the end. The `--json` renderer is ./schema.ts; both consume the same events/results.
 */
import { colors, eprintln, println } from '../lib/output.js';
import type { BatchResult } from './batch.js';
import type { WalkEvent, WalkResult } from './types.js';

export function renderEvent(e: WalkEvent): void {
  switch (e.type) {
    case 'start':
      eprintln(
        `${colors.cyan('→')} PRD ${e.prd.number} ${colors.bold(e.prd.title)} ${colors.dim(`(log: ${e.logFile})`)}`,
      );
      return;
    case 'worktree':
      eprintln(colors.dim(`  worktree ${e.path} on ${e.branch}${e.reused ? ' (reused)' : ''}`));
      return;
    case 'took-over':
      eprintln(
        `${colors.yellow('!')} the previous run (pid ${e.fromPid}) died; took over its lock${e.killed.length ? ` and stopped its leftover processes (${e.killed.join(', ')})` : ''}`,
      );
      return;
    case 'task-start':
      eprintln(`${colors.cyan('→')} task #${e.task.id} ${e.task.title} ${colors.dim('(AFK)')}`);
      return;
    case 'task-done':
      eprintln(
        `${colors.green('✓')} task #${e.task.id} ${e.reconciled ? 'was already committed' : 'committed'} ${colors.dim(e.sha.slice(0, 10))}${e.changed ? '' : colors.dim(' (no changes needed)')}`,
      );
      return;
    case 'tests':
      if (e.result.suites.length === 0) eprintln(colors.dim(`  tests: ${e.result.skipped ?? 'none'}`));
      for (const s of e.result.suites)
        eprintln(`  ${s.ok ? colors.green('✓') : colors.red('✗')} tests ${s.suite}: ${s.summary}`);
      return;
    case 'review-start':
      eprintln(`${colors.cyan('→')} every task is done: review iteration`);
      return;
    case 'pushed':
      eprintln(`${colors.green('✓')} pushed ${e.branch} to ${e.remote}`);
      return;
    case 'warning':
      eprintln(`${colors.yellow('warning')} ${e.message}`);
      return;
  }
}

export function renderResult(r: WalkResult): void {
  const head = `PRD ${r.prd}${r.title ? ` "${r.title}"` : ''}`;
  switch (r.status) {
    case 'nothing-to-do':
      println(`${colors.dim('–')} ${head}: nothing to do (${r.reason})`);
      return;
    case 'paused':
      println(`${colors.yellow('⏸')} ${r.message}`);
      if (r.worktree) println(colors.dim(`  worktree kept: ${r.worktree}`));
      return;
    case 'failed':
      println(
        `${colors.red('✗')} ${head} failed in the ${r.phase} phase${r.task ? ` at task #${r.task.id}` : ''}: ${r.error}`,
      );
      if (r.worktree) println(colors.dim(`  worktree kept: ${r.worktree}`));
      if (r.logFile) println(colors.dim(`  log: ${r.logFile}`));
      println(`  resume: ${r.resumeCommand}`);
      return;
    case 'interrupted':
      println(
        `${colors.yellow('■')} ${head} interrupted during ${r.phase}; nothing was lost. Resume: ${r.resumeCommand}`,
      );
      return;
    case 'reviewed':
      println(
        `${colors.green('✓')} ${head}: every task done (${r.commits.length} commits on ${r.branch}); review opened: ${r.review.location}`,
      );
      return;
  }
}

export function renderBatch(batch: BatchResult, mode: 'prd' | 'batch' = 'batch'): void {
  for (const s of batch.skipped) println(`${colors.dim('–')} PRD ${s.prd} "${s.title}": skipped, ${s.reason}`);
  for (const r of batch.results) renderResult(r);
  if (mode === 'prd') return;
  const count = (s: WalkResult['status']) => batch.results.filter((r) => r.status === s).length;
  println(
    `${batch.results.length} PRD${batch.results.length === 1 ? '' : 's'} walked: ${count('reviewed')} reviewed, ${count('paused')} paused, ${count('failed')} failed, ${count('nothing-to-do')} with nothing to do; ${batch.skipped.length} skipped`,
  );
}
