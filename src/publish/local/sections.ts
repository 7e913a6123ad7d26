/**
 * The review page's sections, each a pure function of the manifest. Order on the page follows what a
 * reviewer asks, in turn: what was asked and is it done (request, checklist), show me (video,
 * screenshots, preview), is it safe (tests, verdict, risks), what changed (files, diff), how did it
 * go (rounds, timeline, cost).
 */
import { esc, formatMs, href } from '../../lib/html.js';
import { acceptanceChecklist, featureScenario, latestTests, latestValidation } from '../evidence/checklist.js';
import type { JobManifest, JobUsage } from '../evidence/manifest.js';
import type { JobState } from '../evidence/states.js';

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'muted';

export function stateTone(state: JobState): Tone {
  switch (state) {
    case 'ready_for_human_review':
    case 'merged':
      return 'ok';
    case 'failed':
      return 'bad';
    case 'awaiting_approval':
      return 'warn';
    case 'cancelled':
    case 'closed':
      return 'muted';
    default:
      return 'info';
  }
}

export const chip = (text: string, tone: Tone, extra = '') =>
  `<span class="chip ${tone}${extra ? ` ${extra}` : ''}">${esc(text)}</span>`;
const words = (s: string) => s.replace(/_/g, ' ');
const section = (id: string, title: string, body: string, extra = '') =>
  `<section id="${id}"><h2>${esc(title)}${extra}</h2>${body}</section>`;
const link = (label: string, path: string) => `<a href="${href(path)}">${esc(label)}</a>`;

export function requestSection(m: JobManifest): string {
  const summary = m.plan
    ? `<h3>Problem and plan</h3><p>${esc(m.plan.summary)}</p><ol>${m.plan.steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol>`
    : '<p class="muted">No plan yet.</p>';
  return section('request', 'Request', `<div class="request">${esc(m.request)}</div>${summary}`);
}

export function checklistSection(m: JobManifest): string {
  const items = acceptanceChecklist(m);
  if (items.length === 0) return section('checklist', 'Acceptance criteria', '<p class="muted">No criteria yet.</p>');
  const met = items.filter((i) => i.met === true).length;
  const rows = items
    .map((i) => {
      const [mark, tone] = i.met === true ? ['✓', 'ok'] : i.met === false ? ['✗', 'bad'] : ['○', 'none'];
      const ev = i.evidence.map((e) => (e.path ? link(e.label, e.path) : `<span>${esc(e.label)}</span>`)).join('');
      return `<li class="criterion ${i.met === true ? 'met' : i.met === false ? 'unmet' : 'unknown'}"><span class="mark ${tone}">${mark}</span>
        <div><b>${esc(i.criterion.id)}</b> ${esc(i.criterion.text)} <span class="chip muted">${esc(i.criterion.proof)}</span></div>
        <div class="ev">${ev}${i.note ? ` <span>${esc(i.note)}</span>` : ''}</div></li>`;
    })
    .join('');
  return section(
    'checklist',
    'Acceptance criteria',
    `<ul class="checklist">${rows}</ul>`,
    chip(`${met}/${items.length} shown`, met === items.length ? 'ok' : 'warn'),
  );
}

export function mediaSection(m: JobManifest): string {
  const validation = latestValidation(m);
  if (!validation)
    return section('video', 'Video and screenshots', '<p class="muted">Browser validation has not run.</p>');
  const feature = featureScenario(m);
  const main = feature ?? validation.scenarios.find((s) => s.video) ?? validation.scenarios[0];
  const player = main?.video
    ? `<video id="feature-video" controls muted playsinline preload="metadata"${main.poster ? ` poster="${href(main.poster)}"` : ''} src="${href(main.video)}"></video>
       <div class="muted">${esc(main.name)}${main.feature ? ' (feature scenario)' : ''} · ${formatMs(main.durationMs)} · ${link('download', main.video)}</div>`
    : '<p class="muted">No video was recorded.</p>';
  const scenarios = validation.scenarios
    .map(
      (s) =>
        `<tr><td>${chip(s.status, s.status === 'passed' ? 'ok' : 'bad')}</td><td>${esc(s.name)}${s.feature ? ' <span class="chip info">feature</span>' : ''}${
          s.failure ? `<div class="muted">${esc(s.failure.summary)}</div>` : ''
        }${s.consoleErrors.length ? `<div class="muted">${s.consoleErrors.length} console error(s): <code>${esc(s.consoleErrors[0] ?? '')}</code></div>` : ''}</td><td class="num">${formatMs(s.durationMs)}</td><td>${s.video ? link('video', s.video) : ''}</td></tr>`,
    )
    .join('');
  const shots = validation.scenarios.flatMap((s) => s.screenshots);
  const gallery = shots.length
    ? `<div class="gallery">${shots.map((p) => `<a href="${href(p)}" target="_blank"><img src="${href(p)}" alt="${esc(p)}" loading="lazy"><span>${esc(p.split('/').pop() ?? p)}</span></a>`).join('')}</div>`
    : '<p class="muted">No screenshots.</p>';
  return section(
    'video',
    'Video and screenshots',
    `<div class="media"><div>${player}</div><div><table class="grid"><tr><th>result</th><th>scenario</th><th class="num">took</th><th></th></tr>${scenarios}</table>
     <p>${link('Full validation report', validation.report)}</p></div></div><h3>Screenshots</h3>${gallery}`,
    chip(validation.ok ? 'passed' : 'failed', validation.ok ? 'ok' : 'bad'),
  );
}

