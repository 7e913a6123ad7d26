/**
 * A Telegram rig: telegram-test-api (a third-party Bot API emulator) on a loopback port of the
 * file's block, an allowlist file pointing chats at a repository, and `factory bot telegram` as a
 * real process of the built binary talking to the emulator. The emulator's getUpdates never
 * long-polls, so the config sets a poll gap (the bot's empty-poll transformer waits it out).
 * `dispose()` stops every bot and the emulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { TelegramServer as Emulator } from 'telegram-test-api/lib/telegramServer.js';
import { FACTORY_BIN } from '../../helpers/cli.js';
import { waitFor } from '../../jobs/harness.js';

// The package is CommonJS with `module.exports = TelegramServer`.
const TelegramServer = createRequire(import.meta.url)('telegram-test-api') as typeof Emulator;

/** Shaped like a real token (digits:AA…), so the redactor's Telegram pattern would catch it too. */
export const TOKEN = '7012345678:AAHtestTokenForTheEmulator_0123456789abc';

export interface ChatEntry {
  id: number;
  repo: string;
  [key: string]: unknown;
}

export interface BotProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, and wait for the exit code. */
  stop(): Promise<number | null>;
}

export interface TelegramRig {
  server: Emulator;
  apiRoot: string;
  configFile: string;
  writeConfig(chats: ChatEntry[], extra?: Record<string, unknown>): void;
  bot(env: Record<string, string>, args?: string[]): BotProcess;
  /** The bot's messages in a chat, as the emulator holds them now (edits applied). */
  messages(chatId: number): { id: number; text: string; keyboard: unknown; replyTo: number | undefined }[];
  /** A user in a chat (telegram-test-api's client). */
  client(chatId: number, userId: number, username?: string): ReturnType<Emulator['getClient']>;
  dispose(): Promise<void>;
}

export async function telegramRig(port: number, dir: string): Promise<TelegramRig> {
  // storeTimeout: the emulator drops messages older than this; a job takes minutes.
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 24 * 3600 });
  await server.start();
  const apiRoot = server.config.apiURL;
  const configFile = join(dir, 'telegram.json');
  const bots: BotProcess[] = [];
  return {
    server,
    apiRoot,
    configFile,
    writeConfig(chats, extra = {}) {
      writeFileSync(
        configFile,
        JSON.stringify({ apiRoot, pollIntervalMs: 200, editIntervalMs: 300, chats, ...extra }, null, 2),
      );
    },
    bot(env, args = []) {
      const child = spawn(process.execPath, [FACTORY_BIN, 'bot', 'telegram', '--config', configFile, ...args], {
        env: { ...process.env, NO_COLOR: '1', TELEGRAM_BOT_TOKEN: TOKEN, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (d) => (out += d));
      child.stderr?.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const b: BotProcess = {
        child,
        output: () => out,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      };
      bots.push(b);
      return b;
    },
    messages(chatId) {
      return server.storage.botMessages
        .filter((m) => String(m.message.chat_id) === String(chatId))
        .map((m) => {
          const msg = m.message as { text?: string; reply_markup?: unknown; reply_parameters?: unknown };
          const rp = (
            typeof msg.reply_parameters === 'string' ? JSON.parse(msg.reply_parameters) : msg.reply_parameters
          ) as { message_id?: number } | undefined;
          return { id: m.messageId, text: msg.text ?? '', keyboard: msg.reply_markup, replyTo: rp?.message_id };
        });
    },
    client: (chatId, userId, username = `user${userId}`) =>
      server.getClient(TOKEN, { chatId, userId, userName: username, type: 'supergroup', chatTitle: `chat ${chatId}` }),
    async dispose() {
      for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
      await server.stop();
    },
  };
}

/** Waits until the bot logged that it polls (its getMe and first getUpdates went through). */
export async function started(b: BotProcess): Promise<void> {
  await waitFor(
    () => `the bot to start; its output:\n${b.output()}`,
    () => (/telegram started|"event":"started"/.test(b.output()) ? true : b.child.exitCode !== null ? true : undefined),
    60_000,
  );
  if (b.child.exitCode !== null) throw new Error(`the bot exited ${b.child.exitCode}:\n${b.output()}`);
}
