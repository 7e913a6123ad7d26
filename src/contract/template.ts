/**
 * The `${NAME}` template grammar, shared by the compile-time checks (./references.ts) and the
 * per-instance resolution (./interpolate.ts), so both read a string the same way.
 *
 *   ${NAME}   a reference; NAME is [A-Za-z_][A-Za-z0-9_]*
 *   $$        a literal `$`
 *   $ + other a literal `$` (so `$HOME` or `$(cmd)` inside a URL stays as written)
 *
 * Anything else that starts with `${` (`${ports.api}`, `${X:-y}`, an unclosed `${`) is malformed in a
 * template. Shell command lines are not templates: see `shellReferences`.
 */

export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type TemplatePart =
  | { kind: 'text'; text: string }
  /** `offset` is the index of the `$` in the template; `length` covers `${NAME}`. */
  | { kind: 'ref'; name: string; offset: number; length: number };

export interface TemplateSyntaxError {
  offset: number;
  length: number;
  message: string;
}

/** Split a template into text and references, or say where it is malformed. */
export function parseTemplate(t: string): { parts: TemplatePart[]; error?: TemplateSyntaxError } {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < t.length) {
    const c = t[i];
    if (c !== '$') {
      text += c;
      i++;
      continue;
    }
    const next = t[i + 1];
    if (next === '$') {
      text += '$';
      i += 2;
      continue;
    }
    if (next !== '{') {
      text += '$';
      i++;
      continue;
    }
    const close = t.indexOf('}', i + 2);
    if (close < 0) {
      return {
        parts,
        error: { offset: i, length: t.length - i, message: 'unclosed "${" (write "$$" for a literal "$")' },
      };
    }
    const name = t.slice(i + 2, close);
    if (!NAME_RE.test(name)) {
      return {
        parts,
        error: {
          offset: i,
          length: close + 1 - i,
          message: `"\${${name}}" is not a variable reference: names are letters, digits and "_" (write "$$" for a literal "$")`,
        },
      };
    }
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push({ kind: 'ref', name, offset: i, length: close + 1 - i });
    i = close + 1;
  }
  if (text) parts.push({ kind: 'text', text });
  return { parts };
}

/**
 * The `${NAME}` references in a shell line, which factory checks but never rewrites (`sh` expands
 * them from the environment factory passes). Only the exact `${NAME}` form is a reference: `$NAME`,
 * `${NAME:-default}` and other shell expansions are the shell's business and are not checked, and
 * `$${NAME}` or `\${NAME}` opt a reference out of the check (for variables the line sets itself).
 */
export function shellReferences(line: string): { name: string; offset: number; length: number }[] {
  const refs: { name: string; offset: number; length: number }[] = [];
  const re = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const before = line[m.index - 1];
    if (before === '$' || before === '\\') continue;
    refs.push({ name: m[1] as string, offset: m.index, length: m[0].length });
  }
  return refs;
}

/** Names referenced by a template (empty when malformed; the compile-time check reports that). */
export function templateNames(t: string): string[] {
  return parseTemplate(t).parts.flatMap((p) => (p.kind === 'ref' ? [p.name] : []));
}
