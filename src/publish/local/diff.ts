/**
 * A unified diff (`git diff` output) as HTML: one collapsible block per file, hunk headers, added
 * and removed lines coloured, old and new line numbers. Bounded: a huge patch is cut per file and in
 * total, and the page says so (the full patch is linked beside it).
 */
import { esc } from '../../lib/html.js';

export const MAX_LINES_PER_FILE = 1500;
export const MAX_LINES_TOTAL = 8000;

export interface PatchFile {
  path: string;
  header: string[];
  lines: string[];
}

/** Splits `git diff` output at each `diff --git` header. */
export function splitPatch(patch: string): PatchFile[] {
  const files: PatchFile[] = [];
  let current: PatchFile | undefined;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const m = / b\/(.+)$/.exec(line);
      current = { path: m?.[1] ?? line.slice(11), header: [line], lines: [] };
      files.push(current);
    } else if (current) {
      if (current.lines.length === 0 && !line.startsWith('@@') && !line.startsWith('Binary')) current.header.push(line);
      else current.lines.push(line);
    }
  }
  return files;
}

function rows(lines: string[]): string {
  let oldNo = 0;
  let newNo = 0;
  const out: string[] = [];
  for (const line of lines) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      oldNo = Number(hunk[1]);
      newNo = Number(hunk[2]);
      out.push(`<tr class="hunk"><td></td><td></td><td>${esc(line)}</td></tr>`);
    } else if (line.startsWith('+')) {
      out.push(`<tr class="add"><td></td><td>${newNo++}</td><td>${esc(line)}</td></tr>`);
    } else if (line.startsWith('-')) {
      out.push(`<tr class="del"><td>${oldNo++}</td><td></td><td>${esc(line)}</td></tr>`);
    } else if (line.startsWith('\\')) {
      out.push(`<tr class="meta"><td></td><td></td><td>${esc(line)}</td></tr>`);
    } else if (line !== '' || oldNo > 0) {
      out.push(`<tr><td>${oldNo++}</td><td>${newNo++}</td><td>${esc(line)}</td></tr>`);
    }
  }
  return out.join('');
}

/** The patch's files as `<details>` blocks; `open` for the first few so the page shows code at once. */
export function renderPatch(patch: string, stats: Map<string, { additions: number; deletions: number }>): string {
  let budget = MAX_LINES_TOTAL;
  return splitPatch(patch)
    .map((f, i) => {
      const stat = stats.get(f.path);
      const shown = f.lines.slice(0, Math.max(0, Math.min(MAX_LINES_PER_FILE, budget)));
      budget -= shown.length;
      const cut = f.lines.length - shown.length;
      const binary = f.lines.some((l) => l.startsWith('Binary files'));
      const body = binary
        ? '<p class="muted">binary file</p>'
        : `<table class="diff">${rows(shown)}</table>${cut > 0 ? `<p class="muted">… ${cut} more lines not shown (see the full patch)</p>` : ''}`;
      return `<details class="file"${i < 8 ? ' open' : ''}><summary><code>${esc(f.path)}</code>${
        stat ? ` <span class="plus">+${stat.additions}</span> <span class="minus">−${stat.deletions}</span>` : ''
      }</summary>${body}</details>`;
    })
    .join('\n');
}
