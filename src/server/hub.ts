/**
 * One reader of the job store for every SSE client (ADR 10: the store is the bus). While anyone
 * listens, the hub reads the events after the last id it saw — every 100 ms, backing off to 1 s
 * while nothing happens — and hands each to the clients that want it (one job, or all). Each client
 * has a bounded queue: one that falls MAX_QUEUE events behind (a stalled browser tab) is dropped
 * and its stream closed; the browser reconnects with Last-Event-ID and catches up from the store,
 * so a slow client costs a bounded amount of memory and never slows the others.
 */
import type { JobEvent, JobStore } from '../jobs/index.js';

export const MAX_QUEUE = 256;
const MIN_POLL_MS = 100;
const MAX_POLL_MS = 1_000;

export interface Subscriber {
  readonly jobId: string | undefined;
  /** The next event, or null once dropped or closed. */
  next(): Promise<JobEvent | null>;
  /** Events waiting. */
  readonly queued: number;
  close(): void;
}

interface Client {
  jobId: string | undefined;
  onDrop: (() => void) | undefined;
  queue: JobEvent[];
  wake: (() => void) | null;
  closed: boolean;
}

export class EventHub {
  private readonly clients = new Set<Client>();
  private cursor: number | null = null;
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private kick: (() => void) | null = null;

  constructor(private readonly store: JobStore) {}

  get size(): number {
    return this.clients.size;
  }

  /** The fullest queue's length (for /api/health). */
  get deepest(): number {
    let n = 0;
    for (const c of this.clients) n = Math.max(n, c.queue.length);
    return n;
  }

  get lastEventId(): number {
    return this.cursor ?? 0;
  }

  /** `onDrop`: called when the client is dropped for falling behind (close its connection there). */
  async subscribe(jobId: string | undefined, onDrop?: () => void): Promise<Subscriber> {
    if (this.cursor === null) this.cursor = await this.store.lastEventId();
    const client: Client = { jobId, onDrop, queue: [], wake: null, closed: false };
    this.clients.add(client);
    if (!this.running) void this.loop();
    const close = () => {
      client.closed = true;
      client.queue.length = 0;
      this.clients.delete(client);
      client.wake?.();
    };
    return {
      jobId,
      get queued() {
        return client.queue.length;
      },
      close,
      next: async () => {
        while (!client.closed && client.queue.length === 0) await new Promise<void>((r) => (client.wake = r));
        client.wake = null;
        return client.closed ? null : (client.queue.shift() ?? null);
      },
    };
  }

  private deliver(e: JobEvent): void {
    for (const c of this.clients) {
      if (c.jobId !== undefined && c.jobId !== e.jobId) continue;
      if (c.queue.length >= MAX_QUEUE) {
        // Too far behind: drop it rather than hold its backlog; it reconnects from Last-Event-ID.
        c.closed = true;
        c.queue.length = 0;
        this.clients.delete(c);
        c.onDrop?.();
      } else c.queue.push(e);
      c.wake?.();
    }
  }

  private async loop(): Promise<void> {
    this.running = true;
    let wait = MIN_POLL_MS;
    try {
      while (!this.stopped && this.clients.size > 0) {
        const batch = await this.store.events({ afterId: this.cursor ?? 0, limit: 500 });
        for (const e of batch) {
          this.cursor = e.id;
          this.deliver(e);
        }
        if (batch.length === 500) continue;
        wait = batch.length > 0 ? MIN_POLL_MS : Math.min(wait * 2, MAX_POLL_MS);
        await new Promise<void>((r) => {
          this.kick = r;
          this.timer = setTimeout(r, wait);
        });
      }
    } catch {
      // The store failed (closed at shutdown, or a transient lock): clients reconnect and re-read.
      for (const c of [...this.clients]) {
        c.closed = true;
        this.clients.delete(c);
        c.wake?.();
      }
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.kick?.();
    for (const c of [...this.clients]) {
      c.closed = true;
      this.clients.delete(c);
      c.wake?.();
    }
  }
}
