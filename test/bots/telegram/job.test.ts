/**
 * The seed's first acceptance criterion — "a Telegram message in the project chat creates a GitHub
 * PR without manual CLI intervention" — against a Bot API emulator (telegram-test-api), on a copy of
 * diffie with the fake agent in every role and the real binary: a message in an allowlisted chat
 * whose jobs publish to GitHub becomes a job that reaches ready_for_human_review and a pull request on
 * the loopback GitHub server (its branch pushed to a real bare remote), while the chat's one progress
 * message follows it to the pull request, the preview and the verdict, with the video uploaded as a
 * reply — with no CLI call after starting the bot and a worker, and through a restart of the bot in
 * the middle of the job. Then, with `bot telegram --worker` (one command): /cancel from the chat
 * stops a running job and nothing of it keeps running; a job that fails with secrets in its log
 * shows its stage and a redacted log tail.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStore } from '../../../src/jobs/store/types.js';
import { readInstanceStatus } from '../../../src/services/index.js';
import { processesWithEnv } from '../../../src/services/proc.js';
import {
  approve,
  countSteps,
  diffieRig,
  jobIn,
  plan,
  request,
  type Rig,
  showCount,
  git,
  waitFor,
} from '../../jobs/harness.js';
import { startFakeGitHub, type FakeGitHub } from '../../publish/github/server.js';
import { basePort } from '../../services/helpers.js';
import { type BotProcess, started, type TelegramRig, TOKEN, telegramRig } from './harness.js';

const HAPPY = -100201;
const CANCEL = -100202;
const SECRETS = -100203;
/** A secret the bot's environment holds (a name that says so), and one only its shape gives away. */
const PLANTED = 'planted-secret-value-7f3a9c21';
const GITHUB_TOKEN_SHAPE = `ghp_${'Ab1'.repeat(12)}`;

