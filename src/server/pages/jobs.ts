/** `/`: every job, newest first — state chip, request, repository, age, duration — with filters. */
import { JOB_STATES, type JobState } from '../../jobs/index.js';
import { esc, formatMs } from '../../lib/html.js';
import { chip, stateTone } from '../../publish/index.js';
import type { DashboardJob } from '../schema.js';
import { ago, page, words } from './layout.js';

export interface JobsPageInput {
  jobs: DashboardJob[];
  repos: string[];
  state: JobState | 'live' | undefined;
  repo: string | undefined;
}

const short = (repo: string) => repo.split('/').filter(Boolean).slice(-2).join('/');

function filters(i: JobsPageInput): string {
  const option = (value: string, label: string, selected: boolean) =>
    `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
  const states = [
    option('', 'all states', i.state === undefined),
    option('live', 'live (not ended)', i.state === 'live'),
  ]
    .concat(JOB_STATES.map((s) => option(s, words(s), i.state === s)))
    .join('');
  const repos = [option('', 'all repositories', i.repo === undefined)]
    .concat(i.repos.map((r) => option(r, short(r), i.repo === r)))
    .join('');
  return `<form class="toolbar" method="get" action="/" id="filters">
  <label>State<select name="state">${states}</select></label>
  <label>Repository<select name="repo">${repos}</select></label>
  <button type="submit">Filter</button>${i.state || i.repo ? ' <a class="button" href="/">Clear</a>' : ''}</form>`;
}

function rows(jobs: DashboardJob[]): string {
  if (jobs.length === 0)
    return '<div class="empty">No jobs match. Start one with <code>factory job new "…"</code>.</div>';
  const body = jobs
    .map(
      (j) => `<tr class="job" data-id="${esc(j.id)}" data-state="${esc(j.state)}">
  <td>${chip(words(j.state), stateTone(j.state), 'state')}${j.cancelRequested ? ` ${chip('cancelling', 'warn')}` : ''}</td>
  <td class="title"><a href="/jobs/${esc(j.id)}">${esc(j.title)}</a><span class="muted">${esc(j.excerpt)}</span></td>
  <td title="${esc(j.repo)}"><code>${esc(short(j.repo))}</code></td>
  <td><time datetime="${esc(j.createdAt)}">${esc(ago(j.createdAt))}</time></td>
  <td class="num">${esc(formatMs(j.durationMs))}</td>
  <td><code class="muted">${esc(j.id.slice(-6))}</code></td></tr>`,
    )
    .join('');
  return `<table class="grid jobs"><tr><th>state</th><th>request</th><th>repository</th><th>created</th><th class="num">took</th><th>id</th></tr>${body}</table>`;
}

export function jobsPage(i: JobsPageInput): string {
  const query = new URLSearchParams({ ...(i.state ? { state: i.state } : {}), ...(i.repo ? { repo: i.repo } : {}) });
  return page({
    title: 'Jobs',
    here: 'jobs',
    data: { page: 'jobs', events: '/api/events' },
    body: `<main><section><h2>Jobs <span class="muted">${i.jobs.length}</span></h2>${filters(i)}
<div id="jobs-table" data-live="jobs" data-query="${esc(query.toString())}">${rows(i.jobs)}</div></section></main>`,
  });
}
