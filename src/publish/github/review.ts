/**
 * The reviewer's verdict as a real pull request review: REQUEST_CHANGES for `request_changes`,
 * COMMENT otherwise — APPROVE is never sent (a person approves; the bot's approval would count
 * toward branch protection). Findings at a line the diff shows become line comments there (on the
 * new side); the rest are listed in the review's body. Each verdict is posted once: its review
 * carries a marker with the job and the round, found on the next publish.
 *
 * GitHub refuses REQUEST_CHANGES on a pull request its author opened (the usual case: the same
 * token opens and reviews) and line comments off the diff with 422; the review is then posted once
 * more as a COMMENT with every finding in the body, saying why (ADR 0122).
 */
import { githubFailure, messageOf, statusOf, type GitHub } from '../../github/index.js';
import type { JobManifest } from '../evidence/manifest.js';
import type { Finding, Verdict } from '../evidence/verdict.js';
import { code, md, mdBlock } from './markdown.js';
import type { Pull, Repo } from './pulls.js';

export const reviewMarker = (jobId: string, round: number) => `<!-- factory-review: ${jobId} round ${round} -->`;

/** Lines of the new side each file's hunks show (added or context), from a unified diff. */
export function commentableLines(patch: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let file: string | undefined;
  let line = 0;
  let inHunk = false;
  for (const raw of patch.split('\n')) {
    if (raw.startsWith('diff --git ')) {
      file = undefined;
      inHunk = false;
      continue;
    }
    if (!inHunk && raw.startsWith('+++ ')) {
      const p = raw.slice(4).trim();
      file = p === '/dev/null' ? undefined : p.replace(/^b\//, '');
      continue;
    }
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (h) {
      line = Number(h[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk || !file) continue;
    if (raw.startsWith('+') || raw.startsWith(' ')) {
      const set = out.get(file) ?? new Set<number>();
      out.set(file, set);
      set.add(line++);
    } else if (raw.startsWith('-') || raw.startsWith('\\')) {
      // the old side, or "\ No newline at end of file"
    } else inHunk = false;
  }
  return out;
}

const findingText = (f: Finding) =>
  `**${f.severity}**: ${mdBlock(f.message)}${f.suggestion ? `\n\n_Suggestion:_ ${mdBlock(f.suggestion)}` : ''}`;

function reviewBody(m: JobManifest, v: Verdict, off: Finding[], note?: string): string {
  const word = { approve: 'No changes needed', comment: 'Comments', request_changes: 'Changes requested' }[v.verdict];
  const parts = [
    `### Factory reviewer: ${word.toLowerCase()}`,
    mdBlock(v.summary),
    ...(v.criteria?.length
      ? [v.criteria.map((c) => `- ${c.met ? '✅' : '❌'} **${md(c.id)}**${c.note ? ` ${md(c.note)}` : ''}`).join('\n')]
      : []),
    ...(off.length
      ? [
          `**Findings${note ? '' : ' outside the diff'}**\n\n${off.map((f) => `- ${code(`${f.file}${f.line ? `:${f.line}` : ''}`)} ${findingText(f).replace(/\n\n/g, ' ')}`).join('\n')}`,
        ]
      : []),
    ...(v.risks.length ? [`**Risks**\n\n${v.risks.map((r) => `- ${md(r)}`).join('\n')}`] : []),
    ...(v.verdict === 'approve'
      ? ['_The reviewer found nothing to change. The factory never approves: a person does._']
      : []),
    ...(note ? [`_${note}_`] : []),
    reviewMarker(m.id, m.rounds.findLast((r) => r.review)?.round ?? 1),
  ];
  return parts.join('\n\n');
}

export interface PostedReview {
  id: number;
  event: 'COMMENT' | 'REQUEST_CHANGES';
  comments: number;
  posted: boolean;
}

export async function postReview(
  gh: GitHub,
  r: Repo,
  pull: Pull,
  o: { manifest: JobManifest; patch: string | null; head: string; redact: (s: string) => string },
): Promise<PostedReview | undefined> {
  const m = o.manifest;
  const review = m.review;
  if (!review) return undefined;
  const round = m.rounds.findLast((x) => x.review)?.round ?? 1;
  const slug = `${r.owner}/${r.repo}`;
  const marker = reviewMarker(m.id, round);
  try {
    const existing = await gh.paginate(gh.rest.pulls.listReviews, { ...r, pull_number: pull.number, per_page: 100 });
    const mine = existing.find((x) => (x.body ?? '').includes(marker));
    if (mine)
      return {
        id: mine.id,
        event: mine.state === 'CHANGES_REQUESTED' ? 'REQUEST_CHANGES' : 'COMMENT',
        comments: 0,
        posted: false,
      };
  } catch (error) {
    throw githubFailure(error, `listing the reviews of #${pull.number}`, slug);
  }
  const v = review.verdict;
  const lines = commentableLines(o.patch ?? '');
  const on = v.findings.filter((f) => f.line !== undefined && lines.get(f.file)?.has(f.line));
  const off = v.findings.filter((f) => !on.includes(f));
  const event = v.verdict === 'request_changes' ? 'REQUEST_CHANGES' : 'COMMENT';
  const send = (ev: 'COMMENT' | 'REQUEST_CHANGES', body: string, comments: typeof on) =>
    gh.rest.pulls.createReview({
      ...r,
      pull_number: pull.number,
      commit_id: o.head,
      event: ev,
      body: o.redact(body),
      comments: comments.map((f) => ({
        path: f.file,
        line: f.line as number,
        side: 'RIGHT' as const,
        body: o.redact(findingText(f)),
      })),
    });
  try {
    const { data } = await send(event, reviewBody(m, v, off), on);
    return { id: data.id, event, comments: on.length, posted: true };
  } catch (error) {
    if (statusOf(error) !== 422) throw githubFailure(error, `posting the review on #${pull.number}`, slug);
    const why = messageOf(error);
    const note = `GitHub refused the review as first sent (${why}); posted as a comment with every finding here.`;
    try {
      const { data } = await send('COMMENT', reviewBody(m, v, v.findings, note), []);
      return { id: data.id, event: 'COMMENT', comments: 0, posted: true };
    } catch (again) {
      throw githubFailure(again, `posting the review on #${pull.number}`, slug);
    }
  }
}
