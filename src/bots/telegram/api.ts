/**
 * The grammY bot with the two transformers every call goes through:
 * - `autoRetry` (@grammyjs/auto-retry): a 429 is retried after its `retry_after`, a 5xx or a network
 *   error with backoff — Telegram's flood control is honoured, never fought;
 * - an empty-poll gap: a getUpdates that comes back empty sooner than `pollIntervalMs` waits out the
 *   rest. Telegram's long poll never does (it holds the call up to its timeout), but a Bot API server
 *   that does not long-poll (telegram-test-api, a proxy) would otherwise be called in a tight loop.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, type Context, GrammyError, type Transformer } from 'grammy';
import { sleep } from '../../lib/sleep.js';

/** Seconds of `retry_after` worth waiting; a longer flood wait fails the call (the edit is retried later). */
const MAX_RETRY_AFTER_S = 120;

export function emptyPollGap(pollIntervalMs: number): Transformer {
  return async (prev, method, payload, signal) => {
    const started = Date.now();
    const result = await prev(method, payload, signal);
    if (method === 'getUpdates' && result.ok && Array.isArray(result.result) && result.result.length === 0) {
      const left = pollIntervalMs - (Date.now() - started);
      if (left > 0) await sleep(left, signal as AbortSignal | undefined);
    }
    return result;
  };
}

export function createBot<C extends Context>(token: string, o: { apiRoot: string; pollIntervalMs: number }): Bot<C> {
  const bot = new Bot<C>(token, { client: { apiRoot: o.apiRoot } });
  bot.api.config.use(emptyPollGap(o.pollIntervalMs));
  return bot;
}

/**
 * From here on, calls wait out flood control and outages. Installed after the start-up calls
 * (getMe, setWebhook), which should fail at once with a clear message instead of retrying for ever.
 */
export function retryCalls(bot: Bot<Context> | Bot<never>): void {
  (bot as Bot<Context>).api.config.use(autoRetry({ maxDelaySeconds: MAX_RETRY_AFTER_S, maxRetryAttempts: 5 }));
}

/** Telegram answers 400 "message is not modified" to an edit with the same text: not a failure. */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && /message is not modified/i.test(error.description);
}

/** The edited message is gone (deleted in the chat): a new one takes its place. */
export function isMessageGone(error: unknown): boolean {
  return error instanceof GrammyError && /message to edit not found|message can't be edited/i.test(error.description);
}

/** The token was refused (revoked, mistyped). */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 401;
}

/** The bot can no longer write to the chat (kicked, chat deleted): its messages there are given up. */
export function isChatGone(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    (error.error_code === 403 || /chat not found|bot was kicked|not enough rights/i.test(error.description))
  );
}
