/**
 * `/jobs/<id>`: one job as it runs — its state and the buttons that act on it, the live log of the
 * current stage, the plan and acceptance checklist, the timeline with durations, the video and
 * screenshots, the preview, tests, the reviewer's verdict and the diff. The evidence sections are
 * the review page's own (src/publish/local/sections.ts); relative links resolve in the job's folder
 * (`<base href="/jobs/<id>/">`), which the server serves at that path.
 */
import { isLive, type JobEvent, type JobManifest } from '../../jobs/index.js';
import { esc, formatMs } from '../../lib/html.js';
import {
  checklistSection,
  chip,
  failureSection,
  filesSection,
  mediaSection,
  previewSection,
  renderPatch,
  requestSection,
  stateTone,
  testsSection,
  timelineSection,
  verdictSection,
} from '../../publish/index.js';
import type { DashboardJob } from '../schema.js';
import { ago, page, words } from './layout.js';

export interface JobPageInput {
  job: DashboardJob;
  manifest: JobManifest;
  /** The redacted patch, or null. */
  patch: string | null;
  /** Events of the current state (the live log starts with them), redacted. */
  recent: JobEvent[];
  lastEventId: number;
}

type Action = 'cancel' | 'retry' | 'approve' | 'close';

export function actionsFor(j: DashboardJob, m: JobManifest): Action[] {
  const out: Action[] = [];
  if (isLive(j.state) && j.state !== 'ready_for_human_review' && !j.cancelRequested) out.push('cancel');
  if ((j.state === 'failed' || j.state === 'cancelled') && j.stoppedAt !== null && isLive(j.stoppedAt))
    out.push('retry');
  if (j.state === 'awaiting_approval' && !m.approval?.approvedAt) out.push('approve');
  if (j.state === 'ready_for_human_review') out.push('close');
  return out;
}

const LABEL: Record<Action, [string, string]> = {
  cancel: ['Cancel', 'danger'],
  retry: ['Retry', ''],
  approve: ['Approve', 'primary'],
  close: ['Close', ''],
};

function header(i: JobPageInput): string {
  const { job: j, manifest: m } = i;
  const buttons = actionsFor(j, m)
    .map(
      (a) =>
        `<form method="post" action="/jobs/${esc(j.id)}/${a}"><button type="submit" class="${LABEL[a][1]}" data-action="${a}">${LABEL[a][0]}</button></form>`,
    )
    .join('');
  const links = [
    j.links.reviewPage ? `<a class="button" href="/jobs/${esc(j.id)}/review.html">Review page</a>` : '',
    `<a class="button" href="/jobs/${esc(j.id)}/job.json">job.json</a>`,
    `<a class="button" href="/api/jobs/${esc(j.id)}">API</a>`,
  ].join('');
  const facts = [
    `<span><b>id</b> <code>${esc(j.id)}</code></span>`,
    `<span><b>repo</b> ${esc(j.repo)}</span>`,
    `<span><b>branch</b> <code>${esc(j.branch)}</code> from <code>${esc(j.base)}</code></span>`,
    `<span><b>created</b> ${esc(ago(j.createdAt))}</span>`,
    `<span><b>took</b> ${esc(formatMs(j.durationMs))}</span>`,
    `<span><b>round</b> ${j.round}</span>`,
    j.worker ? `<span><b>worker</b> ${esc(j.worker.host)} pid ${j.worker.pid}</span>` : '',
    m.usage.total.costUsd !== undefined ? `<span><b>cost</b> $${m.usage.total.costUsd.toFixed(4)}</span>` : '',
  ].join('');
  return `<header class="top" id="job-header" data-live="header">
  <div>${chip(words(j.state), stateTone(j.state), 'state')}${j.cancelRequested ? ` ${chip('cancelling…', 'warn', 'cancelling')}` : ''}${m.plan ? ` ${chip(`${m.plan.risk} risk`, m.plan.risk === 'high' ? 'bad' : m.plan.risk === 'medium' ? 'warn' : 'ok')}` : ''}</div>
  <h1>${esc(j.title)}</h1>
  <div class="facts">${facts}</div>
  <div class="actions">${buttons}${links}</div>
</header>`;
}

function liveLog(i: JobPageInput): string {
  const stage = i.manifest.timeline.at(-1);
  const lines = i.recent
    .map(
      (e) =>
        `<div><span class="t">${esc(e.at.slice(11, 19))} </span>${e.type === 'transition' ? `<span class="to">→ ${esc(words(e.to))} </span>` : ''}${esc(e.message)}</div>`,
    )
    .join('');
  return `<section id="live"><h2>Live log <span class="muted">${stage ? `since ${esc(words(stage.to))}` : ''}</span></h2>
<pre class="live" id="live-log" data-job="${esc(i.job.id)}">${lines || '<div class="placeholder muted">Waiting for the next event…</div>'}</pre></section>`;
}

/** A part the script swaps when it changes (always there, even empty, so it can appear later). */
const live = (id: string, html: string, sig?: string) =>
  `<div id="live-${id}" data-live="${id}"${sig ? ` data-sig="${esc(sig)}"` : ''}>${html}</div>`;

export function jobPage(i: JobPageInput): string {
  const m = i.manifest;
  const stats = new Map((m.diff?.files ?? []).map((f) => [f.path, f]));
  const video = /<video[^>]*\ssrc="([^"]*)"/.exec(mediaSection(m))?.[1] ?? '';
  return page({
    title: `${words(m.state)} — ${m.title}`,
    here: 'jobs',
    base: `/jobs/${i.job.id}/`,
    data: { page: 'job', job: i.job.id, state: m.state, events: `/api/jobs/${i.job.id}/events?after=${i.lastEventId}` },
    body: `${header(i)}
<main>
${live('failure', failureSection(m))}
${liveLog(i)}
${live('request', requestSection(m))}
${live('checklist', checklistSection(m))}
${live('timeline', timelineSection(m))}
${live('video', mediaSection(m), video)}
${live('preview', previewSection(m))}
${live('tests', testsSection(m))}
${live('review', verdictSection(m))}
${live('files', filesSection(m, i.patch === null ? null : renderPatch(i.patch, stats)))}
</main>`,
  });
}
