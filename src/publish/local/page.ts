/**
 * review.html: one self-contained page per job (inline CSS, no script needed, no network) that a
 * reviewer opens from the job folder — the request, the acceptance checklist with each criterion's
 * evidence, the video and screenshots, the preview, tests, the reviewer's verdict, risks and
 * rollback, the files changed with the diff, the rounds, the state timeline and the cost. Media and
 * logs are relative links to the files beside it, so the folder works zipped, served or attached.
 * The caller redacts the manifest and the patch first (src/publish/redact.ts).
 */
import { esc, formatMs } from '../../lib/html.js';
import type { JobManifest } from '../evidence/manifest.js';
import { renderPatch } from './diff.js';
import {
  checklistSection,
  chip,
  failureSection,
  filesSection,
  mediaSection,
  previewSection,
  requestSection,
  risksSection,
  roundsSection,
  stateTone,
  testsSection,
  timelineSection,
  usageSection,
  verdictSection,
} from './sections.js';
import { REVIEW_CSS } from './style.js';

export interface ReviewPageInput {
  manifest: JobManifest;
  /** The job's `git diff` (manifest.diff.patch), already redacted; null when missing. */
  patch: string | null;
  /** When the page is rendered (for "updated …"); default now. */
  now?: Date;
}

const TOC: [string, string][] = [
  ['request', 'Request'],
  ['checklist', 'Criteria'],
  ['video', 'Video'],
  ['preview', 'Preview'],
  ['tests', 'Tests'],
  ['review', 'Reviewer'],
  ['risks', 'Risks'],
  ['files', 'Files'],
  ['rounds', 'Rounds'],
  ['timeline', 'Timeline'],
  ['usage', 'Cost'],
];

export function renderReviewPage({ manifest: m, patch, now = new Date() }: ReviewPageInput): string {
  const stats = new Map((m.diff?.files ?? []).map((f) => [f.path, f]));
  const patchHtml = patch === null ? null : renderPatch(patch, stats);
  const started = Date.parse(m.createdAt);
  const elapsed = Number.isFinite(started) ? formatMs(Math.max(0, Date.parse(m.updatedAt) - started)) : '';
  const cost = m.usage.total.costUsd !== undefined ? `$${m.usage.total.costUsd.toFixed(4)}` : null;
  const facts = [
    `<span><b>job</b> <code>${esc(m.id)}</code></span>`,
    `<span><b>branch</b> <code>${esc(m.branch)}</code> from <code>${esc(m.base)}</code></span>`,
    `<span><b>repo</b> ${esc(m.repo)}</span>`,
    `<span><b>took</b> ${elapsed}</span>`,
    `<span><b>agents</b> plan ${esc(m.roles.planner.agent)} · build ${esc(m.roles.builder.agent)} · review ${esc(m.roles.reviewer.agent)}</span>`,
    cost ? `<span><b>cost</b> ${cost}</span>` : '',
  ].join('');
  const failure = failureSection(m);
  const toc = [...(failure ? [['failure', m.failure ? 'Failure' : 'Cleanup'] as [string, string]] : []), ...TOC]
    .map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(m.state.replace(/_/g, ' '))} — ${esc(m.title)} (${esc(m.id)})</title>
<style>${REVIEW_CSS}</style></head>
<body>
<header class="top">
  <div>${chip(m.state.replace(/_/g, ' '), stateTone(m.state), 'state')}${m.plan ? ` ${chip(`${m.plan.risk} risk`, m.plan.risk === 'high' ? 'bad' : m.plan.risk === 'medium' ? 'warn' : 'ok')}` : ''}</div>
  <h1>${esc(m.title)}</h1>
  <div class="facts">${facts}</div>
  <nav class="toc">${toc}</nav>
</header>
<main>
${failure}
${requestSection(m)}
${checklistSection(m)}
${mediaSection(m)}
${previewSection(m)}
${testsSection(m)}
${verdictSection(m)}
${risksSection(m)}
${filesSection(m, patchHtml)}
${roundsSection(m)}
${timelineSection(m)}
${usageSection(m)}
</main>
<footer>factory · job ${esc(m.id)} · page updated ${esc(
    now
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC'),
  )} · <a href="job.json">job.json</a></footer>
</body></html>
`;
}
