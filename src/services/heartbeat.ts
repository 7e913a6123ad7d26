/**
 * Liveness that crosses pid namespaces. `status` normally asks /proc whether the supervisor's pid
 * (with its start time) is alive; a reader inside an agent's bwrap sandbox has its own pid
 * namespace and sees none of the host's pids. So the supervisor also touches `run/heartbeat` every
 * second, and such a reader takes a fresh mtime as "alive".
 */
import { closeSync, openSync, statSync, utimesSync } from 'node:fs';

export const HEARTBEAT_INTERVAL_MS = 1_000;
/** Three missed beats: the supervisor is gone (or frozen). */
export const HEARTBEAT_STALE_MS = 3 * HEARTBEAT_INTERVAL_MS;

export function startHeartbeat(file: string): () => void {
  const beat = () => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      try {
        closeSync(openSync(file, 'a'));
      } catch {
        // the run dir is gone (clean): nothing to report to
      }
    }
  };
  beat();
  const timer = setInterval(beat, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export function heartbeatFresh(file: string, now = Date.now()): boolean {
  try {
    return now - statSync(file).mtimeMs < HEARTBEAT_STALE_MS;
  } catch {
    return false;
  }
}
