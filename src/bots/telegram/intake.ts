/**
 * What the bot does with an update (docs/telegram.md):
 *
 *   any update ──allowlist (./access.ts)──▶ foreign: one refusal, logged without its text, nothing runs
 *       │ allowed
 *       ├─ /new <request> · a reply to the bot · any plain message when the chat says `everyMessage`
 *       │     → createJob (the text is the request, verbatim: data, ADR 12) → a progress message
 *       │       replying to the request → its ids in the store → the notifier edits it from then on
 *       ├─ /jobs · /status <id> · /cancel <id> · /approve <id> · /retry <id> · /help
 *       └─ the progress message's buttons: Cancel, Approve
 *
 * A chat sees and acts on the jobs of its own repository only.
 */
import { basename } from 'node:path';
import type { Bot, Context } from 'grammy';
import {
  approveJob,
  cancelJob,
  type ChatMessage,
  createJob,
  findJob,
  type Job,
  type JobSettings,
  type JobStore,
  retryJob,
} from '../../jobs/index.js';
import type { Publisher, Redactor } from '../../publish/index.js';
import type { Access, AllowedChat } from './access.js';
import type { Log } from './log.js';
import { CHANNEL, keyboard, type Notifier } from './notifier.js';
import { jobLine, renderProgress } from './render.js';

const MAX_TEXT = 4096;

export interface IntakeOptions {
  store: JobStore;
  access: Access;
  notifier: Notifier;
  redact: Redactor;
  log: Log;
  publisher: Publisher;
  env: NodeJS.ProcessEnv;
}

export type BotContext = Context & { allowedChat?: AllowedChat };

export const HELP = [
  '/new <request> — start a job: plan, build, test, record, review',
  '/jobs — the latest jobs of this chat’s repository',
  '/status <id> — where a job is',
  '/cancel <id> — stop a job (its worktree and branch are kept)',
  '/approve <id> — let a job that touches gated paths go on',
  '/retry <id> — resume a failed or cancelled job where it stopped',
  '/help — this list',
].join('\n');

function settingsOf(chat: AllowedChat): JobSettings {
  return {
    repo: chat.root,
    ...(chat.agent ? { agent: chat.agent } : {}),
    ...(chat.model ? { model: chat.model } : {}),
    ...(chat.sandbox ? { sandbox: chat.sandbox } : {}),
    ...(chat.tests ? { tests: chat.tests } : {}),
    ...(chat.maxFixRounds !== undefined ? { maxFixRounds: chat.maxFixRounds } : {}),
    ...(chat.portRange !== undefined ? { portRange: chat.portRange } : {}),
    ...(chat.publisher ? { publisher: chat.publisher } : {}),
    ...(chat.remote ? { remote: chat.remote } : {}),
  };
}

/** A t.me link to a message, where Telegram has one (supergroups and channels). */
function messageLink(chat: Context['chat'], messageId: number): string | undefined {
  if (!chat || (chat.type !== 'supergroup' && chat.type !== 'channel')) return undefined;
  if ('username' in chat && chat.username) return `https://t.me/${chat.username}/${messageId}`;
  return `https://t.me/c/${String(chat.id).replace(/^-100/, '')}/${messageId}`;
}

