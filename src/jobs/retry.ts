/**
 * Retry policy per stage. An agent that times out, crashes, or answers in the wrong shape is tried
 * once more with its failure in the prompt (a model is not deterministic); a deterministic failure
 * — a bad contract, a setup step that fails, a missing agent CLI, a sandbox that cannot run here —
 * fails the job at once, because running it again gives the same answer. Every attempt is
 * recorded as an event either way.
 */
import { isFactoryFailure } from '../lib/failure.js';
import type { StageName } from '../publish/index.js';

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  attempts: number;
  /** Failure codes worth another attempt. */
  retryable(code: string): boolean;
}

const AGENT_RETRYABLE = new Set([
  'agent-idle-timeout',
  'agent-failed',
  'agent-exited',
  'structured-output-invalid',
  'stage-timeout',
  'plan-invalid',
]);
const agentPolicy: RetryPolicy = { attempts: 2, retryable: (c) => AGENT_RETRYABLE.has(c) };
const once: RetryPolicy = { attempts: 1, retryable: () => false };

export const RETRY_POLICIES: Record<StageName, RetryPolicy> = {
  plan: agentPolicy,
  worktree: once,
  sandbox: once,
  environment: once,
  build: agentPolicy,
  test: once,
  record: once,
  publish: { attempts: 2, retryable: (c) => c !== 'usage' },
  review: agentPolicy,
};

export function failureCode(error: unknown): string {
  return isFactoryFailure(error) ? error.code : 'internal';
}

export function failureText(error: unknown): string {
  if (isFactoryFailure(error)) return error.message + (error.hint ? ` (${error.hint.split('\n')[0]})` : '');
  return error instanceof Error ? error.message : String(error);
}
