/**
 * Where a PRD walk keeps its machine-local state, under the main checkout's git-ignored
 * `.factory/prd/prd-<N>/`:
 *
 *   lock.json              the walker's lock (lock.ts)
 *   attempt.json           the AFK task being attempted and the commit it started from, so a
 *                          re-run after a kill folds the interrupted attempt into one commit
 *   runs/<run id>/walk.log one log per run; agent and test logs next to it
 *
 * None of this is the ledger (that is git, ledger.ts): deleting `.factory/` loses logs and the
 * attempt start, never a done task.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function prdStateDir(root: string, prd: number): string {
  return join(root, '.factory', 'prd', `prd-${prd}`);
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${process.pid}`;
}

export interface Attempt {
  /** Task id, or the PRD ref for the review iteration. */
  ref: string;
  /** HEAD of the PRD branch when the attempt started. */
  start: string;
  runId: string;
  /** Why the previous attempt failed, for the next prompt. */
  lastError?: string;
}

export async function readAttempt(dir: string): Promise<Attempt | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'attempt.json'), 'utf8')) as Attempt;
  } catch {
    return undefined;
  }
}

export async function writeAttempt(dir: string, attempt: Attempt): Promise<void> {
  const file = join(dir, 'attempt.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(attempt, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

export async function clearAttempt(dir: string): Promise<void> {
  await rm(join(dir, 'attempt.json'), { force: true });
}

/** A run's log: timestamped lines appended synchronously, so a SIGKILL loses at most the line being written. */
export class RunLog {
  readonly dir: string;
  readonly file: string;

  constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, 'walk.log');
    mkdirSync(dir, { recursive: true });
  }

  write(line: string): void {
    appendFileSync(this.file, `${new Date().toISOString()} ${line}\n`);
  }

  /** A sibling file for one phase's own output (agent stream, test output). */
  path(name: string): string {
    return join(this.dir, name);
  }
}
