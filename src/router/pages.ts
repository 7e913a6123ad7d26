/**
 * The router's own pages: the list of instances (an unknown host, or the bare router address) and
 * the 502 for a known host whose instance is not running or whose service does not answer.
 * Everything interpolated is HTML-escaped; no script, no external resource.
 */
import type { InstanceEntry, Route } from './routes.js';
import { routeUrl } from './routes.js';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 40px; color: #222; max-width: 60rem; }
  h1 { font-size: 1.4rem; } code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; }
  table { border-collapse: collapse; } td, th { text-align: left; padding: 4px 14px 4px 0; vertical-align: top; }
  .stopped { color: #999; } .hint { color: #555; }
</style></head>
<body>
${body}
</body></html>
`;
}

const command = (i: InstanceEntry) => `cd ${i.root} && factory start --worktree-id ${i.worktreeId}`;

/** Every instance the router knows, running ones with a link per service. */
export function listingPage(routes: Route[], port: number, askedHost: string | undefined): string {
  const byInstance = new Map<string, { instance: InstanceEntry; routes: Route[] }>();
  for (const r of routes) {
    const key = `${r.instance.root}\0${r.instance.worktreeId}`;
    const e = byInstance.get(key) ?? { instance: r.instance, routes: [] };
    e.routes.push(r);
    byInstance.set(key, e);
  }
  const entries = [...byInstance.values()].sort(
    (a, b) =>
      Number(b.instance.running) - Number(a.instance.running) ||
      a.instance.worktreeId.localeCompare(b.instance.worktreeId),
  );
  const rows = entries.map(({ instance: i, routes: rs }) => {
    const links = i.running
      ? rs.map((r) => `<a href="${esc(routeUrl(r, port))}">${esc(r.service)}</a>`).join(' · ')
      : `<span class="hint">start it: <code>${esc(command(i))}</code></span>`;
    return `<tr class="${i.running ? 'running' : 'stopped'}"><td>${esc(i.project)}</td><td>${esc(i.worktreeId)}</td><td>${esc(i.phase)}</td><td>${links}</td></tr>`;
  });
  const asked = askedHost ? `<p>No instance answers to <code>${esc(askedHost)}</code>.</p>` : '';
  return page(
    'factory router',
    `<h1>factory router</h1>
${asked}<p>Hostnames are <code>&lt;service&gt;.&lt;worktree-id&gt;.&lt;project&gt;.localhost:${port}</code>.</p>
${
  rows.length
    ? `<table><thead><tr><th>project</th><th>worktree id</th><th>phase</th><th>services</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`
    : '<p>No instances on this machine yet: run <code>factory start</code> in a checkout.</p>'
}`,
  );
}

/** 502: the host is an instance's, but it is not running, or its service did not answer. */
export function badGatewayPage(route: Route, reason: 'stopped' | 'unreachable', detail: string): string {
  const i = route.instance;
  const what =
    reason === 'stopped'
      ? `Instance <code>${esc(i.worktreeId)}</code> of <code>${esc(i.project)}</code> is not running (${esc(i.phase)}).`
      : `Service <code>${esc(route.service)}</code> of instance <code>${esc(i.worktreeId)}</code> (${esc(i.project)}) does not answer at <code>${esc(route.target)}</code>: ${esc(detail)}.`;
  const hint =
    reason === 'stopped'
      ? `Start it: <code>${esc(command(i))}</code>`
      : `Check it: <code>cd ${esc(i.root)} &amp;&amp; factory status --worktree-id ${esc(i.worktreeId)}</code>`;
  return page(`502 · ${route.host}`, `<h1>502 Bad Gateway</h1>\n<p>${what}</p>\n<p class="hint">${hint}</p>`);
}
