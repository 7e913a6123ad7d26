/**
 * The argument layer: every command's argv is checked here (src/cli.ts calls `checkArgv`) before
 * the command runs, against the options the command declares. citty alone ignores what it does not
 * know and turns mistakes into silent defaults (`--worktree-id ""` = not given, `--no-lines` = 0,
 * `--json=yes` = true); this refuses them with exit 2 and a hint instead:
 *
 * - an unknown option (with a "did you mean"), or a positional for a command that takes none;
 * - a value that is missing (`--worktree-id` last, or followed by another option), empty or blank;
 * - a control character in a one-line value (only prompt-like text may span lines);
 * - a value that breaks the flag's rule (`FLAG_RULES`: numbers with their ranges, durations,
 *   choices, instance ids) — one rule per flag name, so a flag means the same in every command;
 * - `--no-X` for an option that takes a value, `--flag=value` for an on/off flag, and a one-value
 *   option given twice.
 *
 * Tokens come from node:util `parseArgs`, the parser citty itself uses, so both read argv alike.
 * Light on purpose (src/cli.ts loads it for `status`).
 */
import { parseArgs } from 'node:util';
import type { ArgDef, ArgsDef } from 'citty';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { isValidWorktreeId, MAX_WORKTREE_ID } from '../../services/read.js';

/** What a flag's value must be: `ok` decides; `must`, `note` and `example` make the message and hint. */
export interface ValueRule {
  kind: 'integer' | 'seconds' | 'duration' | 'choice' | 'id';
  /** Bounds of an integer rule. */
  min?: number;
  max?: number;
  must: string;
  /** The fine print, in the hint before the example. */
  note?: string;
  /** A valid value, shown in the hint as `for example --flag <example>`. */
  example: string;
  ok: (value: string) => boolean;
}

const integer = (min: number, max: number, example: string): ValueRule => ({
  kind: 'integer',
  min,
  max,
  must: `a whole number from ${min} to ${max}`,
  example,
  ok: (v) => /^\d{1,16}$/.test(v) && Number(v) >= min && Number(v) <= max,
});

/** Longest duration a flag accepts: Node timers overflow (and fire at once) past 2^31-1 ms ≈ 24.8 days. */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;
const DURATION_RE = /^(\d{1,12}(?:\.\d{1,6})?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `90`, `90s`, `45m`, `2h`, `150ms` → milliseconds; undefined when not a duration. */
export function durationMs(value: string): number | undefined {
  const m = DURATION_RE.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS]);
}

const duration = (example: string): ValueRule => ({
  kind: 'duration',
  must: 'a duration like 90s, 45m or 2h',
  note: 'more than 0 and at most 168h; a bare number is seconds',
  example,
  ok: (v) => {
    const ms = durationMs(v);
    return ms !== undefined && ms > 0 && ms <= MAX_DURATION_MS;
  },
});

const seconds = (example: string): ValueRule => ({
  kind: 'seconds',
  must: 'a number of seconds greater than 0',
  note: `at most ${MAX_DURATION_MS / 1000} (7 days)`,
  example,
  ok: (v) => /^\d{1,12}(\.\d{1,6})?$/.test(v) && Number(v) > 0 && Number(v) * 1000 <= MAX_DURATION_MS,
});

const choice = (options: readonly string[]): ValueRule => ({
  kind: 'choice',
  must: `one of ${options.join(', ')}`,
  example: options[0] as string,
  ok: (v) => options.includes(v),
});

/** Rules by flag name (the long name, without `--`). A flag not listed takes any one-line text. */
export const FLAG_RULES: Record<string, ValueRule> = {
  'worktree-id': {
    kind: 'id',
    must: `an instance id: letters, digits, ".", "_" and "-" (at most ${MAX_WORKTREE_ID}), starting with a letter or digit`,
    example: 'feature-a',
    ok: isValidWorktreeId,
  },
  'port-range': integer(1, 65535, '20000'),
  port: integer(1, 65535, '8088'),
  timeout: seconds('120'),
  lines: integer(0, 10_000_000, '200'),
  'max-iterations': integer(1, 10_000, '5'),
  prd: integer(1, 2 ** 31 - 1, '3'),
  'idle-timeout': duration('10m'),
  'idle-notice': duration('5m'),
  'completion-timeout': duration('60s'),
  'task-timeout': duration('45m'),
  'test-timeout': duration('20m'),
  network: choice(['host', 'loopback', 'none']),
  // jobs and workers
  'max-fix-rounds': integer(0, 20, '2'),
  'time-budget': duration('2h'),
  'agent-idle-timeout': duration('10m'),
  'preview-ttl': duration('24h'),
  concurrency: integer(1, 64, '2'),
  'max-per-repo': integer(1, 64, '2'),
  'max-per-machine': integer(1, 256, '4'),
  lease: duration('60s'),
  limit: integer(1, 100_000, '20'),
  publisher: choice(['local', 'github']),
};

