/**
 * `/api/events` and `/api/jobs/:id/events`: a job's (or every job's) events as Server-Sent Events.
 * `id:` is the store's event id, so a browser that lost the connection reconnects with
 * `Last-Event-ID` and receives exactly what it missed, read from the store in pages (`?after=<id>`
 * does the same for the first connection of a page that rendered up to that event). Then it follows
 * the hub. A comment line every 15 s keeps proxies from closing an idle stream.
 */
import type { HttpBindings } from '@hono/node-server';
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
  c: Context<{ Bindings: HttpBindings }>,
  deps: { store: JobStore; hub: EventHub; redact: Redactor },
  jobId: string | undefined,
): Response {
  return streamSSE(c, async (stream) => {
    // A client dropped for falling behind loses its connection (a write to it may be stuck on a full socket).
    const sub = await deps.hub.subscribe(jobId, () => c.env.outgoing.destroy());
    stream.onAbort(() => sub.close());
    const send = (e: JobEvent) =>
      stream.writeSSE({
        id: String(e.id),
        event: 'job-event',
        data: JSON.stringify({ schemaVersion: SCHEMA_VERSION, event: deps.redact.deep(eventJson(e)) }),
      });
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => sub.close()), KEEPALIVE_MS);
    try {
      await stream.write(`retry: ${RETRY_MS}\n\n`);
      // No Last-Event-ID and no ?after: from now on.
      let last = startAfter(c);
      if (last < 0) last = deps.hub.lastEventId;
      for (;;) {
        const batch = await deps.store.events({ ...(jobId ? { jobId } : {}), afterId: last, limit: PAGE });
        for (const e of batch) {
          await send(e);
          last = e.id;
        }
        if (batch.length < PAGE || stream.aborted) break;
      }
      for (let e = await sub.next(); e !== null && !stream.aborted; e = await sub.next()) {
        if (e.id <= last) continue;
        await send(e);
        last = e.id;
      }
    } finally {
      clearInterval(keepalive);
      sub.close();
    }
  });
}
