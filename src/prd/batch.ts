/**
 * Batch mode (`factory agent run` with a backlog and no `--prd`): walk every ready PRD, one at a
 * time, in number order. One PRD's failure — a failed phase, a lock held by another run, an
 * invalid task file — is recorded in its result and the next PRD still runs. PRDs that are
 * drafts, closed, or already reviewed are not walked (a finished PRD is never re-reviewed).
 */
import { isFactoryFailure } from '../lib/failure.js';
import { runPhase, DEFAULT_PHASE_TIMEOUTS } from './phase.js';
import { prdBranch, type WalkOptions, type WalkResult } from './types.js';
import { walkPrd } from './walk.js';

export interface BatchResult {
  results: WalkResult[];
  /** PRDs not walked, and why. */
  skipped: { prd: number; title: string; reason: string }[];
}

export async function walkBacklog(
  options: Omit<WalkOptions, 'prd' | 'resumeCommand'> & {
    resumeCommandFor: (prd: number) => string;
    onPrd?: (prd: number, title: string) => void;
  },
): Promise<BatchResult> {
  const timeout = options.timeouts?.backlog ?? DEFAULT_PHASE_TIMEOUTS.backlog;
  const prds = await runPhase('backlog', timeout, options.signal, () => options.source.listPrds());
  const results: WalkResult[] = [];
  const skipped: BatchResult['skipped'] = [];
  for (const prd of prds) {
    if (prd.review) {
      skipped.push({ prd: prd.number, title: prd.title, reason: `already reviewed (${prd.review.location})` });
      continue;
    }
    if (prd.state !== 'ready') {
      skipped.push({
        prd: prd.number,
        title: prd.title,
        reason: prd.state === 'draft' ? 'draft (not ready)' : 'closed',
      });
      continue;
    }
    if (options.signal?.aborted) break;
    options.onPrd?.(prd.number, prd.title);
    const resumeCommand = options.resumeCommandFor(prd.number);
    try {
      results.push(await walkPrd({ ...options, prd: prd.number, resumeCommand }));
    } catch (error) {
      // Failures before the walk could record anything (lock held, unreadable tasks): keep going.
      const message = isFactoryFailure(error)
        ? error.message + (error.hint ? ` (${error.hint})` : '')
        : error instanceof Error
          ? error.message
          : String(error);
      const phase = isFactoryFailure(error) && error.code === 'prd-locked' ? 'lock' : 'backlog';
      results.push({
        status: 'failed',
        prd: prd.number,
        title: prd.title,
        branch: prdBranch(prd.number),
        doneThisRun: [],
        phase,
        error: message,
        resumeCommand,
      });
    }
    if (results.at(-1)?.status === 'interrupted') break;
  }
  return { results, skipped };
}
