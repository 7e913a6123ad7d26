/**
 * The pull request body: every section of the seed's "GitHub PR contract", in the order a reviewer
 * asks (what was asked, what was done, is it shown to work, is it safe, how to undo it), rendered
 * from the evidence manifest alone, plus a hidden marker that ties the pull request to its job so a
 * re-run finds and updates it instead of opening another. The caller redacts the manifest before and
 * the text after (the one redaction step, ADR 0101).
 */
import {
  acceptanceChecklist,
  featureScenario,
  latestTests,
  latestValidation,
  type EvidenceLink,
} from '../evidence/checklist.js';
import type { JobManifest } from '../evidence/manifest.js';
import { cell, code, duration, excerpt, md, mdBlock, quote, table } from './markdown.js';

/** The hidden line that names the job; `findJobMarker` reads it back. */
export const jobMarker = (jobId: string) => `<!-- factory-job: ${jobId} -->`;

export function hasJobMarker(body: string | null | undefined, jobId: string): boolean {
  return (body ?? '').includes(jobMarker(jobId));
}

/** The section headings, in order (the tests check each is present). */
export const BODY_SECTIONS = [
  'Request',
  'Problem statement',
  'Implementation summary',
  'Files changed and architecture notes',
  'Acceptance checklist',
  'Test results',
  'Preview',
  'Video and screenshots',
  'Reviewer',
  'Known risks',
  'Rollback',
] as const;

export interface BodyInput {
  /** Already redacted. */
  manifest: JobManifest;
  /** Job-folder-relative path → a URL GitHub can show (the evidence branch, pinned to its commit). */
  links: ReadonlyMap<string, string>;
  /** Evidence files that could not be published, with why (too large, missing). */
  skipped: readonly { path: string; why: string }[];
}

const heading = (title: (typeof BODY_SECTIONS)[number]) => `## ${title}`;

/** A link when the file was published; otherwise its path in the job folder. */
function ref(input: BodyInput, label: string, path: string): string {
  const url = input.links.get(path);
  return url ? `[${md(label)}](${url})` : `${md(label)} (${code(`.factory/jobs/${input.manifest.id}/${path}`)})`;
}

function evidenceText(input: BodyInput, ev: EvidenceLink[]): string {
  return ev.map((e) => (e.path ? ref(input, e.label, e.path) : md(e.label))).join(', ');
}

function request(m: JobManifest): string {
  const { text, cut } = excerpt(m.request, 8, 600);
  const parts = [heading('Request'), quote(mdBlock(text))];
  if (cut) parts.push(`<details><summary>The whole request</summary>\n\n${quote(mdBlock(m.request))}\n\n</details>`);
  const via = m.requestedVia ? ` — ${md(m.requestedVia)}` : '';
  parts.push(`Asked through the factory (job ${code(m.id)}, ${m.createdAt.replace(/\.\d+Z$/, 'Z')})${via}.`);
  return parts.join('\n\n');
}

function problem(m: JobManifest): string {
  return [heading('Problem statement'), m.plan ? mdBlock(m.plan.summary) : '_No plan yet._'].join('\n\n');
}

function implementation(m: JobManifest): string {
  const steps = m.plan ? m.plan.steps.map((s, i) => `${i + 1}. ${md(s)}`).join('\n') : '_No plan yet._';
  const commits = m.commits.length
    ? m.commits.map((c) => `- ${code(c.sha.slice(0, 10))} ${md(c.subject)}`).join('\n')
    : '_No commits yet._';
  const rounds = m.rounds.length > 1 ? `\n\n${m.rounds.length - 1} fix round(s) after the first build.` : '';
  return [heading('Implementation summary'), `**Plan**\n\n${steps}`, `**Commits**\n\n${commits}${rounds}`].join('\n\n');
}