/** A valid example for flags without a rule, so every "needs a value" hint shows one. */
const EXAMPLES: Record<string, string> = {
  file: 'factory.yaml',
  only: 'api,web',
  scenario: 'sign-in',
  feature: 'checkout',
  prompt: '"Fix the failing test"',
  'prompt-file': 'prompt.md',
  arg: 'ISSUE=42',
  env: 'DEBUG=1',
  branch: 'agent/fix-login',
  'base-branch': 'main',
  base: 'main',
  store: 'postgres://factory@db.internal/factory',
  'repo-url': 'git@git.example:team/app.git',
  name: 'fix-login',
  'log-file': 'agent.log',
  'backlog-dir': 'prds',
  // bot telegram
  config: '~/.config/factory/telegram.json',
  'webhook-url': 'https://bot.example.com/telegram',
  'webhook-listen': '127.0.0.1:8443',
  host: '127.0.0.1',
  'public-url': 'https://factory.example.com',
};

/** The hint for a missing or empty value of option `name`, written by the user as `flag`. */
function valueHint(name: string, flag: string): string {
  const example = FLAG_RULES[name]?.example ?? EXAMPLES[name];
  return example === undefined
    ? `give ${flag} a value, or leave it out`
    : `for example ${flag} ${example}, or leave ${flag} out`;
}

/** Free text that may span lines (a prompt, a template argument, an environment value, a job's request). */
export const MULTILINE = new Set(['prompt', 'arg', 'env', 'completion-signal', 'request']);
/** Options that may be given more than once (each value counts). */
export const REPEATABLE = new Set(['arg', 'env', 'copy', 'mount', 'completion-signal', 'scenario']);

const usage = (message: string, hint: string) =>
  new FactoryFailure('usage', message, { exitCode: ExitCode.invalid, hint });

/** A value as messages show it: quoted, escaped, cut to a readable length. */
export function shown(value: string): string {
  const cut = value.length > 60 ? `${value.slice(0, 57)}…` : value;
  return JSON.stringify(cut);
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

interface Declared {
  /** Long name (kebab-case) → definition. */
  long: Map<string, ArgDef>;
  /** Short alias → long name. */
  short: Map<string, string>;
  positionals: number;
  /** A positional that is free text (named in MULTILINE, e.g. `job new "<request>"`) may span lines. */
  textPositional: boolean;
}

function declared(defs: ArgsDef): Declared {
  const long = new Map<string, ArgDef>();
  const short = new Map<string, string>();
  let positionals = 0;
  let textPositional = false;
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === 'positional') {
      positionals++;
      textPositional ||= MULTILINE.has(name);
      continue;
    }
    long.set(kebab(name), def);
    const aliases = 'alias' in def && def.alias !== undefined ? [def.alias].flat() : [];
    for (const a of aliases) {
      if (a.length === 1) short.set(a, kebab(name));
      else long.set(kebab(a), def);
    }
  }
  return { long, short, positionals, textPositional };
}

/** Check one value of a string option; `flag` is how the user wrote it (`-n`, `--lines`). */
export function checkValue(name: string, flag: string, value: string): void {
  if (value.trim() === '') {
    throw usage(`${flag} needs a value (got ${shown(value)})`, valueHint(name, flag));
  }
  if (!MULTILINE.has(name) && /\p{Cc}/u.test(value)) {
    throw usage(
      `${flag} must be one line without control characters (got ${shown(value)})`,
      'give the value without newlines or tabs',
    );
  }
  const rule = FLAG_RULES[name];
  if (rule && !rule.ok(value))
    throw usage(
      `${flag} must be ${rule.must} (got ${shown(value)})`,
      `${rule.note ? `${rule.note}; ` : ''}for example ${flag} ${rule.example}`,
    );
}

