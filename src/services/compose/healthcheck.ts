/**
 * A compose service's own `healthcheck:` as the command factory runs for readiness when the
 * contract gives the service no check. Factory runs the test itself in the container (`exec`)
 * rather than reading the engine's health status: podman schedules healthchecks with systemd
 * timers, which machines without systemd do not have, so the status would stay "starting".
 *
 *   test: ["CMD", "pg_isready", "-U", "app"]  → pg_isready -U app
 *   test: ["CMD-SHELL", "pg_isready"] | "pg_isready"  → sh -c "pg_isready"
 *   test: ["NONE"] | disable: true  → no check
 */

import type { CheckTiming } from '../../contract/index.js';

export interface ComposeHealthcheck {
  command: string[];
  /** How factory polls it: each attempt spawns the compose tool (docker-compose is Python: ~0.5 s of CPU). */
  timing: CheckTiming;
}

/**
 * Polling for a check that is a compose `exec`: from 250 ms backing off to 1 s (not factory's 10 ms
 * for cheap checks), each attempt bounded by compose's `timeout` (default 30 s, as compose), and
 * startup allowed 2 minutes or compose's `start_period`, whichever is longer (a database's first
 * start initializes its data).
 */
export const COMPOSE_CHECK = { intervalMs: 250, maxIntervalMs: 1_000, timeoutMs: 30_000, startupTimeoutMs: 120_000 };

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** compose durations: "30s", "1m30s", "500ms", "2h". */
export function composeDurationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return v / 1e6; // a bare number is nanoseconds
  if (typeof v !== 'string') return undefined;
  const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== v.trim()) return undefined;
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2] as string] as number), 0);
}

export function composeHealthcheck(service: Record<string, unknown>): ComposeHealthcheck | undefined {
  const h = service.healthcheck;
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return undefined;
  const hc = h as Record<string, unknown>;
  if (hc.disable === true) return undefined;
  const test = hc.test;
  let command: string[] | undefined;
  if (typeof test === 'string' && test.trim()) command = ['sh', '-c', test];
  if (Array.isArray(test)) {
    const [kind, ...rest] = test.map(String);
    if (kind === 'CMD' && rest.length) command = rest;
    if (kind === 'CMD-SHELL' && rest.length) command = ['sh', '-c', rest.join(' ')];
  }
  if (!command) return undefined;
  const startPeriodMs = composeDurationMs(hc.start_period) ?? 0;
  const retries = typeof hc.retries === 'number' && hc.retries > 0 ? hc.retries : 3;
  return {
    command,
    timing: {
      intervalMs: COMPOSE_CHECK.intervalMs,
      maxIntervalMs: COMPOSE_CHECK.maxIntervalMs,
      timeoutMs: composeDurationMs(hc.timeout) ?? COMPOSE_CHECK.timeoutMs,
      startPeriodMs,
      retries,
      startupTimeoutMs: Math.max(COMPOSE_CHECK.startupTimeoutMs, startPeriodMs),
    },
  };
}