export function installIntake(bot: Bot<BotContext>, o: IntakeOptions): void {
  const say = (ctx: BotContext, text: string) =>
    ctx.reply(o.redact(text).slice(0, MAX_TEXT), {
      ...(ctx.msg ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {}),
    });
  const ids = (ctx: BotContext) => ({
    chatId: String(ctx.chat?.id ?? ''),
    ...(ctx.from ? { userId: String(ctx.from.id) } : {}),
  });
  const failText = (error: unknown) => {
    const e = error as { message?: string; hint?: string };
    return `${e.message ?? String(error)}${e.hint ? `\nhint: ${e.hint}` : ''}`;
  };

  // The allowlist guards every update before anything else runs.
  bot.use(async (ctx, next) => {
    if (ctx.from?.is_bot) return;
    const chatId = ctx.chat?.id ?? ctx.callbackQuery?.message?.chat.id;
    const d = o.access.decide(chatId, ctx.from?.id);
    if (d.allowed) {
      ctx.allowedChat = d.chat;
      return next();
    }
    o.log({
      event: 'refused',
      chatId: String(chatId ?? ''),
      ...(ctx.from ? { userId: String(ctx.from.id) } : {}),
      message: `${d.reason === 'chat' ? 'chat not in the allowlist' : 'user not allowed in this chat'}${d.refuse ? '; answered once' : '; ignored (already answered)'}`,
    });
    if (!d.refuse) {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
      return;
    }
    const text =
      d.reason === 'chat'
        ? `This chat (id ${chatId}) is not allowed to use this bot; nothing was run. Its owner can add the chat to the bot's allowlist (docs/telegram.md).`
        : `You (user id ${ctx.from?.id}) are not allowed to use this bot in this chat; nothing was run.`;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true }).catch(() => {});
    else await say(ctx, text);
  });

  /** A job of this chat's repository, or a reply saying why not. */
  const jobHere = async (ctx: BotContext, ref: string, usage: string): Promise<Job | undefined> => {
    const chat = ctx.allowedChat as AllowedChat;
    if (ref.trim() === '') {
      await say(ctx, `usage: ${usage}`);
      return undefined;
    }
    try {
      const job = await findJob(o.store, ref.trim());
      if (job.repo === chat.root) return job;
    } catch {
      // not found or ambiguous: answered below, the same way
    }
    await say(ctx, `no job "${ref.trim()}" in ${basename(chat.root)}; /jobs lists them`);
    return undefined;
  };

  const start = async (ctx: BotContext, request: string) => {
    const chat = ctx.allowedChat as AllowedChat;
    if (request.trim() === '') {
      await say(ctx, 'usage: /new <what to change>, e.g. /new Show the number of projects in the page header');
      return;
    }
    let job: Job;
    try {
      job = await createJob(o.store, request, settingsOf(chat), o.env);
    } catch (error) {
      await say(ctx, `no job started: ${failText(error)}`);
      return;
    }
    const view = renderProgress(job, new Date(), o.redact);
    const sent = await ctx.reply(view.text, {
      reply_markup: keyboard(view.buttons),
      ...(ctx.msg ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {}),
    });
    const requestMessageId = ctx.msg?.message_id ?? null;
    const message: ChatMessage = await o.store.saveChatMessage({
      jobId: job.id,
      channel: CHANNEL,
      chatId: String(ctx.chat?.id),
      messageId: sent.message_id,
      requestMessageId,
      userId: ctx.from ? String(ctx.from.id) : null,
      lastEventId: 0,
      videoMessageId: null,
    });
    const link = requestMessageId === null ? undefined : messageLink(ctx.chat, requestMessageId);
    const who = ctx.from?.username ? `@${ctx.from.username}` : `user ${ctx.from?.id}`;
    await o.store.append(job.id, {
      type: 'control',
      action: 'requested',
      role: 'human',
      attempt: 1,
      round: 1,
      message: `requested in Telegram by ${who}: chat ${ctx.chat?.id}, message ${requestMessageId}${link ? ` (${link})` : ''}`,
    });
    o.notifier.track(message, view.text);
    o.log({ event: 'job-created', ...ids(ctx), jobId: job.id, message: `job ${job.id} on ${chat.root}` });
  };

  bot.command(['help', 'start'], async (ctx) => {
    const chat = ctx.allowedChat as AllowedChat;
    await say(ctx, `${HELP}\n\nThis chat (id ${ctx.chat.id}) asks for changes to ${basename(chat.root)}.`);
  });
  bot.command('new', (ctx) => start(ctx, ctx.match));
  bot.command('jobs', async (ctx) => {
    const chat = ctx.allowedChat as AllowedChat;
    const jobs = await o.store.list({ repo: chat.root, limit: 10 });
    await say(
      ctx,
      jobs.length ? jobs.map(jobLine).join('\n') : `no jobs yet in ${basename(chat.root)}; start one with /new`,
    );
  });
  bot.command('status', async (ctx) => {
    const job = await jobHere(ctx, ctx.match, '/status <job id>');
    if (job) await say(ctx, renderProgress(job, new Date(), o.redact).text);
  });

  const act = async (ctx: BotContext, action: 'cancel' | 'approve' | 'retry', job: Job): Promise<string> => {
    const runtime = { publisher: o.publisher, env: o.env };
    try {
      if (action === 'cancel') {
        const r = await cancelJob(o.store, job.id, runtime);
        o.log({ event: 'action', ...ids(ctx), jobId: job.id, message: 'cancel' });
        return r.immediate ? `cancelled ${job.id}` : `stopping ${job.id}…`;
      }
      if (action === 'approve') {
        const who = ctx.from?.username ? `@${ctx.from.username}` : `user ${ctx.from?.id}`;
        await approveJob(o.store, job.id, `telegram ${who}`);
        o.log({ event: 'action', ...ids(ctx), jobId: job.id, message: 'approve' });
        return `approved ${job.id}`;
      }
      const next = await retryJob(o.store, job.id, runtime);
      o.log({ event: 'action', ...ids(ctx), jobId: job.id, message: 'retry' });
      const tracked = await o.store.chatMessages({ channel: CHANNEL, jobId: job.id });
      if (tracked[0]) o.notifier.track(tracked[0]);
      return `retrying ${job.id} from ${next.state}`;
    } catch (error) {
      return `${action} ${job.id}: ${failText(error)}`;
    }
  };
  for (const action of ['cancel', 'approve', 'retry'] as const) {
    bot.command(action, async (ctx) => {
      const job = await jobHere(ctx, ctx.match, `/${action} <job id>`);
      if (job) await say(ctx, await act(ctx, action, job));
    });
  }

  bot.callbackQuery(/^(cancel|approve):(.+)$/, async (ctx) => {
    const [, action, ref] = ctx.match as RegExpMatchArray;
    const chat = ctx.allowedChat as AllowedChat;
    const job = await findJob(o.store, ref ?? '').catch(() => undefined);
    const text =
      job && job.repo === chat.root ? await act(ctx, action as 'cancel' | 'approve', job) : `no job ${ref} here`;
    await ctx.answerCallbackQuery({ text: o.redact(text).slice(0, 200) });
  });

  bot.on('message:text', async (ctx) => {
    const chat = ctx.allowedChat as AllowedChat;
    if (ctx.msg.text.startsWith('/')) {
      const command = ctx.msg.text.split(/\s/)[0] ?? '';
      // `/x@another_bot` is another bot's business in a group.
      if (command.includes('@') && command.split('@')[1] !== ctx.me.username) return;
      await say(ctx, `unknown command ${command}\n\n${HELP}`);
      return;
    }
    const toBot = ctx.msg.reply_to_message?.from?.id === ctx.me.id;
    if (chat.everyMessage || toBot) await start(ctx, ctx.msg.text);
  });
}
