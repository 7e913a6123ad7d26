/**
 * Events a run produces, for the `onEvent` callback and the log renderers. Agent events (from a
 * provider's parser) are stamped with their iteration and time; lifecycle events say what the loop
 * itself is doing.
 */
import type { AgentEvent, Usage } from './types.js';

export type IterationEndReason =
  | 'exited'
  | 'completion-signal'
  | 'hung-after-completion'
  | 'idle-timeout'
  | 'aborted'
  | 'failed';

export type LifecycleEvent =
  /** The worktree exists and the log is open (the CLI prints its `tail -f` hint here). */
  | {
      type: 'run-start';
      name: string;
      agent: string;
      sandbox: string;
      branch: string;
      worktreePath: string;
      logPath?: string;
    }
  | { type: 'iteration-start'; maxIterations: number }
  | { type: 'iteration-end'; reason: IterationEndReason; exitCode: number | null; usage?: Usage }
  | { type: 'status'; message: string }
  /** The agent has printed nothing for `idleSeconds`; at `idleTimeoutSeconds` it is stopped. */
  | { type: 'idle'; idleSeconds: number; idleTimeoutSeconds: number }
  | { type: 'warning'; message: string }
  /** A stdout line the provider's parser did not understand (banners, stray prints), bounded. */
  | { type: 'raw'; line: string };

export type RunEvent = (AgentEvent | LifecycleEvent) & { iteration: number; timestamp: string };

/** Call the user's callback; a throwing callback must not break the run (as in Sandcastle). */
export function safeCall(cb: ((e: RunEvent) => void) | undefined, e: RunEvent): void {
  if (!cb) return;
  try {
    cb(e);
  } catch {
    // swallowed on purpose: a broken forwarder cannot kill the run
  }
}