function files(m: JobManifest): string {
  if (!m.diff) return [heading('Files changed and architecture notes'), '_No changes yet._'].join('\n\n');
  const rows = m.diff.files.map((f) => [code(f.path), f.status, `+${f.additions}`, `−${f.deletions}`]);
  const planned = new Set(m.plan?.files ?? []);
  const outside = m.diff.files.filter((f) => planned.size > 0 && !planned.has(f.path)).map((f) => code(f.path));
  const notes = [
    `${m.diff.files.length} file(s) against ${code(m.base)} (${code(m.diff.base.slice(0, 10))}…${code(m.diff.head.slice(0, 10))}).`,
    planned.size
      ? outside.length
        ? `Outside the plan's files: ${outside.join(', ')}.`
        : 'Every changed file is one the plan named.'
      : '',
    m.approval
      ? `Approval gate: ${m.approval.matched.map(code).join(', ')} ${m.approval.approvedAt ? `approved${m.approval.approvedBy ? ` by ${md(m.approval.approvedBy)}` : ''}` : 'waits for approval'}.`
      : '',
  ].filter(Boolean);
  return [
    heading('Files changed and architecture notes'),
    table(['file', 'change', 'added', 'removed'], rows),
    notes.join(' '),
  ].join('\n\n');
}

function checklist(input: BodyInput): string {
  const items = acceptanceChecklist(input.manifest);
  if (items.length === 0) return [heading('Acceptance checklist'), '_No criteria yet._'].join('\n\n');
  const lines = items.map((i) => {
    const box = i.met === true ? '[x]' : '[ ]';
    const state = i.met === true ? '' : i.met === false ? ' — **not met**' : ' — no evidence yet';
    const ev = i.evidence.length ? ` — ${evidenceText(input, i.evidence)}` : '';
    const note = i.note ? ` (${md(i.note)})` : '';
    return `- ${box} **${md(i.criterion.id)}** ${md(i.criterion.text)} _(${i.criterion.proof})_${state}${ev}${note}`;
  });
  const met = items.filter((i) => i.met === true).length;
  return [heading('Acceptance checklist'), `${met} of ${items.length} shown by evidence.`, lines.join('\n')].join(
    '\n\n',
  );
}

function tests(input: BodyInput): string {
  const t = latestTests(input.manifest);
  if (!t) return [heading('Test results'), '_Tests have not run._'].join('\n\n');
  const rows = t.suites.map((s) => [
    s.status === 'passed' ? '✅ passed' : s.status === 'not-run' ? '⏭ not run' : `❌ ${s.status}`,
    code(s.name),
    s.tests ? `${s.tests.passed}/${s.tests.tests}${s.tests.skipped ? ` (${s.tests.skipped} skipped)` : ''}` : '',
    cell(s.reason),
  ]);
  const tail =
    !t.ok && t.tail
      ? `\n\n<details><summary>Output of the failing suites</summary>\n\n${fencedTail(t.tail)}\n\n</details>`
      : '';
  return [
    heading('Test results'),
    `${t.ok ? '**Passed**' : '**Failed**'} in ${duration(t.durationMs)}.`,
    table(['result', 'suite', 'tests', 'why'], rows) + tail,
  ].join('\n\n');
}

const fencedTail = (text: string) => `\`\`\`\`text\n${text.replace(/````/g, '` ` ` `')}\n\`\`\`\``;

function preview(m: JobManifest): string {
  if (!m.preview) return [heading('Preview'), '_No preview: the environment did not start._'].join('\n\n');
  const urls = Object.entries(m.preview.urls).map(([name, url]) => `- **${md(name)}**: ${url}`);
  const state = m.preview.up
    ? `Running as instance ${code(m.preview.worktreeId)} on the factory's machine${m.preview.expiresAt ? `, until ${m.preview.expiresAt.replace(/\.\d+Z$/, 'Z')}` : ''}.`
    : `Stopped. Start it again in the job's worktree with ${code(`factory start --worktree-id ${m.preview.worktreeId}`)}.`;
  return [heading('Preview'), state, urls.join('\n') || '_The contract declares no URLs._'].join('\n\n');
}

