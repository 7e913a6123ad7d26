/**
 * One reader of the job store for every SSE client (ADR 10: the store is the bus). While anyone
 * listens, the hub reads the events after the last id it saw — every 100 ms, backing off to 1 s
 * while nothing happens — into one shared ring of the newest RING_SIZE events, and wakes the
 * clients. A client holds only its cursor: it takes what is newer from the ring, and one that fell
 * behind the ring (a stalled tab, a slow link) reads its gap from the store in pages instead. So the
 * memory is the ring plus, per client, one event in flight on its socket (the Node adapter waits for
 * `drain`) — however many clients, however slow.
 */
import type { JobEvent, JobStore } from '../jobs/index.js';

export const RING_SIZE = 1024;
const MIN_POLL_MS = 100;
const MAX_POLL_MS = 1_000;
const BATCH = 500;

export class EventHub {
  private ring: JobEvent[] = [];
  /** The ring holds the events with from < id <= cursor. */
  private from = 0;
  private cursor: number | null = null;
  private waiters = new Set<() => void>();
  private clients = 0;
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private kick: (() => void) | null = null;

  constructor(private readonly store: JobStore) {}

  get size(): number {
    return this.clients;
  }

  get buffered(): number {
    return this.ring.length;
  }

  get lastEventId(): number {
    return this.cursor ?? 0;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Count a client in (the polling runs while there is one); returns its leave(). */
  async join(): Promise<() => void> {
    if (this.cursor === null) {
      this.cursor = await this.store.lastEventId();
      this.from = this.cursor;
    }
    this.clients++;
    if (!this.running) void this.loop();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.clients--;
    };
  }

  /**
   * Events after `after` (of `jobId`, or all) from the ring, or null when `after` is older than the
   * ring (read the store up to `ringStart` first).
   */
  since(after: number, jobId: string | undefined): JobEvent[] | null {
    if (after < this.from) return null;
    const out: JobEvent[] = [];
    for (const e of this.ring) if (e.id > after && (jobId === undefined || e.jobId === jobId)) out.push(e);
    return out;
  }

  get ringStart(): number {
    return this.from;
  }

  /** Resolves when new events are in the ring, the hub stops, or `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.stopped || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) w();
  }

  private async loop(): Promise<void> {
    this.running = true;
    let wait = MIN_POLL_MS;
    try {
      while (!this.stopped && this.clients > 0) {
        const batch = await this.store.events({ afterId: this.cursor ?? 0, limit: BATCH });
        if (batch.length > 0) {
          this.ring.push(...batch);
          this.cursor = batch.at(-1)?.id ?? this.cursor;
          const over = this.ring.length - RING_SIZE;
          if (over > 0) this.from = this.ring.splice(0, over).at(-1)?.id ?? this.from;
          this.wakeAll();
        }
        if (batch.length === BATCH) continue;
        wait = batch.length > 0 ? MIN_POLL_MS : Math.min(wait * 2, MAX_POLL_MS);
        await new Promise<void>((r) => {
          this.kick = r;
          this.timer = setTimeout(r, wait);
        });
      }
    } catch {
      // The store failed (closed at shutdown, or a transient error): wake the clients; the next
      // client to join starts the loop again.
      this.wakeAll();
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.kick?.();
    this.wakeAll();
  }
}
