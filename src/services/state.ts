/**
 * `state.json`: what the supervisor knows about its instance, written atomically (tmp + rename) on
 * every change, read by `status`, `urls`, `stop`, `clean`, `ps` and other layers. Types only plus a
 * reader, so that `status` stays light.
 */
import type { ComposeTool } from './compose/tool.js';
import type { ProcessIdentity } from './proc.js';

/**
 * A service's lifecycle as the supervisor sees it:
 *
 *   pending ──deps met──▶ starting ──check passes──▶ ready ──exit──▶ restarting ─▶ starting …
 *      │                     │  └─exit 0 (one-shot)─▶ completed
 *      │                     └─exit / timeout──────▶ failed
 *      └─dependency failed─▶ blocked            any ──stop──▶ stopping ─▶ stopped
 */
export type ServiceState =
  | 'pending'
  | 'starting'
  | 'ready'
  | 'completed'
  | 'restarting'
  | 'failed'
  | 'blocked'
  | 'stopping'
  | 'stopped';

/** Ongoing health, separate from startup readiness. `none`: the service has no check. */
export type Health = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface CheckResult {
  ok: boolean;
  at: string;
  durationMs: number;
  detail: string;
}

export interface ServiceStatus {
  name: string;
  kind: 'process' | 'compose';
  state: ServiceState;
  health: Health;
  /** The service's main process (its process-group leader). */
  pid: number | null;
  pidStartTime: number | null;
  /** Port name → number, for the ports this service owns. */
  ports: Record<string, number>;
  url: string | null;
  check: string | null;
  lastCheck: CheckResult | null;
  restarts: number;
  exitCode: number | null;
  signal: string | null;
  logPath: string;
  startedAt: string | null;
  readyAt: string | null;
  /** Why it failed (exit, check timeout, dependency), for humans. */
  error: string | null;
}

export type InstancePhase = 'starting' | 'running' | 'degraded' | 'stopping' | 'stopped' | 'failed';

export interface InstanceStateFile {
  /** The contract's `name`; absent in state files written before it was recorded. */
  project?: string;
  worktreeId: string;
  root: string;
  contractFile: string;
  stateDir: string;
  /** Marker put in every service's environment (FACTORY_INSTANCE=<key>). */
  instanceKey: string;
  phase: InstancePhase;
  /**
   * `pidNamespace` (`/proc/self/ns/pid` of the supervisor): a reader in another pid namespace (an
   * agent's bwrap sandbox) cannot see the pid, so it judges liveness by `run/heartbeat` instead.
   */
  supervisor: ProcessIdentity & { socket: string; foreground: boolean; pidNamespace?: string };
  portBase: number;
  ports: Record<string, number>;
  urls: Record<string, string>;
  services: Record<string, ServiceStatus>;
  /** Services in start order. */
  order: string[];
  startedAt: string;
  updatedAt: string;
  /** Every process the supervisor ever started and has not seen reaped (pid + start time), for reaping after a crash. */
  children: (ProcessIdentity & { service: string; pgid: number })[];
  /** The compose tool the preflight chose (null: the instance has no compose service). Absent in older files. */
  compose?: ComposeTool | null;
  /** `<compose> … down -v --remove-orphans` (and cleanups the tool needs) per compose file of the instance (run by `clean`). */
  composeDown: string[][];
  error: { service: string; message: string; check: string | null; exitCode: number | null; logTail: string[] } | null;
}
