/**
 * A Telegram rig: telegram-test-api (a third-party Bot API emulator) on a loopback port of the
 * file's block, an allowlist file pointing chats at a repository, and `factory bot telegram` as a
 * real process of the built binary talking to the emulator. The emulator's getUpdates never
 * long-polls, so the config sets a poll gap (the bot's empty-poll transformer waits it out).
 *
 * The emulator has no sendVideo or sendDocument, so the bot talks to it through a loopback proxy
 * that answers those two itself, as the Bot API documents them (a multipart upload in, a Message with
 * its `video` or `document` out), keeps what was uploaded (`uploads`), and passes every other call
 * on. `dispose()` stops every bot, the proxy and the emulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** A file the bot uploaded (sendVideo / sendDocument), as the proxy received it. */
export interface Upload {
  method: 'sendVideo' | 'sendDocument';
  chatId: string;
  filename: string;
  bytes: Buffer;
  caption: string | undefined;
  /** reply_parameters.message_id: the message it answers. */
  replyTo: number | undefined;
  messageId: number;
}

export interface TelegramRig {
  server: Emulator;
  /** The emulator's own root (the bots' apiRoot is the proxy in front of it). */
  emulatorRoot: string;
  apiRoot: string;
  uploads: Upload[];
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
  const emulatorRoot = server.config.apiURL;
  const uploads: Upload[] = [];
  const proxy = await uploadProxy(emulatorRoot, uploads);
  const apiRoot = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const configFile = join(dir, 'telegram.json');
  const bots: BotProcess[] = [];
  return {
    server,
    emulatorRoot,
    apiRoot,
    uploads,
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
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
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

/** Message ids of uploads: far from the emulator's own (it counts from 1). */
let nextUploadId = 900_000;

interface Part {
  name: string;
  filename: string | undefined;
  data: Buffer;
}

/**
 * multipart/form-data as grammY writes it (`content-disposition:form-data;name="x";filename=y`,
 * no spaces, the file name unquoted — which the Bot API takes and undici's strict parser refuses).
 */
function parseMultipart(body: Buffer, contentType: string): Map<string, Part> {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  const parts = new Map<string, Part>();
  if (!boundary) return parts;
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // after the CRLF, before the CRLF ahead of the next delimiter
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const name = /name="?([^";\r\n]+)"?/i.exec(headers.replace(/filename=[^;\r\n]*/i, ''))?.[1];
    const filename = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1];
    if (name) parts.set(name, { name, filename, data: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}

/** The file of a field: the part itself, or the part it points at (`attach://<name>`). */
function fileOf(parts: Map<string, Part>, field: string): Part | undefined {
  let part = parts.get(field);
  const text = part?.filename === undefined ? part?.data.toString('utf8') : undefined;
  if (text?.startsWith('attach://')) part = parts.get(text.slice('attach://'.length));
  return part?.filename === undefined ? undefined : part;
}

async function uploadProxy(emulatorRoot: string, uploads: Upload[]): Promise<Server> {
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const method = req.url?.split('/').at(-1);
      const answer = (status: number, json: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      try {
        if (method === 'sendVideo' || method === 'sendDocument') {
          const form = parseMultipart(body, req.headers['content-type'] ?? '');
          const field = method === 'sendVideo' ? 'video' : 'document';
          const file = fileOf(form, field);
          const chatId = form.get('chat_id')?.data.toString('utf8');
          if (!file || chatId === undefined) {
            answer(400, {
              ok: false,
              error_code: 400,
              description: `Bad Request: there is no ${field} in the request`,
            });
            return;
          }
          const reply = form.get('reply_parameters')?.data.toString('utf8');
          const caption = form.get('caption')?.data.toString('utf8');
          const upload: Upload = {
            method,
            chatId,
            filename: file.filename ?? '',
            bytes: file.data,
            caption,
            replyTo: reply === undefined ? undefined : (JSON.parse(reply) as { message_id?: number }).message_id,
            messageId: nextUploadId++,
          };
          uploads.push(upload);
          const media = {
            file_id: `upload-${upload.messageId}`,
            file_unique_id: `u${upload.messageId}`,
            file_name: file.filename,
            file_size: file.data.length,
          };
          answer(200, {
            ok: true,
            result: {
              message_id: upload.messageId,
              date: Math.floor(Date.now() / 1000),
              chat: { id: Number(chatId), type: 'supergroup', title: `chat ${chatId}` },
              ...(upload.caption ? { caption: upload.caption } : {}),
              ...(method === 'sendVideo'
                ? { video: { ...media, width: 1280, height: 720, duration: 1, mime_type: 'video/mp4' } }
                : { document: media }),
            },
          });
          return;
        }
        const r = await fetch(`${emulatorRoot}${req.url}`, {
          method: req.method ?? 'POST',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
        });
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await r.arrayBuffer()));
      } catch (error) {
        answer(502, { ok: false, error_code: 502, description: `proxy: ${String(error)}` });
      }
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}
