/**
 * `/api/events` and `/api/jobs/:id/events`: a job's (or every job's) events as Server-Sent Events.
 * `id:` is the store's event id, so a browser that lost the connection reconnects with
 * `Last-Event-ID` and receives exactly what it missed (`?after=<id>` does the same for the first
 * connection of a page rendered up to that event; neither: from now on). A client takes new events
 * from the hub's ring and reads any gap older than the ring from the store, one page at a time,
 * awaiting each write, so a slow client slows only itself. A comment every 15 s keeps proxies from
 * closing an idle stream.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { eventJson, type JobEvent, type JobStore } from '../jobs/index.js';
import { SCHEMA_VERSION } from '../lib/output.js';
import type { Redactor } from '../publish/index.js';
import type { EventHub } from './hub.js';

const PAGE = 200;
const KEEPALIVE_MS = 15_000;
/** What the browser waits before reconnecting. */
const RETRY_MS = 1_000;

export function startAfter(c: Context): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('after') ?? '';
  return /^\d{1,15}$/.test(raw) ? Number(raw) : -1;
}

export function eventStream(
  c: Context,
  deps: { store: JobStore; hub: EventHub; redact: Redactor },
  jobId: string | undefined,
): Response {
  return streamSSE(c, async (stream) => {
    const leave = await deps.hub.join();
    const gone = new AbortController();
    stream.onAbort(() => gone.abort());
    const send = (e: JobEvent) =>
      stream.writeSSE({
        id: String(e.id),
        event: 'job-event',
        data: JSON.stringify({ schemaVersion: SCHEMA_VERSION, event: deps.redact.deep(eventJson(e)) }),
      });
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => gone.abort()), KEEPALIVE_MS);
    try {
      await stream.write(`retry: ${RETRY_MS}\n\n`);
      let last = startAfter(c);
      if (last < 0) last = deps.hub.lastEventId;
      while (!gone.signal.aborted && !deps.hub.isStopped) {
        const fresh = deps.hub.since(last, jobId);
        if (fresh === null) {
          // Behind the ring: the gap comes from the store.
          const start = deps.hub.ringStart;
          const page = await deps.store.events({ ...(jobId ? { jobId } : {}), afterId: last, limit: PAGE });
          for (const e of page) {
            if (gone.signal.aborted) break;
            await send(e);
            last = e.id;
          }
          if (page.length < PAGE) last = Math.max(last, start);
          continue;
        }
        for (const e of fresh) {
          if (gone.signal.aborted) break;
          await send(e);
          last = e.id;
        }
        if (fresh.length === 0) {
          // Nothing of this stream in the ring past `last`: skip ahead to what the hub has read.
          last = Math.max(last, deps.hub.lastEventId);
          await deps.hub.wait(gone.signal);
        }
      }
    } finally {
      clearInterval(keepalive);
      leave();
    }
  });
}