let rig: Rig;
let tg: TelegramRig;
let gh: FakeGitHub;
let bare: string;
let store: JobStore;
beforeAll(async () => {
  rig = diffieRig();
  // GitHub: the loopback REST server, and `origin` a real bare repository. The worker finds both
  // through its environment, as it would find api.github.com and a token.
  gh = await startFakeGitHub();
  bare = join(rig.root, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  git(rig.repo, 'remote', 'add', 'origin', bare);
  git(rig.repo, 'push', '-q', 'origin', 'main');
  Object.assign(rig.env, { GITHUB_TOKEN: gh.token, FACTORY_GITHUB_API: gh.url, FACTORY_GITHUB_REPO: 'acme/diffie' });
  tg = await telegramRig(basePort(62), rig.root);
  const job = { tests: ['unit'] };
  // The three chats' jobs lease diffie's 10-port blocks 30 apart inside one block of the run's
  // window: a file holding fewer blocks leaves room for the other file running beside it.
  const jobs = basePort(63);
  tg.writeConfig([
    { id: HAPPY, repo: rig.repo, ...job, portRange: jobs, publisher: 'github' },
    { id: CANCEL, repo: rig.repo, ...job, portRange: jobs + 30 },
    { id: SECRETS, repo: rig.repo, ...job, portRange: jobs + 60 },
  ]);
  store = rig.store();
});
afterAll(async () => {
  await tg?.dispose();
  await rig?.dispose();
  await gh?.close();
});

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

/** The one job of a chat, once the bot created it. */
async function jobOfChat(chatId: number): Promise<string> {
  return waitFor(`a job from chat ${chatId}`, async () => {
    const mine = (await store.chatMessages({ channel: 'telegram' })).filter((m) => m.chatId === String(chatId));
    return mine[0]?.jobId;
  });
}

async function progressText(chatId: number, pattern: RegExp, bot: BotProcess): Promise<string> {
  return waitFor(
    () =>
      `the progress message in chat ${chatId} to match ${pattern}; it says:\n${tg.messages(chatId)[0]?.text}\nbot:\n${bot.output()}`,
    () => {
      const text = tg.messages(chatId)[0]?.text ?? '';
      return pattern.test(text) ? text : undefined;
    },
    400_000,
  );
}

describe('a Telegram message becomes a job and a pull request; the chat follows it', () => {
  it('from /new to a pull request: one progress message, edited through a bot restart, ends with the PR, preview and verdict', {
    timeout: 900_000,
  }, async () => {
    // The builder waits for this file, so the bot is restarted while the job is surely mid-way.
    const gate = join((rig.env.PATH ?? '').split(':')[0] ?? '', 'restart-done');
    const worker = rig.worker();
    let bot = tg.bot(rig.env);
    await started(bot);
    const user = tg.client(HAPPY, 21, 'alice');
    const ask = request('Show the number of projects in the page header', {
      planner: plan(countSteps),
      builder: [{ run: ['sh', '-c', `while [ ! -e "${gate}" ]; do sleep 0.2; done`] }, ...showCount],
      reviewer: approve(),
    });
    await user.sendCommand(user.makeCommand(`/new ${ask}`));
    const id = await jobOfChat(HAPPY);
    await progressText(HAPPY, /State: implementation_in_progress \(build\), round 1/, bot);
    const [before] = await store.chatMessages({ channel: 'telegram', jobId: id });
    expect(before).toMatchObject({ chatId: String(HAPPY), userId: '21', videoMessageId: null });
    expect(tg.messages(HAPPY).map((m) => m.id)).toEqual([before?.messageId]);
    expect(tg.messages(HAPPY)[0]?.keyboard).toEqual({
      inline_keyboard: [[{ text: 'Cancel', callback_data: `cancel:${id}` }]],
    });

    expect(await bot.stop()).toBe(0);
    bot = tg.bot(rig.env);
    await started(bot);
    writeFileSync(gate, '');
    const done = await jobIn(store, ['ready_for_human_review', 'failed'], id);
    expect(done.state, worker.output()).toBe('ready_for_human_review');
    const text = await progressText(HAPPY, /^✅ Ready for review/, bot);

    // The pull request: one, on the job's branch pushed to origin, its body naming the chat message.
    const pr = `${gh.web}/acme/diffie/pull/1`;
    const m = rig.manifest(id);
    expect(m.reviewRequest).toEqual({ publisher: 'github', url: pr });
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]?.head).toBe(`factory/${id}`);
    expect(git(bare, 'rev-parse', `refs/heads/factory/${id}`)).toBe(m.head);
    expect(gh.pulls[0]?.body).toContain(
      `requested in Telegram by &#64;alice: chat ${HAPPY}, message ${before?.requestMessageId}`,
    );

    // Still one text message in the chat — the same one — now carrying the links, and a button to the PR.
    const messages = tg.messages(HAPPY);
    expect(messages.map((x) => x.id)).toEqual([before?.messageId]);
    expect(messages[0]?.replyTo).toBe(before?.requestMessageId);
    expect(messages[0]?.keyboard).toEqual({ inline_keyboard: [[{ text: 'Pull request', url: pr }]] });
    expect(text).toContain(`✅ Ready for review — ${id}: Show the number of projects in the page header`);
    expect(text).toContain(`Pull request: ${pr}`);
    for (const [name, url] of Object.entries(m.preview?.urls ?? {})) expect(text).toContain(`${name} ${url}`);
    expect(text).toMatch(/^Preview: /m);
    expect(text).toMatch(/^Tests: unit passed/m);
    expect(text).toContain('Verdict: approve — Looks right');

    // The feature's video went up as a video (mp4: the GitHub publisher records one), in reply to it.
    const feature = m.rounds.at(-1)?.validation?.scenarios.find((s) => s.feature);
    expect(feature?.video).toMatch(/\.mp4$/);
    expect(text).toContain('Video: sent below');
    expect(tg.uploads).toHaveLength(1);
    const [video] = tg.uploads;
    expect(video).toMatchObject({ method: 'sendVideo', chatId: String(HAPPY), replyTo: before?.messageId });
    expect(video?.caption).toBe(`${id}: the feature on video`);
    expect(video?.bytes.equals(readFileSync(join(rig.repo, '.factory', 'jobs', id, feature?.video ?? '?')))).toBe(true);
    const [after] = await store.chatMessages({ channel: 'telegram', jobId: id });
    expect(after).toMatchObject({ messageId: before?.messageId, videoMessageId: video?.messageId });
    expect(after?.lastEventId).toBeGreaterThan(before?.lastEventId ?? 0);
    // The link back: the job's history says where it came from.
    const events = await store.events({ jobId: id });
    expect(events.find((e) => e.type === 'control' && e.action === 'requested')?.message).toBe(
      // The emulator gives every chat its user's username, so the link is a public group's form.
      `requested in Telegram by @alice: chat ${HAPPY}, message ${before?.requestMessageId} (https://t.me/alice/${before?.requestMessageId})`,
    );
    expect(m.requestedVia).toBe(events.find((e) => e.type === 'control' && e.action === 'requested')?.message);
    for (const secret of [TOKEN, gh.token]) expect(bot.output() + worker.output()).not.toContain(secret);
    expect(await bot.stop()).toBe(0);
    worker.child.kill('SIGTERM');
    expect((await rig.factory(['job', 'close', id])).code).toBe(0);
  });
});

