/**
 * The Telegram notifier: a subscriber of the job store (ADR 10) that keeps each job's progress
 * message in step with the job. The store holds which message shows which job (`chatMessages`), so
 * a restarted bot finds its messages again, catches up on what it missed while down, and edits the
 * same message on (ADR 0130).
 *
 *   event of a tracked job ──▶ dirty ──(the chat's edit slot is free)──▶ render ──▶ edit ──▶ saved
 *                                 ▲                                       │ same text: skipped
 *                                 └── every REFRESH_MS for a live job ────┘ (elapsed time)
 *
 * Edits are throttled per chat: at most one every `editIntervalMs` (Telegram allows about 20
 * messages a minute in a group, edits included), and a burst of events collapses into one edit of
 * the latest state, because the job is read when the edit goes out, not when the event came. A 429
 * is waited out by the API's auto-retry (./api.ts). When the job is ready for review its video is
 * sent (a reply to the progress message: sendVideo for MPEG-4, which Telegram plays, sendDocument for
 * WebM) when it is within the Bot API's 50 MB, else linked.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type Api, InputFile } from 'grammy';
import { type ChatMessage, evidenceDirOf, followEvents, isSettled, type Job, type JobStore } from '../../jobs/index.js';
import type { Redactor } from '../../publish/index.js';
import { isChatGone, isMessageGone, isNotModified } from './api.js';
import type { Log } from './log.js';
import { type RenderExtras, renderProgress, videoOf } from './render.js';

export const CHANNEL = 'telegram';
/** A live job's message is refreshed this often without events (its elapsed time). */
const REFRESH_MS = 60_000;
/** The Bot API's upload limit for a bot (sendVideo / sendDocument). */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface NotifierOptions {
  store: JobStore;
  api: Api;
  redact: Redactor;
  editIntervalMs: number;
  log: Log;
  signal: AbortSignal;
}

export interface Notifier {
  /** Start keeping this message in step (a job the bot just created, or retried); `shown` = its text now. */
  track(message: ChatMessage, shown?: string): void;
  /** Resolves when the signal aborted and the pending edit (if any) went out. */
  done: Promise<void>;
}

export function keyboard(buttons: ReturnType<typeof renderProgress>['buttons']) {
  return { inline_keyboard: buttons };
}

