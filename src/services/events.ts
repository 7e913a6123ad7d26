/**
 * What the supervisor tells its observers: `start` (over the socket) renders progress from these,
 * `--foreground` renders them in-process, and `--json` consumers get them as they are.
 * Produced in one place, rendered in another (see ./render.ts).
 */
import type { CheckResult, Health, InstanceStateFile, ServiceState } from './state.js';

export type SupervisorEvent =
  | { type: 'service'; service: string; state: ServiceState; health: Health; detail: string | null; elapsedMs: number }
  | { type: 'check'; service: string; check: string; result: CheckResult; elapsedMs: number }
  | { type: 'ready'; elapsedMs: number }
  | { type: 'failed'; error: NonNullable<InstanceStateFile['error']>; elapsedMs: number }
  | { type: 'stopped'; busyPorts: number[]; elapsedMs: number }
  | { type: 'line'; service: string; stream: 'out' | 'err' | 'factory'; line: string };
