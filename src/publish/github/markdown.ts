/**
 * Markdown helpers for what the factory writes on GitHub. Text that came from a request or an agent
 * is data: `md()` keeps it from becoming markup that does something — HTML (and so a forged hidden
 * marker), @mentions that would notify people — while staying readable.
 */

/** Inline text from a request or an agent: no HTML, no mentions, one line. */
export function md(text: string): string {
  return mdBlock(text).replace(/\s*\n\s*/g, ' ');
}

/** Multi-line text from a request or an agent, kept as paragraphs. */
export function mdBlock(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=[A-Za-z0-9])/g, '&#64;')
    .trimEnd();
}

/** Inline code: a backtick fence longer than any run inside. */
export function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\n/g, ' ')}${pad}${fence}`;
}

/** A fenced block with a fence no line of the text can close. */
export function fenced(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

/** Every line quoted. */
export function quote(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.trim() ? `> ${l}` : '>'))
    .join('\n');
}

/** A cell of a Markdown table. */
export function cell(text: string): string {
  return md(text).replace(/\|/g, '\\|');
}

export function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The first `lines` lines (and at most `chars` characters) of a text, and whether it was cut. */
export function excerpt(text: string, lines = 12, chars = 1500): { text: string; cut: boolean } {
  const all = text.replace(/\r\n/g, '\n').trim();
  let out = all.split('\n').slice(0, lines).join('\n');
  if (out.length > chars) out = `${out.slice(0, chars)}…`;
  return { text: out, cut: out !== all };
}

/** A duration for people: 850 ms, 12.3 s, 4 min 5 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}
