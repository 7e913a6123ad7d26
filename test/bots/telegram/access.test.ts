/**
 * The allowlist against a Bot API emulator (telegram-test-api) and the real binary: a foreign chat
 * and a foreign user each get one refusal and run nothing, their text is never logged, the token
 * never leaves the process; an allowed user gets answers; mistakes in the setup exit before serving.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteJobStore } from '../../../src/jobs/store/sqlite.js';
import { JOB_STATES } from '../../../src/publish/index.js';
import { runFactory } from '../../helpers/cli.js';
import { waitFor } from '../../jobs/harness.js';
import { basePort, expectSchema } from '../../services/helpers.js';
import { started, type TelegramRig, TOKEN, telegramRig } from './harness.js';

const ALLOWED = -100111;
const FOREIGN = -100999;

let dir: string;
let repo: string;
let rig: TelegramRig;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'factory-telegram-'));
  repo = join(dir, 'repo');
  mkdirSync(repo);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# plain\n');
  git('add', '-A');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'plain');
  rig = await telegramRig(basePort(60), dir);
});
afterAll(async () => {
  await rig?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A loopback stand-in for Telegram's answers to edits, in front of the emulator: `answer(n)` gives
 * the n-th editMessageText its status and body, or undefined to pass it on.
 */
async function editProxy(port: number, answer: (n: number) => { status: number; body: object } | undefined) {
  const edits: number[] = [];
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (req.url?.endsWith('/editMessageText')) {
        edits.push(Date.now());
        const a = answer(edits.length);
        if (a) {
          res.writeHead(a.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(a.body));
          return;
        }
      }
      const r = await fetch(`${rig.apiRoot}${req.url}`, {
        method: req.method ?? 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(req.method === 'GET' ? {} : { body: Buffer.concat(chunks) }),
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return { edits, close: () => new Promise<void>((resolve) => proxy.close(() => resolve())) };
}

describe('factory bot telegram: who may use it', () => {
  it('a foreign chat and a foreign user get one refusal each and run nothing; the text is not logged', {
    timeout: 120_000,
  }, async () => {
    rig.writeConfig([{ id: ALLOWED, repo, users: [11] }]);
    const store = join(dir, 'jobs.db');
    const bot = rig.bot({ FACTORY_JOB_STORE: store }, ['--json']);
    await started(bot);
    const stranger = rig.client(FOREIGN, 99);
    await stranger.sendCommand(stranger.makeCommand('/new wipe-the-database-ONE'));
    await stranger.sendMessage(stranger.makeMessage('wipe-the-database-TWO'));
    const intruder = rig.client(ALLOWED, 12);
    await intruder.sendCommand(intruder.makeCommand('/new wipe-the-database-THREE'));
    await intruder.sendCommand(intruder.makeCommand('/jobs'));
    const member = rig.client(ALLOWED, 11);
    await member.sendCommand(member.makeCommand('/help'));
    // Updates are handled in order: once /help is answered, everything before it was handled.
    const help = await waitFor(
      () => `the answer to /help; bot output:\n${bot.output()}`,
      () => rig.messages(ALLOWED).find((m) => m.text.includes('/new <request>')),
      60_000,
    );
    expect(help.text).toContain(`This chat (id ${ALLOWED})`);
    const toStranger = rig.messages(FOREIGN);
    expect(toStranger).toHaveLength(1);
    expect(toStranger[0]?.text).toMatch(/^This chat \(id -100999\) is not allowed to use this bot; nothing was run/);
    const inAllowed = rig.messages(ALLOWED);
    expect(inAllowed.map((m) => m.text.split(';')[0])).toEqual([
      'You (user id 12) are not allowed to use this bot in this chat',
      help.text.split(';')[0],
    ]);
    const s = openSqliteJobStore(store);
    expect(await s.list()).toEqual([]);
    await s.close();
    expect(await bot.stop()).toBe(0);
    const records = bot
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) expectSchema('telegram-log', r);
    expect(records.filter((r) => r.event === 'refused').map((r) => [r.chatId, r.userId])).toEqual([
      [String(FOREIGN), '99'],
      [String(FOREIGN), '99'],
      [String(ALLOWED), '12'],
      [String(ALLOWED), '12'],
    ]);
    expect(records.map((r) => r.event)).toEqual(expect.arrayContaining(['started', 'stopped']));
    expect(bot.output()).not.toContain('wipe-the-database');
    expect(bot.output()).not.toContain(TOKEN);
    expect(bot.output()).not.toContain(TOKEN.split(':')[1]);
    for (const m of rig.server.storage.botMessages) expect(JSON.stringify(m.message)).not.toContain(TOKEN);
  });

  it('a missing or wrong allowlist, or no token: exit 2 or 3 before serving, naming what is wrong', {
    timeout: 120_000,
  }, async () => {
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, FACTORY_JOB_STORE: join(dir, 'setup.db') };
    const missing = await runFactory(['bot', 'telegram', '--config', join(dir, 'nope.json')], { cwd: dir, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `error no Telegram bot config at ${join(dir, 'nope.json')}\n` +
        '  hint: create it with the chats the bot serves, e.g. {"chats": [{"id": -1001234567890, "repo": "/home/me/src/app"}]} (docs/telegram.md)\n',
    );
    rig.writeConfig([{ id: ALLOWED, repo: 'repo' }]);
    const relative = await runFactory(['bot', 'telegram', '--config', rig.configFile], { cwd: dir, env });
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain(`error ${rig.configFile}: chats.0.repo "repo" is not an absolute path`);
    rig.writeConfig([{ id: ALLOWED, repo, color: 'blue' }]);
    const extra = await runFactory(['bot', 'telegram', '--config', rig.configFile, '--json'], { cwd: dir, env });
    expect(extra.code).toBe(2);
    expect(JSON.parse(extra.stdout).error.message).toBe(
      `${rig.configFile}: chats.0 must NOT have additional properties "color"`,
    );
    rig.writeConfig([{ id: ALLOWED, repo, remote: 'upstream' }]);
    const remote = await runFactory(['bot', 'telegram', '--config', rig.configFile], { cwd: dir, env });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toBe(
      `error ${rig.configFile}: chats.0.remote goes with "publisher": "github"\n` +
        '  hint: add "publisher": "github", or drop "remote"\n',
    );
    rig.writeConfig([{ id: ALLOWED, repo, publisher: 'gitlab' }]);
    const publisher = await runFactory(['bot', 'telegram', '--config', rig.configFile], { cwd: dir, env });
    expect(publisher.code).toBe(2);
    expect(publisher.stderr).toContain(`error ${rig.configFile}: chats.0.publisher `);
    rig.writeConfig([{ id: ALLOWED, repo }]);
    const noToken = await runFactory(['bot', 'telegram', '--config', rig.configFile], {
      cwd: dir,
      env: { ...env, TELEGRAM_BOT_TOKEN: '' },
    });
    expect(noToken.code).toBe(3);
    expect(noToken.stderr.split('\n')[0]).toBe('error TELEGRAM_BOT_TOKEN is not set');
    for (const r of [missing, relative, extra, remote, publisher, noToken]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a 429 on an edit is retried after its retry_after; the message ends in the new state', {
    timeout: 120_000,
  }, async () => {
    // A loopback stand-in for Telegram's flood control in front of the emulator: the first
    // editMessageText is answered 429 with retry_after 1.
    const { edits, close } = await editProxy(basePort(60) + 1, (n) =>
      n === 1
        ? {
            status: 429,
            body: {
              ok: false,
              error_code: 429,
              description: 'Too Many Requests: retry after 1',
              parameters: { retry_after: 1 },
            },
          }
        : undefined,
    );
    try {
      rig.writeConfig([{ id: ALLOWED, repo }], { apiRoot: `http://127.0.0.1:${basePort(60) + 1}` });
      const store = join(dir, 'flood.db');
      const bot = rig.bot({ FACTORY_JOB_STORE: store });
      await started(bot);
      const member = rig.client(ALLOWED, 31);
      await member.sendCommand(member.makeCommand('/new Show the number of projects in the page header'));
      const s = openSqliteJobStore(store);
      const id = await waitFor('the job', async () => (await s.list())[0]?.id);
      const progress = () => rig.messages(ALLOWED).find((m) => m.text.includes(id) && m.text.startsWith('⏳'));
      await waitFor('the progress message', progress);
      // No worker runs: the job waits in received, and a cancel ends it at once.
      await member.sendCommand(member.makeCommand(`/cancel ${id}`));
      const text = await waitFor(
        () => `the cancelled state in the progress message; bot:\n${bot.output()}`,
        () => rig.messages(ALLOWED).find((m) => m.text.startsWith(`⏹ Cancelled — ${id}`))?.text,
        60_000,
      );
      expect(text).toContain(`Retry with: /retry ${id}`);
      expect(edits.length).toBeGreaterThanOrEqual(2);
      // The retry waited out retry_after (a lower bound, not a speed measurement).
      expect((edits[1] ?? 0) - (edits[0] ?? 0)).toBeGreaterThanOrEqual(1000);
      expect((await s.get(id))?.state).toBe('cancelled');
      await s.close();
      expect(await bot.stop()).toBe(0);
    } finally {
      await close();
    }
  });

  it('--webhook-url: registers the webhook with its secret, serves updates on loopback, refuses a post without the secret', {
    timeout: 120_000,
  }, async () => {
    const port = basePort(60) + 2;
    const url = `http://127.0.0.1:${port}/telegram`;
    const secret = 'webhook-secret-0123456789';
    rig.writeConfig([{ id: ALLOWED, repo }]);
    const bot = rig.bot({ FACTORY_JOB_STORE: join(dir, 'hook.db'), TELEGRAM_WEBHOOK_SECRET: secret }, [
      '--webhook-url',
      url,
      '--webhook-listen',
      `127.0.0.1:${port}`,
    ]);
    await started(bot);
    const hooks = (rig.server as unknown as { webhooks: Record<string, { url: string }> }).webhooks;
    expect(hooks[TOKEN]?.url).toBe(url);
    const update = (messageId: number) => ({
      update_id: 1000 + messageId,
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: ALLOWED, type: 'supergroup', title: 'project' },
        from: { id: 41, is_bot: false, first_name: 'Dana' },
        text: '/help',
        entities: [{ type: 'bot_command', offset: 0, length: 5 }],
      },
    });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post(update(90_004))).status).toBe(401);
    expect((await post(update(90_005), { 'X-Telegram-Bot-Api-Secret-Token': secret })).status).toBe(200);
    const answer = await waitFor(
      () => `the answer to the webhook's /help; bot:\n${bot.output()}`,
      () => rig.messages(ALLOWED).find((m) => m.replyTo === 90_005),
      60_000,
    );
    expect(answer.text).toContain('/new <request>');
    expect(rig.messages(ALLOWED).filter((m) => m.replyTo === 90_004)).toEqual([]);
    expect(bot.output()).not.toContain(secret);
    expect(await bot.stop()).toBe(0);
    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('intake and controls: every-message chats, replies to the bot, /jobs, /status, the Cancel button, /retry', {
    timeout: 120_000,
  }, async () => {
    const EVERY = -100121;
    const PLAIN = -100122;
    rig.writeConfig([
      { id: EVERY, repo, everyMessage: true },
      { id: PLAIN, repo },
    ]);
    const store = join(dir, 'intake.db');
    const bot = rig.bot({ FACTORY_JOB_STORE: store });
    await started(bot);
    const s = openSqliteJobStore(store);
    const progressOf = async (jobId: string) =>
      waitFor(
        `the progress message of ${jobId}`,
        async () => (await s.chatMessages({ channel: 'telegram', jobId }))[0],
      );
    try {
      // A chat where every message is a request.
      const eve = rig.client(EVERY, 51);
      await eve.sendMessage(eve.makeMessage('Add a dark mode toggle'));
      const first = await waitFor('a job from the plain message', async () => (await s.list())[0]);
      expect(first.request).toBe('Add a dark mode toggle');
      const p1 = await progressOf(first.id);
      expect(rig.messages(EVERY).find((m) => m.id === p1.messageId)).toMatchObject({ replyTo: p1.requestMessageId });

      // Elsewhere a plain message is talk; a reply to the bot is a request.
      const pat = rig.client(PLAIN, 52);
      await pat.sendMessage(pat.makeMessage('just chatting'));
      await pat.sendCommand(pat.makeCommand('/help'));
      const help = await waitFor('the /help answer', () => rig.messages(PLAIN).find((m) => m.text.includes('/new')));
      expect(await s.list()).toHaveLength(1);
      await pat.sendMessage(
        pat.makeMessage('Make the header blue', {
          reply_to_message: {
            message_id: help.id,
            date: Math.floor(Date.now() / 1000),
            chat: { id: PLAIN, type: 'supergroup', title: 'chat' },
            from: { id: 666, is_bot: true, first_name: 'Test First name' },
            text: help.text,
          },
        } as never),
      );
      const second = await waitFor('a job from the reply', async () => (await s.list()).find((j) => j.id !== first.id));
      expect(second.request).toBe('Make the header blue');
      const p2 = await progressOf(second.id);

      const answer = async (command: string, pattern: RegExp) => {
        await pat.sendCommand(pat.makeCommand(command));
        return waitFor(
          () => `an answer to ${command} matching ${pattern}; bot:\n${bot.output()}`,
          () => rig.messages(PLAIN).find((m) => pattern.test(m.text))?.text,
          60_000,
        );
      };
      expect(await answer('/jobs', new RegExp(`^${second.id} received`))).toContain(
        `${first.id} received — Add a dark mode toggle`,
      );
      expect(await answer(`/status ${second.id.slice(-6)}`, /^⏳ .*\nState: received/)).toContain(
        `${second.id}: Make the header blue`,
      );
      expect(await answer('/status nope', /^no job "nope"/)).toMatch(/\/jobs lists them$/);
      expect(await answer(`/retry ${second.id}`, /^retry /)).toContain('only failed or cancelled jobs are retried');

      // The progress message's Cancel button.
      await pat.sendCallback(
        pat.makeCallbackQuery(`cancel:${second.id}`, {
          message: { message_id: p2.messageId, chat: { id: PLAIN, type: 'supergroup' } },
        } as never),
      );
      await waitFor('the cancel', async () => ((await s.get(second.id))?.state === 'cancelled' ? true : undefined));
      await waitFor('the cancelled message', () =>
        rig.messages(PLAIN).find((m) => m.id === p2.messageId && m.text.startsWith('⏹ Cancelled')),
      );
      // /retry: the same message follows the job again.
      expect(await answer(`/retry ${second.id}`, /^retrying /)).toBe(`retrying ${second.id} from received`);
      await waitFor('the progress message back to received', () =>
        rig.messages(PLAIN).find((m) => m.id === p2.messageId && m.text.startsWith('⏳')),
      );
      expect((await s.chatMessages({ channel: 'telegram', jobId: second.id }))[0]?.messageId).toBe(p2.messageId);
      expect(await bot.stop()).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a job at its approval gate shows Approve and Cancel; the Approve button lets it go on, recorded as the user', {
    timeout: 120_000,
  }, async () => {
    const GATED = -100131;
    rig.writeConfig([{ id: GATED, repo }]);
    const store = join(dir, 'approve.db');
    const bot = rig.bot({ FACTORY_JOB_STORE: store });
    await started(bot);
    const s = openSqliteJobStore(store);
    try {
      const dana = rig.client(GATED, 61, 'dana');
      await dana.sendCommand(dana.makeCommand('/new Rotate the API keys'));
      const job = await waitFor('the job', async () => (await s.list())[0]);
      const progress = await waitFor(
        'its progress message',
        async () => (await s.chatMessages({ channel: 'telegram', jobId: job.id }))[0],
      );
      const shown = (pattern: RegExp) =>
        waitFor(
          () =>
            `the progress message to match ${pattern}; it says:\n${rig.messages(GATED).find((m) => m.id === progress.messageId)?.text}\nbot:\n${bot.output()}`,
          () => {
            const m = rig.messages(GATED).find((x) => x.id === progress.messageId);
            return m && pattern.test(m.text) ? m : undefined;
          },
          60_000,
        );
      // No worker runs: the test walks the job to the gate as a worker would (the legal path).
      // JOB_STATES is in pipeline order: received → … → video_recorded → awaiting_approval.
      const path = JOB_STATES.slice(1, JOB_STATES.indexOf('awaiting_approval') + 1);
      // The gate holds it (not runnable) with the file it matched, as the publish stage leaves it.
      const gated = {
        runnable: false,
        data: { ...job.data, approval: { matched: ['config/keys.yml'], approvedAt: null, approvedBy: null } },
      };
      for (const [i, to] of path.entries()) {
        const from = i === 0 ? 'received' : path[i - 1];
        const patch = to === 'awaiting_approval' ? gated : {};
        await s.transition(job.id, { from, to, role: 'worker', message: `to ${to}` } as never, patch);
      }
      const gate = await shown(/^✋ Awaiting approval/);
      expect(gate.text).toContain('The change touches gated paths: config/keys.yml');
      expect(gate.keyboard).toEqual({
        inline_keyboard: [
          [
            { text: 'Approve', callback_data: `approve:${job.id}` },
            { text: 'Cancel', callback_data: `cancel:${job.id}` },
          ],
        ],
      });
      await dana.sendCallback(
        dana.makeCallbackQuery(`approve:${job.id}`, {
          message: { message_id: progress.messageId, chat: { id: GATED, type: 'supergroup' } },
        } as never),
      );
      const approved = await waitFor('the approval', async () => {
        const j = await s.get(job.id);
        return j?.runnable ? j : undefined;
      });
      expect(approved.state).toBe('awaiting_approval');
      expect(approved.data.approval).toMatchObject({ matched: ['config/keys.yml'], approvedBy: 'telegram @dana' });
      const events = await s.events({ jobId: job.id });
      expect(events.find((e) => e.type === 'control' && e.action === 'approved')?.message).toBe(
        'approved by telegram @dana: config/keys.yml',
      );
      // The message goes back to a live job's: waiting for a worker to publish, with Cancel only.
      const live = await shown(/^⏳ .*\nState: awaiting_approval \(publish\)/);
      expect(live.keyboard).toEqual({ inline_keyboard: [[{ text: 'Cancel', callback_data: `cancel:${job.id}` }]] });
      // A second approval is refused in words, not recorded twice.
      await dana.sendCommand(dana.makeCommand(`/approve ${job.id.slice(-6)}`));
      const again = await waitFor('the answer to /approve', () =>
        rig.messages(GATED).find((m) => m.text.startsWith(`approve ${job.id}:`)),
      );
      expect(again.text).toMatch(
        new RegExp(
          `^approve ${job.id}: job ${job.id} was approved already \\(by telegram @dana at .*\\); a worker takes it on$`,
        ),
      );
      expect(
        (await s.events({ jobId: job.id })).filter((e) => e.type === 'control' && e.action === 'approved'),
      ).toHaveLength(1);
      expect(await bot.stop()).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a chat the bot was removed from (403) is given up after one try, not retried for ever', {
    timeout: 120_000,
  }, async () => {
    const forbidden = {
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was kicked from the supergroup chat' },
    };
    const { edits, close } = await editProxy(basePort(60) + 3, () => forbidden);
    try {
      rig.writeConfig([{ id: ALLOWED, repo }], { apiRoot: `http://127.0.0.1:${basePort(60) + 3}` });
      const store = join(dir, 'kicked.db');
      const bot = rig.bot({ FACTORY_JOB_STORE: store });
      await started(bot);
      const member = rig.client(ALLOWED, 32);
      await member.sendCommand(member.makeCommand('/new Make the footer smaller'));
      const s = openSqliteJobStore(store);
      const id = await waitFor('the job', async () => (await s.list())[0]?.id);
      await member.sendCommand(member.makeCommand(`/cancel ${id}`));
      await waitFor(
        () => `the bot to give up; bot:\n${bot.output()}`,
        () => (bot.output().includes('gave up on the chat') ? true : undefined),
        60_000,
      );
      // A further event of the job (as a worker or the CLI would write) does not bring the edits back.
      await s.append(id, { type: 'control', action: 'note', role: 'human', attempt: 1, round: 1, message: 'later' });
      await member.sendCommand(member.makeCommand('/help'));
      await waitFor('the /help answer', () => rig.messages(ALLOWED).find((m) => m.text.includes('asks for changes')));
      expect(edits).toHaveLength(1);
      expect(bot.output().match(/gave up on the chat/g)).toHaveLength(1);
      await s.close();
      expect(await bot.stop()).toBe(0);
    } finally {
      await close();
    }
  });
});