/**
 * Check `argv` (everything after the command's name) against the command's declared options.
 * `suggest` finds the nearest known option for a typo (loaded lazily by the caller).
 */
export async function checkArgv(
  command: string,
  defs: ArgsDef,
  argv: string[],
  suggest: (word: string, candidates: string[]) => Promise<string | undefined>,
): Promise<void> {
  const d = declared(defs);
  const end = argv.indexOf('--');
  const before = end < 0 ? argv : argv.slice(0, end);
  const known = [...d.long.keys(), 'help'];
  const unknown = async (name: string) => {
    const best = await suggest(name, known);
    const flag = /^[!-~]+$/.test(name) ? `--${name}` : shown(`--${name}`);
    return usage(`unknown option ${flag}`, best ? `did you mean --${best}?` : 'see --help for the options');
  };
  // citty strips every `--no-X` before parsing; so do we, checking that X is an on/off flag.
  const rest: string[] = [];
  for (const token of before) {
    if (!token.startsWith('--no-')) {
      rest.push(token);
      continue;
    }
    const name = kebab(token.slice(5).split('=')[0] ?? '');
    const def = d.long.get(name);
    if (!def) throw await unknown(token.slice(2).split('=')[0] ?? '');
    if (def.type !== 'boolean')
      throw usage(`${token}: --${name} takes a value, it cannot be turned off`, `leave --${name} out`);
    if (token.includes('=')) throw usage(`${token}: an on/off flag takes no value`, `write --no-${name} alone`);
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, def] of d.long) {
    const type = def.type === 'boolean' ? 'boolean' : 'string';
    options[name] = { type };
    options[camel(name)] = { type };
  }
  for (const [s, name] of d.short) options[name] = { ...(options[name] ?? { type: 'string' }), short: s };
  const flagTokens = new Set([...d.long.keys()].map((n) => `--${n}`).concat([...d.short.keys()].map((s) => `-${s}`)));
  const { tokens } = parseArgs({ args: rest, options, strict: false, allowPositionals: true, tokens: true });
  const seen = new Map<string, string>();
  for (const t of tokens) {
    if (t.kind === 'option-terminator') break;
    if (t.kind === 'positional') {
      if (d.positionals === 0)
        throw usage(`factory ${command} takes no arguments (got ${shown(t.value)})`, `see factory ${command} --help`);
      if (t.value.trim() === '' || (!d.textPositional && /\p{Cc}/u.test(t.value)))
        throw usage(
          `factory ${command} got an empty or unprintable argument (got ${shown(t.value)})`,
          'leave it out, or give a name',
        );
      continue;
    }
    const name = kebab(t.name);
    if (name === 'help' || name === 'h') continue;
    const def = d.long.get(name) ?? (t.name.length === 1 ? d.long.get(d.short.get(t.name) ?? '') : undefined);
    if (!def) {
      if (t.rawName.startsWith('--')) throw await unknown(name);
      throw usage(
        `unknown option ${/^[!-~]+$/.test(t.rawName) ? t.rawName : shown(t.rawName)}`,
        'see --help for the options',
      );
    }
    const longName = t.name.length === 1 ? (d.short.get(t.name) as string) : name;
    if (def.type === 'boolean') {
      if (t.inlineValue && t.value !== 'true' && t.value !== 'false')
        throw usage(
          `${t.rawName} is an on/off flag and takes no value (got ${shown(t.value ?? '')})`,
          `write ${t.rawName} alone`,
        );
      continue;
    }
    const value = t.value;
    if (value === undefined || (!t.inlineValue && flagTokens.has(value))) {
      throw usage(
        value === undefined ? `${t.rawName} needs a value` : `${t.rawName} needs a value (got the option ${value})`,
        valueHint(longName, t.rawName),
      );
    }
    checkValue(longName, t.rawName, value);
    const before = seen.get(longName);
    if (before !== undefined && !REPEATABLE.has(longName))
      throw usage(`--${longName} is given twice (got ${shown(before)} and ${shown(value)})`, `give --${longName} once`);
    seen.set(longName, value);
  }
}
