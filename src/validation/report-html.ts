/**
 * report.html: one self-contained page (inline CSS and a few lines of inline JS, no network) that a
 * reviewer opens from the run folder. Each scenario shows its video beside its steps; clicking a
 * step seeks the video to it, and the step being played is highlighted. Media are relative links
 * to the files beside the page, so the folder works when zipped, served or attached to a PR.
 */
import type { ScenarioResult, StepResult, ValidationReport } from './types.js';
import { esc, formatMs, href } from '../lib/html.js';
import { REPORT_CSS, REPORT_JS } from './report-assets.js';

const clock = (ms: number) =>
  `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}.${String(Math.floor((ms % 1000) / 100))}`;

const ICON = { passed: '✓', failed: '✗', skipped: '–' } as const;

function stepRow(step: StepResult, scenarioId: string): string {
  const label = step.index === 0 ? 'start' : String(step.index);
  const name = step.name && step.name !== step.target ? `<div class="step-name">${esc(step.name)}</div>` : '';
  const shot = step.screenshot
    ? `<a class="thumb" href="${href(step.screenshot)}" target="_blank"><img src="${href(step.screenshot)}" alt="screenshot ${esc(step.target)}"></a>`
    : '';
  const failure = step.failure
    ? `<div class="failure">
        <div><span class="k">expected</span> ${esc(step.failure.expected)}</div>
        <div><span class="k">seen</span> ${esc(step.failure.actual)}</div>
        ${step.failure.screenshot ? `<a class="thumb wide" href="${href(step.failure.screenshot)}" target="_blank"><img src="${href(step.failure.screenshot)}" alt="failure screenshot"></a><div class="path">${esc(step.failure.screenshot)}</div>` : ''}
      </div>`
    : '';
  return `<li class="step ${step.status}" data-video="${scenarioId}" data-start="${step.startMs}" data-end="${step.startMs + step.durationMs}" tabindex="0" title="play from ${clock(step.startMs)}">
    <span class="icon">${ICON[step.status]}</span>
    <span class="idx">${label}</span>
    <div class="body">
      <div class="line"><span class="action">${esc(step.action)}</span> <code>${esc(step.target)}</code></div>
      ${name}${failure}${shot}
    </div>
    <span class="time"><span class="at">${clock(step.startMs)}</span>${step.status === 'skipped' ? 'skipped' : formatMs(step.durationMs)}</span>
  </li>`;
}

function list<T>(title: string, items: T[], render: (item: T) => string): string {
  if (items.length === 0) return `<details class="log empty"><summary>${esc(title)}: none</summary></details>`;
  return `<details class="log" open><summary>${esc(title)}: ${items.length}</summary><ul>${items.map((i) => `<li>${render(i)}</li>`).join('')}</ul></details>`;
}

