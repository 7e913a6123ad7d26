/**
 * The done ledger: commits on the PRD branch. A task is done when the branch (since it left its
 * base) holds a commit whose message ends with
 *
 *   Refs #<task id>
 *   Factory-Phase: task
 *
 * written by the outer process after the task's tests passed. The ledger lives in git, so it
 * survives a killed walker, a lost `.factory/` and a fresh clone of a pushed branch; re-running
 * reads it and never commits a task twice. Both trailers are required: agents (and people) write
 * `Refs #12` in their own commits, and those must not count as "tested and done".
 *
 * One task = one ledger commit: the agent's own commits and its uncommitted changes since the
 * attempt started are squashed (`reset --soft` to the attempt's start, then one commit), so an
 * interrupted attempt that is re-run still yields exactly one commit.
 */
import { type CommitInfo, commitsIn, git, gitRaw, identityArgs } from '../sandboxes/index.js';

export type LedgerPhase = 'task' | 'review';

export interface LedgerEntry {
  sha: string;
  subject: string;
  ref: string;
  phase: LedgerPhase;
}

const FIELD = '\x1f';
const RECORD = '\x1e';

export function ledgerTrailers(ref: string, phase: LedgerPhase): string {
  return `Refs #${ref}\nFactory-Phase: ${phase}`;
}

/** Parse one commit message's ledger trailers (last paragraph only, like `git interpret-trailers`). */
export function parseLedgerMessage(message: string): { ref: string; phase: LedgerPhase } | undefined {
  const paragraphs = message.trim().split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const ref = /^Refs #(\S+)\s*$/m.exec(last)?.[1];
  const phase = /^Factory-Phase: (task|review)\s*$/m.exec(last)?.[1] as LedgerPhase | undefined;
  return ref && phase && paragraphs.length > 1 ? { ref, phase } : undefined;
}

/** Ledger commits in `base..HEAD` of the worktree, oldest first. */
export async function readLedger(worktree: string, base: string): Promise<LedgerEntry[]> {
  const out = await git(worktree, ['log', '--reverse', `--format=%H${FIELD}%s${FIELD}%B${RECORD}`, `${base}..HEAD`]);
  const entries: LedgerEntry[] = [];
  for (const record of out.split(RECORD)) {
    const [sha, subject, body] = record.trim().split(FIELD);
    if (!sha || subject === undefined || body === undefined) continue;
    const parsed = parseLedgerMessage(body);
    if (parsed) entries.push({ sha, subject, ...parsed });
  }
  return entries;
}

/** Commits in `base..HEAD`, oldest first (for evidence and the review prompt). */
export function branchCommits(worktree: string, base: string): Promise<CommitInfo[]> {
  return commitsIn(worktree, `${base}..HEAD`);
}

export interface LedgerCommitInput {
  worktree: string;
  /** The commit the attempt started from: everything after it becomes this one commit. */
  start: string;
  title: string;
  ref: string;
  phase: LedgerPhase;
  /** Extra paragraph (agent commit subjects, outcome). */
  body?: string;
}

export interface LedgerCommitResult {
  sha: string;
  /** Whether the commit holds changes (false: the agent changed nothing; an empty ledger commit). */
  changed: boolean;
  /** Agent commits folded into this one. */
  squashed: { sha: string; subject: string }[];
}

/**
 * Commit everything since `start` as one ledger commit. Safe to repeat after a kill at any point:
 * the ledger commit either exists (and the caller never gets here) or the work is still in
 * `start..HEAD` plus the index and working tree, which this folds again.
 */
export async function commitLedger(input: LedgerCommitInput): Promise<LedgerCommitResult> {
  const { worktree, start } = input;
  const squashed = await branchCommits(worktree, start);
  // `.factory/` is factory's own state; never part of a task's commit even if the repo forgot to ignore it.
  await git(worktree, ['add', '-A', '--', '.', ':(exclude).factory']);
  if (squashed.length > 0) await git(worktree, ['reset', '--soft', start]);
  const staged = await gitRaw(worktree, ['diff', '--cached', '--quiet']);
  const changed = staged.exitCode === 1;
  const paragraphs = [input.title.replace(/\s*\n\s*/g, ' ').trim()];
  if (input.body) paragraphs.push(input.body);
  if (squashed.length > 0)
    paragraphs.push(['Agent commits folded in:', ...squashed.map((c) => `- ${c.subject}`)].join('\n'));
  paragraphs.push(ledgerTrailers(input.ref, input.phase));
  await git(worktree, [...(await identityArgs(worktree)), 'commit', '--no-verify', '--allow-empty', '--file', '-'], {
    input: `${paragraphs.join('\n\n')}\n`,
  });
  const sha = await git(worktree, ['rev-parse', 'HEAD']);
  return { sha, changed, squashed };
}
