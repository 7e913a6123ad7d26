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

export interface ComposeHealthcheck {
  command: string[];
  /** compose `timeout:` (per run), when given. */
  timeoutMs?: number;
}

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
  const timeoutMs = composeDurationMs(hc.timeout);
  return { command, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}
