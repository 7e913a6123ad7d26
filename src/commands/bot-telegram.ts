/**
 * `factory bot telegram [--config FILE] [--worker [--concurrency N]] [--webhook-url URL
 * [--webhook-listen HOST:PORT]] [--json]`: serve the chats of the allowlist until Ctrl-C / SIGTERM
 * (src/bots/telegram/, docs/telegram.md). The token comes from TELEGRAM_BOT_TOKEN only. `--worker`
 * runs a worker in the same process, so one command is the whole service. Log lines go to stderr;
 * with --json one schema/telegram-log line per record on stdout.
 * Exit codes: 0 stopped by a signal; 2 a bad flag or allowlist file; 3 no token, a token Telegram
 * refuses, or the Bot API unreachable.
 */
import { randomBytes } from 'node:crypto';
import { defineCommand } from 'citty';
import { loadTelegramConfig, startTelegramBot, telegramConfigPath } from '../bots/telegram/index.js';
import { startWorker, type WorkerHandle } from '../jobs/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { onInterrupt } from '../lib/interrupt.js';
import { eprintln, println } from '../lib/output.js';
import { localPublisher } from '../publish/index.js';
import { store } from './ui/job-cli.js';
import { storeOutageLine } from './ui/job-render.js';

function listenOf(v: string | undefined): { host: string; port: number } {
  if (v === undefined) return { host: '127.0.0.1', port: 8443 };
  const m = /^(?:(.+):)?(\d+)$/.exec(v);
  const port = Number(m?.[2]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new FactoryFailure('usage', `--webhook-listen expects HOST:PORT or PORT, got "${v}"`, {
      exitCode: ExitCode.invalid,
      hint: '--webhook-listen 127.0.0.1:8443',
    });
  return { host: m[1] ?? '127.0.0.1', port };
}

export default defineCommand({
  meta: { name: 'telegram', description: 'Serve the allowlisted Telegram chats: a message starts a job.' },
  args: {
    config: {
      type: 'string',
      description: 'The allowlist file (default FACTORY_TELEGRAM_CONFIG, else ~/.config/factory/telegram.json)',
    },
    worker: { type: 'boolean', description: 'Run a worker in the same process too' },
    concurrency: { type: 'string', description: 'Jobs the --worker runs at once (default 1)' },
    'webhook-url': { type: 'string', description: 'Receive updates by webhook at this public https URL' },
    'webhook-listen': {
      type: 'string',
      description: 'Where the webhook server listens, HOST:PORT (default 127.0.0.1:8443)',
    },
    json: { type: 'boolean', description: 'One JSON log line per record on stdout (schema/telegram-log.schema.json)' },
  },
  async run({ args }) {
    const concurrency = args.concurrency === undefined ? 1 : Number(args.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new FactoryFailure('usage', `--concurrency must be a positive integer (got "${args.concurrency}")`, {
        exitCode: ExitCode.invalid,
      });
    if (args.concurrency !== undefined && !args.worker)
      throw new FactoryFailure('usage', '--concurrency applies to the --worker', {
        exitCode: ExitCode.invalid,
        hint: 'factory bot telegram --worker --concurrency 2',
      });
    const listen = listenOf(args['webhook-listen']);
    if (args['webhook-listen'] !== undefined && !args['webhook-url'])
      throw new FactoryFailure('usage', '--webhook-listen needs --webhook-url', {
        exitCode: ExitCode.invalid,
        hint: '--webhook-url https://bot.example.com/telegram --webhook-listen 127.0.0.1:8443',
      });
    const config = loadTelegramConfig(args.config ?? telegramConfigPath(process.env));
    const token = process.env.TELEGRAM_BOT_TOKEN?.trim();
    if (!token)
      throw new FactoryFailure('telegram-token-missing', 'TELEGRAM_BOT_TOKEN is not set', {
        exitCode: ExitCode.unavailable,
        hint: 'create a bot with @BotFather and export TELEGRAM_BOT_TOKEN=<its token> (docs/telegram.md)',
      });
    const s = store();
    const stop = new AbortController();
    const off = onInterrupt(() => stop.abort());
    let worker: WorkerHandle | undefined;
    try {
      const bot = await startTelegramBot({
        token,
        config,
        store: s,
        publisher: localPublisher(),
        env: process.env,
        write: args.json ? println : eprintln,
        json: args.json === true,
        signal: stop.signal,
        ...(args['webhook-url']
          ? {
              webhook: {
                url: args['webhook-url'],
                ...listen,
                secret: process.env.TELEGRAM_WEBHOOK_SECRET || randomBytes(24).toString('hex'),
              },
            }
          : {}),
      });
      if (args.worker)
        worker = startWorker({
          store: s,
          publisher: localPublisher(),
          concurrency,
          signal: stop.signal,
          onStoreOutage: (error, retryInMs) => eprintln(storeOutageLine(s.location, error, retryInMs)),
        });
      await Promise.all([bot.done, worker?.done]);
      return ExitCode.ok;
    } finally {
      stop.abort();
      await worker?.done;
      off();
      await s.close();
    }
  },
});