export function previewSection(m: JobManifest): string {
  if (!m.preview)
    return section('preview', 'Preview', '<p class="muted">No preview: the environment did not start.</p>');
  const urls = Object.entries(m.preview.urls);
  const list = urls.length
    ? `<ul>${urls.map(([name, url]) => `<li><b>${esc(name)}</b> ${m.preview?.up ? `<a href="${esc(url)}">${esc(url)}</a>` : `<span class="muted">${esc(url)}</span>`}</li>`).join('')}</ul>`
    : '<p class="muted">The contract declares no URLs.</p>';
  const state = m.preview.up
    ? `running as instance <code>${esc(m.preview.worktreeId)}</code>${m.preview.expiresAt ? `, until ${esc(m.preview.expiresAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}` : ''}`
    : `stopped — restart it with <code>factory start --worktree-id ${esc(m.preview.worktreeId)}</code> in the job's worktree`;
  return section(
    'preview',
    'Preview',
    `<p>${state}</p>${list}`,
    chip(m.preview.up ? 'live' : 'stopped', m.preview.up ? 'ok' : 'muted'),
  );
}

export function testsSection(m: JobManifest): string {
  const tests = latestTests(m);
  if (!tests) return section('tests', 'Test results', '<p class="muted">Tests have not run.</p>');
  const rows = tests.suites
    .map((s) => {
      const counts = s.tests
        ? `${s.tests.passed}/${s.tests.tests} passed${s.tests.skipped ? `, ${s.tests.skipped} skipped` : ''}`
        : '';
      const files = [...(s.log ? [link('log', s.log)] : []), ...s.junit.map((j) => link('JUnit', j))].join(' · ');
      return `<tr><td>${chip(s.status, s.status === 'passed' ? 'ok' : s.status === 'not-run' ? 'muted' : 'bad')}</td><td><b>${esc(s.name)}</b><div class="muted">${esc(s.reason)}</div></td><td>${counts}</td><td>${files}</td></tr>`;
    })
    .join('');
  const tail =
    !tests.ok && tests.tail ? `<h3>Output of the failing suites</h3><pre class="tail">${esc(tests.tail)}</pre>` : '';
  return section(
    'tests',
    'Test results',
    `<table class="grid"><tr><th>result</th><th>suite</th><th>tests</th><th>files</th></tr>${rows}</table>${tail}`,
    chip(tests.ok ? 'passed' : 'failed', tests.ok ? 'ok' : 'bad'),
  );
}

export function verdictSection(m: JobManifest): string {
  if (!m.review) return section('review', 'Reviewer', '<p class="muted">The reviewer has not run.</p>');
  const { verdict, agent } = m.review;
  const tone: Tone = verdict.verdict === 'approve' ? 'ok' : verdict.verdict === 'request_changes' ? 'bad' : 'info';
  const findings = verdict.findings.length
    ? verdict.findings
        .map(
          (
            f,
          ) => `<div class="finding ${f.severity}"><div class="where">${chip(f.severity, f.severity === 'critical' || f.severity === 'major' ? 'bad' : f.severity === 'minor' ? 'warn' : 'info')} <code>${esc(f.file)}${f.line ? `:${f.line}` : ''}</code></div>
          <div>${esc(f.message)}</div>${f.suggestion ? `<div class="muted">Suggestion: ${esc(f.suggestion)}</div>` : ''}</div>`,
        )
        .join('')
    : '<p class="muted">No findings.</p>';
  return section(
    'review',
    'Reviewer',
    `<p>${esc(verdict.summary)}</p><p class="muted">by ${esc(agent.agent)}${agent.model ? ` (${esc(agent.model)})` : ''} · ${formatMs(m.review.durationMs)} · ${link('log', m.review.log)}</p><h3>Findings</h3>${findings}`,
    chip(words(verdict.verdict), tone),
  );
}

export function risksSection(m: JobManifest): string {
  const risks = [...(m.review?.verdict.risks ?? [])];
  const level = m.plan?.risk;
  const list = risks.length
    ? `<ul>${risks.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`
    : '<p class="muted">None named.</p>';
  const rollback = m.plan ? `<p>${esc(m.plan.rollback)}</p>` : '<p class="muted">No plan yet.</p>';
  const approval = m.approval
    ? `<div class="banner warn"><b>Approval gate.</b> Changes to ${m.approval.matched.map((p) => `<code>${esc(p)}</code>`).join(', ')} (matching ${m.approval.paths.map((p) => `<code>${esc(p)}</code>`).join(', ')}) ${
        m.approval.approvedAt
          ? `were approved${m.approval.approvedBy ? ` by ${esc(m.approval.approvedBy)}` : ''} at ${esc(m.approval.approvedAt)}.`
          : `wait for <code>factory job approve ${esc(m.id)}</code>.`
      }</div>`
    : '';
  return section(
    'risks',
    'Risks and rollback',
    `<div class="two"><div><h3>Known risks</h3>${list}</div><div><h3>Rollback</h3>${rollback}</div></div>${approval}`,
    level ? chip(`${level} risk`, level === 'high' ? 'bad' : level === 'medium' ? 'warn' : 'ok') : '',
  );
}

export function filesSection(m: JobManifest, patchHtml: string | null): string {
  if (!m.diff) return section('files', 'Files changed', '<p class="muted">No changes yet.</p>');
  const rows = m.diff.files
    .map(
      (f) =>
        `<tr><td><code>${esc(f.path)}</code></td><td>${esc(f.status)}</td><td class="num plus">+${f.additions}</td><td class="num minus">−${f.deletions}</td></tr>`,
    )
    .join('');
  const commits = m.commits.length
    ? `<h3>Commits</h3><ul>${m.commits.map((c) => `<li><code>${esc(c.sha.slice(0, 10))}</code> ${esc(c.subject)}</li>`).join('')}</ul>`
    : '';
  const plus = m.diff.files.reduce((n, f) => n + f.additions, 0);
  const minus = m.diff.files.reduce((n, f) => n + f.deletions, 0);
  return section(
    'files',
    'Files changed',
    `<table class="grid"><tr><th>file</th><th>change</th><th class="num">added</th><th class="num">removed</th></tr>${rows}</table>${commits}
     <h3>Diff <span class="muted">(${esc(m.diff.base.slice(0, 10))}…${esc(m.diff.head.slice(0, 10))}, ${link('full patch', m.diff.patch)})</span></h3>
     ${patchHtml ?? '<p class="muted">The patch file is missing.</p>'}`,
    `<span class="muted">${m.diff.files.length} file${m.diff.files.length === 1 ? '' : 's'}, <span class="plus">+${plus}</span> <span class="minus">−${minus}</span></span>`,
  );
}

export function roundsSection(m: JobManifest): string {
  if (m.rounds.length === 0) return '';
  const rows = m.rounds
    .map((r) => {
      const build = r.build ? `${esc(r.build.status)}, ${r.build.commits.length} commit(s)` : '—';
      const tests = r.tests ? chip(r.tests.ok ? 'passed' : 'failed', r.tests.ok ? 'ok' : 'bad') : '—';
      const browser = r.validation ? chip(r.validation.ok ? 'passed' : 'failed', r.validation.ok ? 'ok' : 'bad') : '—';
      const review = r.review
        ? chip(words(r.review.verdict.verdict), r.review.verdict.verdict === 'request_changes' ? 'bad' : 'ok')
        : '—';
      const feedback = r.feedback
        ? `<details><summary class="muted">what the builder was told</summary><pre class="tail">${esc(r.feedback)}</pre></details>`
        : '';
      return `<tr><td class="num">${r.round}</td><td>${esc(words(r.reason))}${feedback}</td><td>${build}</td><td>${tests}</td><td>${browser}</td><td>${review}</td></tr>`;
    })
    .join('');
  return section(
    'rounds',
    'Rounds',
    `<table class="grid"><tr><th class="num">#</th><th>why</th><th>build</th><th>tests</th><th>browser</th><th>review</th></tr>${rows}</table>`,
    `<span class="muted">${m.rounds.length - 1} of ${m.maxFixRounds} fix round(s) used</span>`,
  );
}

export function timelineSection(m: JobManifest): string {
  const longest = Math.max(1, ...m.timeline.map((t) => t.durationMs));
  const last = m.timeline.at(-1)?.id;
  const items = m.timeline
    .map((t) => {
      const tone = t.to === 'failed' ? 'bad' : t.to === 'ready_for_human_review' || t.to === 'merged' ? 'ok' : '';
      const artifacts = t.artifacts.map((a) => link(a.label, a.path)).join(' · ');
      return `<li class="${tone}${t.id === last ? ' current' : ''}"><div class="tl-head"><span class="state">${esc(words(t.to))}</span>
        <span class="muted">${esc(t.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</span><span class="chip muted">${esc(words(t.role))}</span>
        ${t.attempt > 1 ? chip(`attempt ${t.attempt}`, 'warn') : ''}${t.round > 1 ? chip(`round ${t.round}`, 'info') : ''}
        <span class="dur">${formatMs(t.durationMs)}</span></div>
        <div>${esc(t.message)}</div>${artifacts ? `<div class="muted">${artifacts}</div>` : ''}
        <div class="bar"><span style="width:${Math.max(1, Math.round((t.durationMs / longest) * 100))}%"></span></div></li>`;
    })
    .join('');
  return section('timeline', 'Timeline', `<ol class="timeline">${items}</ol>`);
}

/** A count an agent did not report is unknown (—), not 0. */
const count = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));
const usageCells = (u: JobUsage) =>
  `<td class="num">${count(u.input)}</td><td class="num">${count(u.output)}</td><td class="num">${count(u.cacheRead === undefined && u.cacheWrite === undefined ? undefined : (u.cacheRead ?? 0) + (u.cacheWrite ?? 0))}</td><td class="num">${u.costUsd !== undefined ? `$${u.costUsd.toFixed(4)}` : '—'}</td>`;

