/** `/instances`: every instance on the machine (what `factory ps` lists), with a Stop button. */
import { esc } from '../../lib/html.js';
import { chip, type Tone } from '../../publish/index.js';
import type { DashboardInstance } from '../schema.js';
import { page } from './layout.js';

const tone = (phase: string, running: boolean): Tone =>
  running ? 'ok' : phase === 'failed' || phase === 'supervisor-dead' ? 'bad' : 'muted';

function service(s: DashboardInstance['services'][number]): string {
  const t: Tone =
    s.state === 'failed' || s.health === 'unhealthy'
      ? 'bad'
      : s.state === 'ready' || s.state === 'completed'
        ? 'ok'
        : 'info';
  return chip(`${s.name} ${s.state}${s.health !== 'none' ? ` · ${s.health}` : ''}`, t);
}

function row(i: DashboardInstance): string {
  const ports = i.portBase !== null ? `${i.portBase}–${i.portBase + (i.portCount ?? 1) - 1}` : '—';
  const urls = Object.entries(i.urls)
    .map(
      ([name, url]) =>
        `<div><b>${esc(name)}</b> ${i.running ? `<a href="${esc(url)}">${esc(url)}</a>` : `<span class="muted">${esc(url)}</span>`}</div>`,
    )
    .join('');
  const leaks = i.leaks.length ? i.leaks.map((l) => chip(l, 'bad')).join(' ') : '<span class="muted">none</span>';
  const stoppable = i.root !== null && i.worktreeId !== null && (i.running || i.processes.length > 0);
  const stop = stoppable
    ? `<form method="post" action="/instances/stop"><input type="hidden" name="root" value="${esc(i.root ?? '')}"><input type="hidden" name="id" value="${esc(i.worktreeId ?? '')}"><button class="danger" type="submit">Stop</button></form>`
    : '';
  return `<tr class="instance" data-id="${esc(i.worktreeId ?? '')}" data-running="${i.running}">
  <td title="${esc(i.root ?? '')}"><code>${esc(i.root ?? '?')}</code>${i.jobId ? `<div><a href="/jobs/${esc(i.jobId)}">job preview</a></div>` : ''}</td>
  <td><code>${esc(i.worktreeId ?? '?')}</code></td>
  <td>${chip(i.phase, tone(i.phase, i.running), 'phase')}${i.running ? ` ${chip(i.healthy ? 'healthy' : 'not healthy', i.healthy ? 'ok' : 'warn')}` : ''}</td>
  <td><div class="services">${i.services.map(service).join('') || '<span class="muted">—</span>'}</div></td>
  <td class="num">${esc(ports)}</td><td>${urls || '<span class="muted">—</span>'}</td><td>${leaks}</td><td>${stop}</td></tr>`;
}

export function instancesPage(list: DashboardInstance[]): string {
  const table = list.length
    ? `<table class="grid instances"><tr><th>repository</th><th>id</th><th>phase</th><th>services</th><th class="num">ports</th><th>URLs</th><th>leaks</th><th></th></tr>${list.map(row).join('')}</table>`
    : '<div class="empty">No instances on this machine.</div>';
  return page({
    title: 'Instances',
    here: 'instances',
    data: { page: 'instances', events: '/api/events' },
    body: `<main><section><h2>Instances <span class="muted">${list.length}</span></h2><div id="instances-table" data-live="instances">${table}</div></section></main>`,
  });
}
