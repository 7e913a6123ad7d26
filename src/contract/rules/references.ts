/**
 * Interpolation rules: every `${NAME}` is well-formed and defined somewhere it will be visible,
 * and env variables do not reference each other in a cycle. Checked at compile time so a typo is
 * reported at its line, not when the service it is in starts.
 */
import type { Diagnostic } from '../../lib/failure.js';
import type { Draft, Rule, TemplateUse } from '../draft.js';
import { BUILTIN_NAMES } from '../interpolate.js';
import { declarePortHint } from './ports.js';
import { suggest } from '../../lib/suggest.js';
import { parseTemplate, shellReferences } from '../template.js';

/**
 * Names visible everywhere: built-ins, port variables, contract env, env_file values, and the
 * environment. The environment is asked one name at a time (`name in processEnv`), never listed:
 * the compiled-contract cache (../cache.ts) records exactly the names a compile looked up.
 */
function contractNames(d: Draft): { all: { has(name: string): boolean }; suggestible: string[] } {
  const own = [
    ...BUILTIN_NAMES,
    ...d.contract.ports.map((p) => p.envVar),
    ...Object.keys(d.contract.env),
    ...d.envFileNames,
  ];
  const mine = new Set<string>(own);
  return { all: { has: (name) => mine.has(name) || name in d.processEnv }, suggestible: [...mine] };
}

function refsOf(t: TemplateUse): {
  refs: { name: string; offset: number; length: number }[];
  error?: { offset: number; length: number; message: string };
} {
  if (t.shell) return { refs: shellReferences(t.value) };
  const { parts, error } = parseTemplate(t.value);
  const refs = parts.flatMap((p) => (p.kind === 'ref' ? [{ name: p.name, offset: p.offset, length: p.length }] : []));
  return error ? { refs, error } : { refs };
}

function siblingsOf(d: Draft, map: string): Set<string> {
  return new Set(d.origins.envKeys.filter((k) => k.map === map).map((k) => k.key));
}

export const undefinedReferences: Rule = {
  name: 'undefined-references',
  check(d) {
    // Names defined by what the schema took out (env, env files, ports) are unknown.
    if (['env', 'env_file', 'ports'].some((k) => d.pruned.touches([k]))) return [];
    const { all, suggestible } = contractNames(d);
    const out: Diagnostic[] = [];
    for (const t of d.templates) {
      if (d.pruned.touches([...t.path.slice(0, 2), 'env'])) continue;
      const { refs, error } = refsOf(t);
      if (error) {
        out.push(
          d.source.diagnostic(
            { code: 'invalid-template', message: error.message },
            d.source.spanInString(t.path, error.offset, error.length),
          ),
        );
      }
      const siblings = t.envKey ? siblingsOf(d, t.envKey.map) : new Set<string>();
      for (const r of refs) {
        const selfRef = t.envKey?.key === r.name;
        // A key's reference to itself means the layer below: for the contract env, env files and the
        // environment; for a service's or step's env, everything contract-wide.
        const visible = selfRef
          ? t.envKey?.map === 'contract'
            ? d.envFileNames.has(r.name) || r.name in d.processEnv
            : all.has(r.name) || t.scope.includes(r.name)
          : siblings.has(r.name) || t.scope.includes(r.name) || all.has(r.name);
        if (visible) continue;
        const candidates = [...suggestible, ...t.scope, ...siblings];
        const best = suggest(r.name, candidates);
        out.push(
          d.source.diagnostic(
            {
              code: 'undefined-variable',
              message: `\${${r.name}} is not defined`,
              hint:
                best !== undefined
                  ? `did you mean \${${best}}?`
                  : selfRef
                    ? `${r.name} refers to itself and is not defined outside this env map`
                    : declarePort(d, r.name)
                      ? declarePort(d, r.name)
                      : t.shell
                        ? 'define it in env or an env_file, or declare the port; for a variable the command sets itself, write $NAME or \\${NAME}'
                        : 'define it in env or an env_file, or declare the port it names (ports give <NAME>_PORT)',
            },
            d.source.spanInString(t.path, r.offset, r.length),
          ),
        );
      }
    }
    return out;
  },
};

/** For `${WEB_PORT}` in a contract with a `ports:` list: the list with the port added. */
function declarePort(d: Draft, name: string): string | undefined {
  const m = /^([A-Z0-9][A-Z0-9_]*)_PORT$/.exec(name);
  if (!m || d.contract.ports.some((p) => p.inferred)) return undefined;
  return `declare the port: ${declarePortHint(d.contract, (m[1] as string).toLowerCase())}`;
}

export const envCycles: Rule = {
  name: 'env-cycles',
  check(d) {
    const out: Diagnostic[] = [];
    const maps = new Map<string, Map<string, TemplateUse>>();
    for (const t of d.templates) {
      if (!t.envKey) continue;
      const m = maps.get(t.envKey.map) ?? new Map<string, TemplateUse>();
      m.set(t.envKey.key, t);
      maps.set(t.envKey.map, m);
    }
    for (const m of maps.values()) {
      const edges = (key: string) =>
        refsOf(m.get(key) as TemplateUse)
          .refs.map((r) => r.name)
          .filter((n) => n !== key && m.has(n));
      const state = new Map<string, 'visiting' | 'done'>();
      const stack: string[] = [];
      const reported = new Set<string>();
      const visit = (k: string): void => {
        state.set(k, 'visiting');
        stack.push(k);
        for (const next of edges(k)) {
          if (state.get(next) === 'visiting') {
            const cycle = [...stack.slice(stack.indexOf(next)), next];
            const key = [...cycle.slice(0, -1)].sort().join(',');
            if (reported.has(key)) continue;
            reported.add(key);
            const use = m.get(cycle[0] as string) as TemplateUse;
            out.push(
              d.source.diagnostic(
                {
                  code: 'env-cycle',
                  message: `env variables reference each other in a cycle: ${cycle.join(' → ')}`,
                  hint: 'break the cycle by writing one value out',
                },
                use.path,
              ),
            );
          } else if (!state.has(next)) visit(next);
        }
        stack.pop();
        state.set(k, 'done');
      };
      for (const k of m.keys()) if (!state.has(k)) visit(k);
    }
    return out;
  },
};
