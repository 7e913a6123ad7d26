/**
 * The shell every dashboard page shares: the app bar, the stylesheet, and the one script
 * (/assets/dashboard.js) that makes a page live. Pages are complete without it: every action is a
 * form POST, every filter a GET form, and a reload shows the same as the live update would.
 */
import { esc } from '../../lib/html.js';
import { DASHBOARD_CSS } from './style.js';

export interface Shell {
  title: string;
  /** Which app-bar link is this page. */
  here: 'jobs' | 'instances' | null;
  /** data-* attributes of <body> (the script reads `events`). */
  data?: Record<string, string>;
  /** Relative links of the page resolve here (a job page: its folder). */
  base?: string;
  body: string;
}

export function page(s: Shell): string {
  const data = Object.entries(s.data ?? {})
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  const link = (href: string, key: Shell['here'], label: string) =>
    `<a href="${href}"${s.here === key ? ' class="here"' : ''}>${label}</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(s.title)} · factory</title>${s.base ? `<base href="${esc(s.base)}">` : ''}
<style>${DASHBOARD_CSS}</style>
<script src="/assets/dashboard.js" defer></script></head>
<body${data}>
<nav class="app"><span class="brand">factory</span>${link('/', 'jobs', 'Jobs')}${link('/instances', 'instances', 'Instances')}<span class="spacer"></span><span id="live-status" data-state="off">${s.data?.events ? 'connecting…' : 'static'}</span></nav>
${s.body}
</body></html>
`;
}

/** "3 min ago" for a time in the past. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export const words = (s: string) => s.replace(/_/g, ' ');

export function errorPage(status: number, message: string, hint: string | null): string {
  return page({
    title: `${status}`,
    here: null,
    body: `<main class="error-page"><h1>${status === 404 ? 'Not found' : status === 401 ? 'Login needed' : 'Cannot do that'}</h1><p>${esc(message)}</p>${hint ? `<p class="muted">${esc(hint)}</p>` : ''}<p><a href="/">Jobs</a></p></main>`,
  });
}