export function usageSection(m: JobManifest): string {
  const head =
    '<tr><th></th><th class="num">input</th><th class="num">output</th><th class="num">cache</th><th class="num">cost</th></tr>';
  const stages = Object.entries(m.usage.byStage)
    .map(([stage, u]) => `<tr><td>${esc(stage)}</td>${usageCells(u)}</tr>`)
    .join('');
  const rounds = m.usage.byRound.map((r) => `<tr><td>round ${r.round}</td>${usageCells(r.usage)}</tr>`).join('');
  return section(
    'usage',
    'Tokens and cost',
    `<table class="grid">${head}${stages}${rounds}<tr><td><b>job</b></td>${usageCells(m.usage.total)}</tr></table>
     <p class="muted">Counted where the agents reported them; an agent that reports nothing adds nothing.</p>`,
  );
}

export function failureSection(m: JobManifest): string {
  if (!m.failure && !m.cleanup) return '';
  const f = m.failure;
  const failure = f
    ? `<div class="banner bad"><b>Failed at ${esc(f.stage)}</b> (${esc(words(f.state))}): ${esc(f.message)}${f.hint ? `<div class="muted">${esc(f.hint)}</div>` : ''}${f.log ? `<div>${link('log', f.log)}</div>` : ''}</div>${
        f.logTail ? `<pre class="tail">${esc(f.logTail)}</pre>` : ''
      }`
    : '';
  const c = m.cleanup;
  const cleanup = c
    ? `<h3>Cleanup</h3><ul><li>agent stopped: ${c.agentStopped ? 'yes' : 'no'}</li><li>instance stopped: ${c.instanceStopped ? 'yes' : 'no'}</li><li>ports released: ${c.portsReleased ? 'yes' : 'no'}</li>
       ${c.worktreeKept ? `<li>worktree kept: <code>${esc(c.worktreeKept)}</code></li>` : ''}${c.branchKept ? `<li>branch kept: <code>${esc(c.branchKept)}</code></li>` : ''}${c.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`
    : '';
  return section('failure', f ? 'Failure' : 'Cleanup', failure + cleanup);
}