function scenarioCard(s: ScenarioResult, position: number): string {
  const id = `s${position}`;
  const video = s.video
    ? `<video id="${id}" controls muted playsinline preload="metadata"${s.video.poster ? ` poster="${href(s.video.poster)}"` : ''}>
         <source src="${href(s.video.webm)}" type="video/webm">
         ${s.video.mp4 ? `<source src="${href(s.video.mp4)}" type="video/mp4">` : ''}
       </video>
       <div class="meta">${s.video.width}×${s.video.height} · ${formatMs(s.video.durationMs)} · ${s.video.frames} frames ·
         <a href="${href(s.video.webm)}">webm</a>${s.video.mp4 ? ` · <a href="${href(s.video.mp4)}">mp4</a>` : ''}</div>`
    : `<div class="novideo">No video${s.videoError ? `: ${esc(s.videoError)}` : ' (record_video is off)'}</div>`;
  const failure = s.failure
    ? `<div class="banner fail"><strong>Failed at step ${s.failure.stepIndex}.</strong> Expected ${esc(s.failure.expected)}, but ${esc(s.failure.actual)}.</div>`
    : '';
  // Screenshots already shown beside their step are not repeated; a script's own screenshots are.
  const attached = new Set(s.steps.flatMap((st) => [st.screenshot, st.failure?.screenshot]));
  const loose = s.screenshots.filter((p) => !attached.has(p));
  const shots = loose.length
    ? `<h3>Screenshots</h3><div class="gallery">${loose.map((p) => `<a href="${href(p)}" target="_blank"><img src="${href(p)}" alt="${esc(p)}"><span>${esc(p.split('/').pop() ?? p)}</span></a>`).join('')}</div>`
    : '';
  return `<section class="scenario ${s.status}" id="scenario-${position}">
    <header>
      <span class="pill ${s.status}">${s.status === 'passed' ? 'PASSED' : 'FAILED'}</span>
      <h2>${esc(s.name)}</h2>
      <span class="dur">${s.steps.filter((st) => st.status === 'passed').length}/${s.steps.length} steps passed · ${formatMs(s.durationMs)}</span>
    </header>
    ${s.description ? `<p class="desc">${esc(s.description)}</p>` : ''}
    <p class="start">start <a href="${esc(s.startUrl)}"><code>${esc(s.startUrl)}</code></a>${s.script ? ` · script <code>${esc(s.script)}</code>` : ''}</p>
    ${failure}
    <div class="grid">
      <div class="player">${video}</div>
      <ol class="steps">${s.steps.map((st) => stepRow(st, id)).join('')}</ol>
    </div>
    ${shots}
    <div class="logs">
      ${list('Console errors', s.consoleErrors, (c) => `<span class="tag">${esc(c.type)}</span> <span class="at">${clock(c.atMs)}</span> <code>${esc(c.text)}</code>${c.location ? ` <span class="loc">${esc(c.location)}</span>` : ''}`)}
      ${list('Failed requests', s.failedRequests, (r) => `<span class="tag">${esc(r.method)}</span> <span class="at">${clock(r.atMs)}</span> <code>${esc(r.url)}</code> → ${esc(r.failure)}`)}
    </div>
    ${s.trace ? `<p class="trace">Playwright trace: <a href="${href(s.trace)}">${esc(s.trace)}</a> — open with <code>npx playwright show-trace ${esc(s.trace)}</code> or drop it on trace.playwright.dev</p>` : ''}
  </section>`;
}

export function renderReportHtml(r: ValidationReport): string {
  const passed = r.scenarios.filter((s) => s.status === 'passed').length;
  const failed = r.scenarios.length - passed;
  const toc = r.scenarios
    .map((s, i) => `<a class="toc ${s.status}" href="#scenario-${i + 1}">${ICON[s.status]} ${esc(s.name)}</a>`)
    .join('');
  const urls = Object.entries(r.urls)
    .map(([k, v]) => `<span><b>${esc(k)}</b> <a href="${esc(v)}">${esc(v)}</a></span>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${r.ok ? '✓' : '✗'} validation ${esc(r.worktreeId)} — ${esc(r.runId)}</title>
<style>${REPORT_CSS}</style></head>
<body>
<header class="top ${r.ok ? 'passed' : 'failed'}">
  <div class="verdict">${r.ok ? 'All scenarios passed' : `${failed} of ${r.scenarios.length} scenario${r.scenarios.length === 1 ? '' : 's'} failed`}</div>
  <div class="facts">
    <span><b>worktree</b> ${esc(r.worktreeId)}</span>
    ${r.feature !== null ? `<span><b>feature</b> “${esc(r.feature)}”</span>` : ''}
    <span><b>started</b> ${esc(r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</span>
    <span><b>took</b> ${formatMs(r.durationMs)}</span>
    <span><b>passed</b> ${passed}/${r.scenarios.length}</span>
    <span><b>browser</b> Chromium ${esc(r.browser.version)}</span>
  </div>
  ${urls ? `<div class="facts urls">${urls}</div>` : ''}
  <nav>${toc}</nav>
  <div class="runid">${esc(r.runId)} · <a href="manifest.json">manifest.json</a></div>
</header>
<main>${r.scenarios.map((s, i) => scenarioCard(s, i + 1)).join('\n')}</main>
<script>${REPORT_JS}</script>
</body></html>
`;
}
