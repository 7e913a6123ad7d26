/**
 * Startup readiness and ongoing health (architecture decision 4; docs/adr/0013).
 *
 * Readiness polls from the check's `intervalMs` (10 ms by default), backing off ×1.5 up to
 * `maxIntervalMs`, until it passes or `startupTimeoutMs` runs out. Three things cut the wait short:
 * a new output line from the service `poke()`s an immediate attempt (servers usually print
 * "listening on …" right after listen); a watcher that tries a bare loopback connect to the
 * service's own ports every LISTEN_WATCH_MS pokes as soon as one accepts (silent services; a
 * refused loopback connect costs ~0.1 ms, while reading /proc/net/tcp costs ~4 ms on the
 * Firecracker VMs this was measured on); and a `log` check is decided by lines alone, no polling.
 * wait-on is not used: its fixed interval (250 ms by default, no backoff) and its resource-string
 * grammar add latency and a parse layer for nothing we need.
 *
 * Ongoing health, once ready, runs at a slower fixed cadence; `retries` consecutive failures (not
 * counting the start period) make the service unhealthy, one success makes it healthy again.
 */
import { probe, tcpProbe } from './probe.js';
import type { ProbeResult, ResolvedCheck } from './types.js';

export const BACKOFF_FACTOR = 1.5;
/** Ongoing checks run every max(maxIntervalMs, this). */
export const HEALTH_INTERVAL_MS = 1_000;
/** How often the listen watcher tries the service's ports while it is starting. */
export const LISTEN_WATCH_MS = 10;

export type ReadyOutcome = 'ready' | 'timeout' | 'aborted';

export interface ReadinessHooks {
  onResult: (r: ProbeResult) => void;
  /** Every output line of the service, past ones first (log checks need those printed before we subscribed). */
  subscribeLines: (fn: (line: string) => void) => () => void;
  signal: AbortSignal;
  /** The service's own ports: a LISTEN appearing on one pokes an attempt. */
  ports?: number[];
}

export class Readiness {
  readonly outcome: Promise<ReadyOutcome>;
  private wake: (() => void) | undefined;

  constructor(
    private readonly check: ResolvedCheck,
    private readonly hooks: ReadinessHooks,
  ) {
    this.outcome = check.kind === 'log' ? this.byLines(check.pattern) : this.byPolling();
    if (check.kind !== 'log' && hooks.ports?.length) this.watchListen(hooks.ports);
  }

  private watchListen(ports: number[]): void {
    const pending = new Set(ports);
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void Promise.all(
        [...pending].map(async (port) => {
          if ((await tcpProbe([], port, LISTEN_WATCH_MS * 5)).ok) {
            pending.delete(port);
            this.poke();
          }
        }),
      ).finally(() => {
        busy = false;
        if (pending.size === 0) clearInterval(timer);
      });
    }, LISTEN_WATCH_MS);
    void this.outcome.finally(() => clearInterval(timer));
  }

  /** Try now instead of waiting out the current backoff delay. */
  poke(): void {
    if (this.wake) this.wake();
    else this.poked = true; // an attempt is in flight: skip the next delay instead
  }

  private poked = false;

  private sleep(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.hooks.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      this.hooks.signal.addEventListener('abort', done, { once: true });
    });
  }

  private async byPolling(): Promise<ReadyOutcome> {
    const c = this.check;
    const deadline = Date.now() + c.startupTimeoutMs;
    let delay = c.intervalMs;
    for (;;) {
      if (this.hooks.signal.aborted) return 'aborted';
      const r = await probe(c);
      if (this.hooks.signal.aborted) return 'aborted';
      this.hooks.onResult(r);
      if (r.ok) return 'ready';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await this.sleep(Math.min(delay, left));
      delay = Math.min(c.maxIntervalMs, delay * BACKOFF_FACTOR);
    }
  }

  private byLines(pattern: string): Promise<ReadyOutcome> {
    const re = new RegExp(pattern);
    return new Promise((resolve) => {
      let unsubscribe: (() => void) | undefined;
      const finish = (o: ReadyOutcome) => {
        clearTimeout(timer);
        this.hooks.signal.removeEventListener('abort', onAbort);
        unsubscribe?.();
        unsubscribe = undefined;
        resolve(o);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => {
        this.hooks.onResult({
          ok: false,
          detail: `no line matched /${pattern}/ within ${this.check.startupTimeoutMs} ms`,
        });
        finish('timeout');
      }, this.check.startupTimeoutMs);
      this.hooks.signal.addEventListener('abort', onAbort, { once: true });
      let matched = false;
      unsubscribe = this.hooks.subscribeLines((line) => {
        if (matched || !re.test(line)) return;
        matched = true;
        this.hooks.onResult({ ok: true, detail: `matched: ${line.slice(0, 200)}` });
        // subscribeLines may replay synchronously, before `unsubscribe` is assigned
        queueMicrotask(() => finish('ready'));
      });
      if (matched) unsubscribe();
    });
  }
}

/** Ongoing health after readiness. `log` checks have nothing to re-check and stay healthy. */
export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly check: ResolvedCheck,
    private readonly startedAt: number,
    private readonly report: (r: ProbeResult, healthy: boolean | undefined) => void,
  ) {}

  start(): void {
    if (this.check.kind === 'log') return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(this.check.maxIntervalMs, HEALTH_INTERVAL_MS));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const r = await probe(this.check);
    if (this.stopped) return;
    if (r.ok) {
      this.failures = 0;
      this.report(r, true);
    } else if (Date.now() - this.startedAt < this.check.startPeriodMs) {
      this.report(r, undefined);
    } else {
      this.failures += 1;
      this.report(r, this.failures >= this.check.retries ? false : undefined);
    }
    this.schedule();
  }
}
