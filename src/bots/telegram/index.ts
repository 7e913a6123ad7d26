/**
 * The Telegram bot (docs/telegram.md): a chat's message becomes a job, and the chat follows the job
 * to its review request in one message edited in place. An entry point like the MCP server: a
 * command (`factory bot telegram`) parses flags and calls `startTelegramBot`; everything the bot
 * knows about jobs it reads and writes through the job store (ADR 10), so it runs beside any
 * number of workers, in its own process or in the worker's (`--worker`).
 *
 *   const bot = await startTelegramBot({ token, config: loadTelegramConfig(telegramConfigPath()),
 *     store: openJobStore(), publisher: localPublisher(), env: process.env, signal, write: console.error });
 *   await bot.done;
 *
 * Updates arrive by long polling (default) or, with `webhook`, on a loopback HTTP server behind the
 * public URL Telegram posts to, checked by a secret token. The token is never logged or sent: every
 * log line and message passes a redactor that knows it (ADR 0131).
 */
import { createServer } from 'node:http';
import { GrammyError, HttpError, webhookCallback } from 'grammy';
import type { JobStore } from '../../jobs/index.js';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { createRedactor, type Publisher } from '../../publish/index.js';
import { createAccess } from './access.js';
import { createBot, isUnauthorized, retryCalls } from './api.js';
import { DEFAULT_API_ROOT, DEFAULT_EDIT_INTERVAL_MS, DEFAULT_POLL_INTERVAL_MS, type TelegramConfig } from './config.js';
import { type BotContext, installIntake } from './intake.js';
import { createLog } from './log.js';
import { startNotifier } from './notifier.js';

export { loadTelegramConfig, telegramConfigPath, type TelegramConfig } from './config.js';

export interface WebhookOptions {
  /** The public https URL Telegram posts updates to (a reverse proxy in front of `listen`). */
  url: string;
  host: string;
  port: number;
  /** Telegram sends it in X-Telegram-Bot-Api-Secret-Token; updates without it are refused. */
  secret: string;
}

export interface TelegramBotOptions {
  token: string;
  config: TelegramConfig;
  store: JobStore;
  /** What cancel and retry from the chat use (the worker publishes). */
  publisher: Publisher;
  env: NodeJS.ProcessEnv;
  /** Where log lines go (redacted). */
  write: (line: string) => void;
  /** Log lines as schema/telegram-log JSON. */
  json?: boolean;
  webhook?: WebhookOptions;
  signal: AbortSignal;
}

export interface TelegramBotHandle {
  /** The bot's @username. */
  username: string;
  /** Resolves when the signal aborted and polling (or the webhook server) stopped. */
  done: Promise<void>;
}

const UPDATES = ['message', 'callback_query'] as const;
/** A webhook handler may take this long (a cancel stops an instance) before Telegram is answered. */
const WEBHOOK_HANDLER_MS = 55_000;

export async function startTelegramBot(o: TelegramBotOptions): Promise<TelegramBotHandle> {
  const redact = createRedactor({ env: o.env, secrets: [o.token, o.webhook?.secret] });
  const log = createLog(redact, o.write, o.json === true);
  const bot = createBot<BotContext>(o.token, {
    apiRoot: o.config.apiRoot ?? DEFAULT_API_ROOT,
    pollIntervalMs: o.config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
  });
  const refusedAtStart = (error: unknown): FactoryFailure => {
    if (isUnauthorized(error)) {
      return new FactoryFailure('telegram-token-rejected', 'Telegram refused the bot token (401 Unauthorized)', {
        exitCode: ExitCode.unavailable,
        hint: 'copy the token again from @BotFather (/mybots → API Token) into TELEGRAM_BOT_TOKEN',
      });
    }
    if (error instanceof GrammyError) {
      return new FactoryFailure(
        'telegram-refused',
        `the Bot API refused ${error.method}: ${redact(error.description)}`,
        {
          exitCode: ExitCode.unavailable,
          ...(error.method === 'setWebhook'
            ? { hint: 'the webhook URL must be https on port 443, 80, 88 or 8443' }
            : {}),
        },
      );
    }
    const why = error instanceof HttpError ? error.message : String(error);
    return new FactoryFailure('telegram-unreachable', `cannot reach the Bot API: ${redact(why)}`, {
      exitCode: ExitCode.unavailable,
      hint: 'check the network, or the config\'s "apiRoot"',
    });
  };
  await bot.init().catch((error: unknown) => {
    throw refusedAtStart(error);
  });
  const notifier = await startNotifier({
    store: o.store,
    api: bot.api,
    redact,
    editIntervalMs: o.config.editIntervalMs ?? DEFAULT_EDIT_INTERVAL_MS,
    log,
    signal: o.signal,
  });
  installIntake(bot, {
    store: o.store,
    access: createAccess(o.config),
    notifier,
    redact,
    log,
    publisher: o.publisher,
    env: o.env,
  });
  bot.catch((e) => log({ event: 'error', message: `handling an update failed: ${String(e.error)}` }));

  const username = bot.botInfo.username;
  const chats = o.config.chats.length;
  let receiving: Promise<void>;
  if (o.webhook) {
    const w = o.webhook;
    const handle = webhookCallback(bot, 'http', {
      secretToken: w.secret,
      onTimeout: 'return',
      timeoutMilliseconds: WEBHOOK_HANDLER_MS,
    });
    const server = createServer((req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(w.port, w.host, () => resolve());
    });
    await bot.api
      .setWebhook(w.url, { secret_token: w.secret, allowed_updates: [...UPDATES] })
      .catch((error: unknown) => {
        server.close();
        throw refusedAtStart(error);
      });
    retryCalls(bot);
    log({
      event: 'started',
      message: `@${username} receives updates at ${w.url} (listening on ${w.host}:${w.port}); ${chats} chat(s) allowed`,
    });
    receiving = new Promise<void>((resolve) => {
      const stop = () => server.close(() => resolve());
      if (o.signal.aborted) stop();
      else o.signal.addEventListener('abort', stop, { once: true });
    });
  } else {
    retryCalls(bot);
    receiving = new Promise<void>((resolve, reject) => {
      bot
        .start({
          allowed_updates: [...UPDATES],
          onStart: () => log({ event: 'started', message: `@${username} polling; ${chats} chat(s) allowed` }),
        })
        .then(resolve, reject);
      const stop = () => void bot.stop();
      if (o.signal.aborted) stop();
      else o.signal.addEventListener('abort', stop, { once: true });
    });
  }
  const done = Promise.all([receiving, notifier.done]).then(() =>
    log({ event: 'stopped', message: `@${username} stopped` }),
  );
  return { username, done };
}
