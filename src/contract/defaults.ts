/**
 * Defaults the normalizer fills in, named so docs/contract.md and the code agree on one number.
 * Readiness polls start fast and back off (architecture decision 4): most services are ready in
 * milliseconds, and a 10 s fixed period would make every `factory start` slow.
 */
export const DEFAULTS = {
  check: {
    intervalMs: 10,
    maxIntervalMs: 250,
    timeoutMs: 2_000,
    startPeriodMs: 0,
    retries: 3,
    startupTimeoutMs: 60_000,
    status: [200, 399] as [number, number],
  },
  stop: { signal: 'SIGTERM' as NodeJS.Signals, graceMs: 5_000 },
  restart: {
    longRunning: { policy: 'on-failure' as const, maxRestarts: 3, backoffMs: 500 },
    oneShot: { policy: 'no' as const, maxRestarts: 0, backoffMs: 500 },
  },
  setupTimeoutMs: 10 * 60_000,
  testTimeoutMs: 30 * 60_000,
  scenarioTimeoutMs: 2 * 60_000,
  stepTimeoutMs: 5_000,
  viewport: { width: 1280, height: 720 },
  /** A port block is at least this big, so adding a port later keeps the instance's block size. */
  minPortBlock: 10,
} as const;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** "150ms" | "5s" | "2m" | "1h" | seconds → milliseconds (the schema has checked the form). */
export function parseDuration(v: number | string): number {
  if (typeof v === 'number') return Math.round(v * 1000);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(v);
  if (!m) throw new Error(`not a duration: ${v}`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}