function media(input: BodyInput): string {
  const v = latestValidation(input.manifest);
  if (!v) return [heading('Video and screenshots'), '_Browser validation has not run._'].join('\n\n');
  const feature = featureScenario(input.manifest);
  const main = feature ?? v.scenarios.find((s) => s.video);
  const parts: string[] = [heading('Video and screenshots')];
  if (main?.video) {
    const video = input.links.get(main.video);
    const poster = main.poster ? input.links.get(main.poster) : undefined;
    const label = `${main.name}${main.feature ? ' (the feature scenario)' : ''}, ${main.status}, ${duration(main.durationMs)}`;
    if (video && poster)
      parts.push(`[![Video: ${md(label)}](${poster})](${video})\n\n▶ [Video: ${md(label)}](${video})`);
    else parts.push(`▶ ${ref(input, `Video: ${label}`, main.video)}`);
  } else parts.push('_No video was recorded._');
  parts.push(
    table(
      ['result', 'scenario', 'took', 'evidence'],
      v.scenarios.map((s) => [
        s.status === 'passed' ? '✅ passed' : '❌ failed',
        `${code(s.name)}${s.feature ? ' (feature)' : ''}${s.failure ? ` — ${cell(s.failure.summary)}` : ''}`,
        duration(s.durationMs),
        [
          s.video ? ref(input, 'video', s.video) : '',
          ...s.screenshots.map((p, i) => ref(input, `screenshot ${i + 1}`, p)),
        ]
          .filter(Boolean)
          .join(', '),
      ]),
    ),
  );
  const shots = v.scenarios.flatMap((s) => s.screenshots.map((p) => ({ scenario: s.name, path: p })));
  const inline = shots.filter((s) => input.links.has(s.path));
  if (inline.length)
    parts.push(
      inline
        .map((s) => `![${md(`${s.scenario}: ${s.path.split('/').pop() ?? s.path}`)}](${input.links.get(s.path)})`)
        .join('\n'),
    );
  if (input.skipped.length)
    parts.push(`Not published: ${input.skipped.map((s) => `${code(s.path)} (${md(s.why)})`).join(', ')}.`);
  return parts.join('\n\n');
}

function reviewer(m: JobManifest): string {
  if (!m.review)
    return [heading('Reviewer'), '_The reviewer has not run yet; its verdict is posted as a review._'].join('\n\n');
  const { verdict, agent } = m.review;
  const word = { approve: 'no changes needed', comment: 'comments', request_changes: 'changes requested' }[
    verdict.verdict
  ];
  const findings = verdict.findings.length
    ? verdict.findings
        .map((f) => `- **${f.severity}** ${code(`${f.file}${f.line ? `:${f.line}` : ''}`)} ${md(f.message)}`)
        .join('\n')
    : '_No findings._';
  return [
    heading('Reviewer'),
    `**${word}** — by ${md(agent.agent)}${agent.model ? ` (${md(agent.model)})` : ''}, ${duration(m.review.durationMs)}. The full verdict is this pull request's review, with comments at the lines.`,
    mdBlock(verdict.summary),
    findings,
  ].join('\n\n');
}

function risks(m: JobManifest): string {
  const list = (m.review?.verdict.risks ?? []).map((r) => `- ${md(r)}`).join('\n');
  return [
    heading('Known risks'),
    m.plan ? `Risk level: **${m.plan.risk}** (the planner's estimate).` : '',
    list || '_None named._',
  ]
    .filter(Boolean)
    .join('\n\n');
}

function rollback(m: JobManifest): string {
  return [
    heading('Rollback'),
    m.plan ? mdBlock(m.plan.rollback) : '_No plan yet._',
    `Once merged, ${code('git revert')} the merge commit; before that, close this pull request (the factory closes the job, stops its preview and removes its worktree on the next ${code('factory job sync')}).`,
  ].join('\n\n');
}

export function renderPullBody(input: BodyInput): string {
  const m = input.manifest;
  const footer = `---\n<sub>Generated by Software Factory · job ${code(m.id)} · state ${code(m.state)} · branch ${code(m.branch)} · evidence: ${code(`.factory/jobs/${m.id}/`)}</sub>`;
  return [
    request(m),
    problem(m),
    implementation(m),
    files(m),
    checklist(input),
    tests(input),
    preview(m),
    media(input),
    reviewer(m),
    risks(m),
    rollback(m),
    footer,
    jobMarker(m.id),
  ].join('\n\n');
}

/** The pull request's title: the plan's summary's first sentence, else the request's first line. */
export function pullTitle(m: JobManifest): string {
  const fromPlan = m.plan?.summary.split(/(?<=[.!?])\s/)[0]?.trim();
  const title = (fromPlan || m.title).replace(/\s+/g, ' ').replace(/\.$/, '').trim();
  return title.length > 120 ? `${title.slice(0, 119)}…` : title;
}