export async function startNotifier(o: NotifierOptions): Promise<Notifier> {
  const { store, api } = o;
  const startId = await store.lastEventId();
  const links = new Map<string, ChatMessage>();
  const lastText = new Map<string, string>();
  const lastEdit = new Map<string, number>();
  const settled = new Set<string>();
  const chatFreeAt = new Map<string, number>();
  const dirty = new Set<string>();
  let wake: (() => void) | undefined;
  const kick = () => wake?.();

  for (const m of await store.chatMessages({ channel: CHANNEL })) {
    links.set(m.jobId, m);
    // Catch up on what happened while no bot was running.
    if ((await store.events({ jobId: m.jobId, afterId: m.lastEventId, limit: 1 })).length > 0) dirty.add(m.jobId);
    else {
      const job = await store.get(m.jobId);
      if (!job || isSettled(job)) settled.add(m.jobId);
    }
  }

  const sendVideo = async (job: Job, m: ChatMessage): Promise<ChatMessage> => {
    const rel = videoOf(job);
    if (!rel || m.videoMessageId !== null) return m;
    const file = join(evidenceDirOf(job.repo, job.id), rel);
    let videoMessageId = 0;
    try {
      if (statSync(file).size <= MAX_UPLOAD_BYTES) {
        const extra = {
          caption: o.redact(`${job.id}: the feature on video`),
          reply_parameters: { message_id: m.messageId, allow_sending_without_reply: true },
        };
        // Telegram plays MPEG-4 (sendVideo); any other format goes as a file (sendDocument).
        const sent = file.endsWith('.mp4')
          ? await api.sendVideo(Number(m.chatId), new InputFile(file), { ...extra, supports_streaming: true })
          : await api.sendDocument(Number(m.chatId), new InputFile(file), extra);
        videoMessageId = sent.message_id;
      }
    } catch (error) {
      o.log({
        event: 'edit-failed',
        jobId: job.id,
        chatId: m.chatId,
        message: `video not sent, linked instead: ${String(error)}`,
      });
    }
    return store.saveChatMessage({ ...m, videoMessageId });
  };

  const flush = async (jobId: string) => {
    let m = links.get(jobId);
    if (!m) return;
    const newer = await store.events({ jobId, afterId: m.lastEventId, limit: 100_000 });
    const job = await store.get(jobId);
    if (!job) return;
    if (job.state === 'ready_for_human_review') m = await sendVideo(job, m);
    const rel = videoOf(job);
    const extras: RenderExtras =
      rel === undefined
        ? {}
        : { video: m.videoMessageId ? { sent: true } : { path: join(evidenceDirOf(job.repo, job.id), rel) } };
    const view = renderProgress(job, new Date(), o.redact, extras);
    if (view.text !== lastText.get(jobId)) {
      try {
        await api.editMessageText(Number(m.chatId), m.messageId, view.text, { reply_markup: keyboard(view.buttons) });
      } catch (error) {
        if (isMessageGone(error)) {
          const sent = await api.sendMessage(Number(m.chatId), view.text, { reply_markup: keyboard(view.buttons) });
          m = { ...m, messageId: sent.message_id };
        } else if (!isNotModified(error)) throw error;
      }
      lastText.set(jobId, view.text);
    }
    lastEdit.set(jobId, Date.now());
    if (isSettled(job)) settled.add(jobId);
    else settled.delete(jobId);
    const lastEventId = newer.at(-1)?.id ?? m.lastEventId;
    links.set(jobId, await store.saveChatMessage({ ...m, lastEventId }));
  };

  /** One edit at a time; each chat waits out its slot. */
  const editLoop = async () => {
    while (!o.signal.aborted) {
      const now = Date.now();
      for (const [jobId] of links) {
        if (!settled.has(jobId) && now - (lastEdit.get(jobId) ?? 0) > REFRESH_MS) dirty.add(jobId);
      }
      let nextAt = now + REFRESH_MS / 4;
      for (const jobId of [...dirty]) {
        if (o.signal.aborted) break;
        const chat = links.get(jobId)?.chatId ?? '';
        const free = chatFreeAt.get(chat) ?? 0;
        if (free > Date.now()) {
          nextAt = Math.min(nextAt, free);
          continue;
        }
        dirty.delete(jobId);
        chatFreeAt.set(chat, Date.now() + o.editIntervalMs);
        await flush(jobId).catch((error: unknown) => {
          if (isChatGone(error)) {
            links.delete(jobId); // until the next start: the row stays, the chat may come back
            o.log({ event: 'edit-failed', jobId, chatId: chat, message: `gave up on the chat: ${String(error)}` });
            return;
          }
          dirty.add(jobId); // tried again in the chat's next slot
          o.log({ event: 'edit-failed', jobId, chatId: chat, message: String(error) });
        });
      }
      if (dirty.size > 0) {
        for (const jobId of dirty) nextAt = Math.min(nextAt, chatFreeAt.get(links.get(jobId)?.chatId ?? '') ?? 0);
      }
      const wait = Math.max(0, nextAt - Date.now());
      if (wait === 0 && dirty.size > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          o.signal.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        }
        wake = done;
        o.signal.addEventListener('abort', done, { once: true });
      });
    }
  };

  const following = (async () => {
    for await (const e of followEvents(store, { afterId: startId, signal: o.signal })) {
      if (links.has(e.jobId) && !dirty.has(e.jobId)) {
        dirty.add(e.jobId);
        kick();
      }
    }
  })();

  const done = Promise.all([editLoop(), following]).then(() => undefined);
  return {
    track(m, shown) {
      links.set(m.jobId, m);
      if (shown !== undefined) lastText.set(m.jobId, shown);
      dirty.add(m.jobId);
      kick();
    },
    done,
  };
}
