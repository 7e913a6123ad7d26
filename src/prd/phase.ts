/**
 * Every phase of the walk runs under a timeout and the run's AbortSignal. A phase that overruns is
 * aborted (its signal fires, so the agent's process tree is killed) and, should the work ignore
 * the signal, abandoned after a short grace so the walker itself never hangs.
 */

/** Default limit per phase, in ms. Overridable per run (`WalkOptions.timeouts`). */
export const DEFAULT_PHASE_TIMEOUTS = {
  backlog: 60_000,
  worktree: 120_000,
  agent: 45 * 60_000,
  tests: 20 * 60_000,
  commit: 60_000,
  push: 120_000,
  review: 45 * 60_000,
  publish: 60_000,
} as const;

export type Phase = keyof typeof DEFAULT_PHASE_TIMEOUTS;
export type PhaseTimeouts = Record<Phase, number>;

/** How long an aborted phase gets to wind down before the walker stops waiting for it. */
const ABANDON_GRACE_MS = 10_000;

/** A phase that did not complete: it failed, timed out, or the run was interrupted. */
export class PhaseError extends Error {
  constructor(
    readonly phase: Phase,
    message: string,
    readonly reason: 'failed' | 'timeout' | 'interrupted',
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'PhaseError';
  }
}

export function isPhaseError(e: unknown): e is PhaseError {
  return e instanceof Error && e.name === 'PhaseError' && typeof (e as PhaseError).phase === 'string';
}

export async function runPhase<T>(
  phase: Phase,
  timeoutMs: number,
  parent: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (parent?.aborted) throw new PhaseError(phase, `interrupted before the ${phase} phase`, 'interrupted');
  const controller = new AbortController();
  let reason: 'timeout' | 'interrupted' | undefined;
  let abandon: (() => void) | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    abandon = () => reject(new PhaseError(phase, `the ${phase} phase ignored its abort`, reason ?? 'timeout'));
  });
  abandoned.catch(() => undefined);
  let grace: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'interrupted') => {
    if (reason) return;
    reason = why;
    controller.abort(new Error(why === 'timeout' ? `${phase} timed out after ${timeoutMs} ms` : 'interrupted'));
    grace = setTimeout(() => abandon?.(), ABANDON_GRACE_MS);
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onParent = () => stop('interrupted');
  parent?.addEventListener('abort', onParent, { once: true });
  try {
    const result = await Promise.race([work(controller.signal), abandoned]);
    // Work that reports an abort as a value (an agent run's outcome) still did not complete.
    if (reason === 'timeout')
      throw new PhaseError(phase, `the ${phase} phase timed out after ${timeoutMs} ms`, 'timeout');
    if (reason === 'interrupted') throw new PhaseError(phase, `the ${phase} phase was interrupted`, 'interrupted');
    return result;
  } catch (error) {
    if (isPhaseError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (reason === 'timeout')
      throw new PhaseError(phase, `the ${phase} phase timed out after ${timeoutMs} ms`, 'timeout', error);
    if (reason === 'interrupted')
      throw new PhaseError(phase, `the ${phase} phase was interrupted`, 'interrupted', error);
    throw new PhaseError(phase, message, 'failed', error);
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    parent?.removeEventListener('abort', onParent);
  }
}
