/**
 * What a job's progress message says, from the job as the store has it: a pure function of the job,
 * the time and the redactor, so the notifier can render it after a restart exactly as before.
 *
 *   live      ⏳ job-…: <title>        state, stage, round, elapsed        [Cancel] ([Approve])
 *   waiting   ✋ … awaiting approval of <files>                             [Approve] [Cancel]
 *   ready     ✅ … review request, preview, video, tests, verdict      ([Pull request])
 *   failed    ❌ … stage, code, message, hint, redacted log tail, cleanup, how to retry
 *   cancelled ⏹ … cleanup, how to retry
 *
 * Plain text (no parse mode): the title and the log tail are the requester's and the agents' words,
 * never markup. Everything passes the redactor, and the text is cut to Telegram's 4096 characters.
 */
import { isLive, isSettled, type Job, STAGE_FOR } from '../../jobs/index.js';
import type { Redactor } from '../../publish/index.js';

/** Telegram's limit on a message's text. */
const MAX_TEXT = 4096;
/** The failing log's last lines shown in the chat (the whole log is in the job folder). */
const TAIL_LINES = 15;
const TAIL_CHARS = 1500;

/** A button that calls back to the bot, or one that opens a web page (the pull request). */
export type InlineButton = { text: string; callback_data: string } | { text: string; url: string };

export interface ProgressView {
  text: string;
  buttons: InlineButton[][];
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

function elapsed(job: Job, now: Date): string {
  const from = Date.parse(job.createdAt);
  const to = isSettled(job) ? Date.parse(job.updatedAt) : now.getTime();
  return duration(to - from);
}

function testsLine(job: Job): string | undefined {
  const tests = job.data.rounds.findLast((r) => r.tests !== undefined)?.tests;
  if (!tests) return undefined;
  const suites = tests.suites.map((s) =>
    s.tests ? `${s.name} ${s.status} (${s.tests.passed}/${s.tests.tests})` : `${s.name} ${s.status}`,
  );
  return `Tests: ${suites.join(', ') || 'none ran'}`;
}

/** The feature scenario's video (else any scenario's), relative to the job folder. */
export function videoOf(job: Job): string | undefined {
  const scenarios = job.data.rounds.findLast((r) => r.validation !== undefined)?.validation?.scenarios ?? [];
  return (scenarios.find((s) => s.feature && s.video) ?? scenarios.find((s) => s.video))?.video;
}

function verdictLine(job: Job): string | undefined {
  const review = job.data.rounds.findLast((r) => r.review !== undefined)?.review;
  return review ? `Verdict: ${review.verdict.verdict} — ${review.verdict.summary}` : undefined;
}

function tail(text: string): string {
  const lines = text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  return lines.length > TAIL_CHARS ? `…${lines.slice(-TAIL_CHARS)}` : lines;
}

function cleanupLine(job: Job): string | undefined {
  const c = job.data.cleanup;
  if (!c) return undefined;
  const parts = [
    c.agentStopped ? 'agent stopped' : 'agent NOT stopped',
    c.instanceStopped ? 'instance stopped' : 'instance NOT stopped',
    c.portsReleased ? 'ports released' : 'ports NOT released',
    ...(c.worktreeKept ? [`worktree kept at ${c.worktreeKept}`] : []),
    ...(c.branchKept ? [`branch ${c.branchKept} kept`] : []),
    ...c.notes,
  ];
  return `Cleanup: ${parts.join('; ')}`;
}

export interface RenderExtras {
  /** How the video reached the chat: `sent` (a reply to this message), or the path it is at. */
  video?: { sent: true } | { path: string };
}

export function renderProgress(job: Job, now: Date, redact: Redactor, extras: RenderExtras = {}): ProgressView {
  const lines: string[] = [];
  const head = `${job.id}: ${job.title}`;
  const cancel = { text: 'Cancel', callback_data: `cancel:${job.id}` };
  const approve = { text: 'Approve', callback_data: `approve:${job.id}` };
  let buttons: InlineButton[][] = [];
  const waiting = job.state === 'awaiting_approval' && !job.runnable;
  if (job.state === 'ready_for_human_review') {
    lines.push(`✅ Ready for review — ${head}`);
    const rr = job.data.reviewRequest;
    if (rr?.publisher === 'github') {
      lines.push(`Pull request: ${rr.url}`);
      // Telegram opens only http(s) links from a button; the local page is a file:// URL.
      if (/^https?:\/\//.test(rr.url)) buttons = [[{ text: 'Pull request', url: rr.url }]];
    } else if (rr) lines.push(`Review: ${rr.url}`);
    const urls = Object.entries(job.data.environment?.urls ?? {});
    if (urls.length) lines.push(`Preview: ${urls.map(([name, url]) => `${name} ${url}`).join(', ')}`);
    if (extras.video && 'sent' in extras.video) lines.push('Video: sent below');
    else if (extras.video) lines.push(`Video: ${extras.video.path}`);
    const t = testsLine(job);
    if (t) lines.push(t);
    const v = verdictLine(job);
    if (v) lines.push(v);
    lines.push(`Took ${elapsed(job, now)}, ${job.round} round(s). Close it with: factory job close ${job.id}`);
  } else if (job.state === 'failed') {
    const f = job.data.failure;
    lines.push(`❌ Failed — ${head}`);
    if (f) {
      lines.push(`Stage: ${f.stage} (at ${f.state}), round ${job.round}`);
      lines.push(`Error: ${f.code}: ${f.message}`);
      if (f.hint) lines.push(`Hint: ${f.hint}`);
      if (f.logTail) lines.push(`Log tail:\n${tail(f.logTail)}`);
    }
    const c = cleanupLine(job);
    if (c) lines.push(c);
    lines.push(`Retry with: /retry ${job.id}`);
  } else if (job.state === 'cancelled') {
    lines.push(`⏹ Cancelled — ${head}`);
    lines.push(`Stopped at ${job.stoppedAt ?? 'an unknown state'}, after ${elapsed(job, now)}`);
    const c = cleanupLine(job);
    if (c) lines.push(c);
    lines.push(`Retry with: /retry ${job.id}`);
  } else if (!isLive(job.state)) {
    lines.push(`${job.state === 'merged' ? '🔀 Merged' : '☑️ Closed'} — ${head}`);
  } else if (waiting) {
    lines.push(`✋ Awaiting approval — ${head}`);
    lines.push(`The change touches gated paths: ${(job.data.approval?.matched ?? []).join(', ')}`);
    lines.push(`Elapsed: ${elapsed(job, now)}, round ${job.round}`);
    buttons = [[approve, cancel]];
  } else {
    const stage = STAGE_FOR[job.state];
    lines.push(`⏳ ${head}`);
    lines.push(`State: ${job.state}${stage ? ` (${stage})` : ''}, round ${job.round}`);
    lines.push(`Elapsed: ${elapsed(job, now)}`);
    if (job.cancelRequested) lines.push('Cancelling…');
    else buttons = [[cancel]];
  }
  let text = redact(lines.join('\n'));
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT - 1)}…`;
  return { text, buttons };
}

/** One line per job for `/jobs`. */
export function jobLine(job: Job): string {
  return `${job.id} ${job.state}${job.state === 'failed' && job.data.failure ? ` (${job.data.failure.stage})` : ''} — ${job.title}`;
}