describe('factory bot telegram --worker: the bot and a worker from one command', () => {
  let bot: BotProcess;
  beforeAll(async () => {
    bot = tg.bot({ ...rig.env, PLANTED_API_TOKEN: PLANTED }, ['--worker']);
    await started(bot);
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('/cancel from the chat stops a running job: cancelled, nothing of it left running or listening', {
    timeout: 900_000,
  }, async () => {
    const user = tg.client(CANCEL, 22, 'bob');
    const ask = request('Show the number of projects in the page header', {
      planner: plan(countSteps),
      builder: [{ say: 'working on it' }, { hang: true }],
      reviewer: approve(),
    });
    await user.sendCommand(user.makeCommand(`/new ${ask}`));
    const id = await jobOfChat(CANCEL);
    await progressText(CANCEL, /State: implementation_in_progress/, bot);
    await waitFor('the builder to run', () => (processesWithEnv('FACTORY_JOB_ID', id).length > 0 ? true : undefined));
    await user.sendCommand(user.makeCommand(`/cancel ${id}`));
    const job = await jobIn(store, ['cancelled', 'failed'], id);
    expect(job.state, bot.output()).toBe('cancelled');
    const text = await progressText(CANCEL, /^⏹ Cancelled/, bot);
    expect(text).toContain('Stopped at implementation_in_progress');
    expect(text).toContain('Cleanup: agent stopped; instance stopped; ports released;');
    expect(text).toContain(`branch factory/${id} kept`);
    expect(text).toContain(`Retry with: /retry ${id}`);
    const messages = tg.messages(CANCEL);
    expect(messages).toHaveLength(2);
    expect(messages[1]?.text).toMatch(new RegExp(`^(stopping|cancelled) ${id}`));
    expect(processesWithEnv('FACTORY_JOB_ID', id)).toEqual([]);
    const wt = join(rig.repo, '.factory', 'worktrees', id);
    expect((await readInstanceStatus({ cwd: wt, worktreeId: id }))?.running).toBe(false);
    for (const url of Object.values(job.data.environment?.urls ?? {}))
      expect(await refused(Number(new URL(url).port)), url).toBe(true);
  });

  it('a failure shows its stage and a redacted log tail: secrets planted in the log never reach the chat', {
    timeout: 900_000,
  }, async () => {
    const user = tg.client(SECRETS, 23, 'carol');
    const leak = `connecting with ${PLANTED} and ${GITHUB_TOKEN_SHAPE} as ${TOKEN}`;
    const ask = request('Show the number of projects in the page header', {
      planner: plan(countSteps),
      // It changes nothing: the job fails at the build with the agent's words as its log tail.
      builder: [{ say: leak }],
      reviewer: approve(),
    });
    await user.sendCommand(user.makeCommand(`/new ${ask}`));
    const id = await jobOfChat(SECRETS);
    const job = await jobIn(store, ['failed', 'ready_for_human_review'], id);
    expect(job.state).toBe('failed');
    // The job's own record holds the secrets (the test planted them for real) …
    expect(job.data.failure?.logTail).toContain(PLANTED);
    const text = await progressText(SECRETS, /^❌ Failed/, bot);
    expect(text).toContain(`Stage: build (at implementation_in_progress), round 1`);
    expect(text).toMatch(/^Log tail:$/m);
    expect(text).toContain('connecting with [redacted] and [redacted] as [redacted]');
    expect(text).toMatch(/^Cleanup: /m);
    // … and nothing of them reaches a message or the bot's log.
    for (const m of tg.server.storage.botMessages) {
      const sent = JSON.stringify(m.message);
      for (const secret of [PLANTED, GITHUB_TOKEN_SHAPE, TOKEN]) expect(sent).not.toContain(secret);
    }
    for (const secret of [PLANTED, GITHUB_TOKEN_SHAPE, TOKEN]) expect(bot.output()).not.toContain(secret);
    expect(await bot.stop()).toBe(0);
    expect(processesWithEnv('FACTORY_JOB_ID', id)).toEqual([]);
  });
});
