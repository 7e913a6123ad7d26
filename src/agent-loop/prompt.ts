/**
 * Prompt templates: `{{KEY}}` prompt arguments and `` !`command` `` shell expressions.
 *
 * A template is split ONCE into segments — literal text and shell expressions — and each segment is
 * resolved on its own, so nothing a value brings in is ever scanned again:
 *
 *   1. every shell expression written in the template runs INSIDE the sandbox (`sh -c`, cwd = the
 *      worktree); a `{{KEY}}` inside it becomes `"$FACTORY_PROMPT_ARG_KEY"` and the value travels as
 *      an environment variable, so a value is data to the shell, never code;
 *   2. `{{KEY}}` in literal text is replaced by the value, verbatim.
 *
 * So an argument holding `` !`touch /tmp/pwned` `` stays inert text, and a command's output holding
 * `{{KEY}}` stays inert too. (Sandcastle substitutes first and then skips expressions that came from
 * values; splitting first gives the same guarantee and also makes values safe inside commands.)
 */
import { ExitCode, FactoryFailure, type Diagnostic } from '../lib/failure.js';

/** Arguments factory provides itself; passing one of these is an error. */
export const BUILT_IN_ARGS = ['SOURCE_BRANCH', 'TARGET_BRANCH'] as const;

/** `{{KEY}}`: letters, digits, underscore; optional inner spaces (`{{ KEY }}`). */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** `` !`command` `` on one line or several; the command cannot contain a backtick. */
const SHELL_EXPRESSION = /!`([^`]+)`/g;

export type Segment = { kind: 'text'; text: string } | { kind: 'shell'; command: string; offset: number };

export interface ParsedTemplate {
  segments: Segment[];
  /** Every placeholder name, in order of first use (text and shell segments). */
  keys: string[];
}

export function parseTemplate(template: string): ParsedTemplate {
  const segments: Segment[] = [];
  let last = 0;
  for (const m of template.matchAll(SHELL_EXPRESSION)) {
    const at = m.index ?? 0;
    if (at > last) segments.push({ kind: 'text', text: template.slice(last, at) });
    segments.push({ kind: 'shell', command: m[1] ?? '', offset: at });
    last = at + m[0].length;
  }
  if (last < template.length) segments.push({ kind: 'text', text: template.slice(last) });
  const keys: string[] = [];
  for (const s of segments) {
    for (const m of (s.kind === 'text' ? s.text : s.command).matchAll(PLACEHOLDER)) {
      const key = m[1] as string;
      if (!keys.includes(key)) keys.push(key);
    }
  }
  return { segments, keys };
}

/**
 * Prompt arguments as the library receives them (often built from JSON) → the strings substituted.
 * A `null` or `undefined` value is a missing value, not the text "null": an error naming the key,
 * like a key that is absent. Values other than strings, finite numbers and booleans (objects,
 * arrays, NaN) have no one obvious text and are errors too.
 */
export function argumentValues(args: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  const errors: Diagnostic[] = [];
  for (const [key, v] of Object.entries(args ?? {})) {
    if (typeof v === 'string') values[key] = v;
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') values[key] = String(v);
    else if (v === null || v === undefined)
      errors.push({
        code: 'missing-prompt-argument',
        severity: 'error',
        message: `prompt argument ${key} has no value (${v === null ? 'null' : 'undefined'})`,
        hint: `give ${key} a string or number value (--arg ${key}=…), or leave the key out`,
      });
    else
      errors.push({
        code: 'invalid-prompt-argument',
        severity: 'error',
        message: `prompt argument ${key} must be a string or a number (got ${Array.isArray(v) ? 'an array' : typeof v === 'number' ? String(v) : typeof v})`,
        hint: `pass the text to substitute for {{${key}}}, e.g. JSON.stringify(value)`,
      });
  }
  if (errors.length > 0) throwDiagnostics(errors);
  return values;
}

function throwDiagnostics(errors: Diagnostic[]): never {
  const first = errors[0] as Diagnostic;
  throw new FactoryFailure(first.code, first.message, {
    exitCode: ExitCode.invalid,
    hint: first.hint,
    diagnostics: errors,
  });
}

export interface ArgumentCheck {
  /** Warnings for arguments the template never uses. */
  warnings: Diagnostic[];
}

/**
 * Check arguments against the template before anything is created: a missing key or an attempt to
 * override a built-in is an error; an unused argument is a warning.
 * `available` = keys whose values will exist at run time (built-ins, running-app keys, user args).
 */
export function checkArguments(
  parsed: ParsedTemplate,
  userArgs: Record<string, string>,
  available: readonly string[],
  origin: string,
): ArgumentCheck {
  const errors: Diagnostic[] = [];
  for (const key of Object.keys(userArgs)) {
    if ((BUILT_IN_ARGS as readonly string[]).includes(key)) {
      errors.push({
        code: 'built-in-prompt-argument',
        severity: 'error',
        message: `${key} is a built-in prompt argument and cannot be overridden`,
        hint: 'use another name for your own value',
      });
    }
  }
  for (const key of parsed.keys) {
    if (!available.includes(key) && !(key in userArgs)) {
      const hint = key.startsWith('FACTORY_')
        ? `${key} is provided only when the repository has a factory.yaml and its app is started for the run`
        : `pass it with --arg ${key}=… (promptArgs: { ${key}: … })`;
      errors.push({
        code: 'missing-prompt-argument',
        severity: 'error',
        message: `${origin} uses {{${key}}} but no value was given`,
        hint,
      });
    }
  }
  if (errors.length > 0) throwDiagnostics(errors);
  const warnings: Diagnostic[] = Object.keys(userArgs)
    .filter((k) => !parsed.keys.includes(k))
    .map((k) => ({
      code: 'unused-prompt-argument',
      severity: 'warning',
      message: `prompt argument ${k} is not used by ${origin}`,
    }));
  return { warnings };
}

/** Env var that carries KEY's value into a shell expression. */
export function argEnvName(key: string): string {
  return `FACTORY_PROMPT_ARG_${key}`;
}

/** Runs one shell expression inside the sandbox; resolves to its stdout, throws on failure. */
export type ShellRunner = (command: string, env: Record<string, string>) => Promise<string>;

/**
 * Resolve a parsed template. Shell expressions run in parallel (as in Sandcastle); their output
 * replaces them with one trailing newline removed, like `$(…)` in a shell.
 */
export async function renderTemplate(
  parsed: ParsedTemplate,
  values: Record<string, string>,
  runShell: ShellRunner,
): Promise<string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) env[argEnvName(k)] = v;
  const parts = await Promise.all(
    parsed.segments.map(async (s) => {
      if (s.kind === 'text') return s.text.replace(PLACEHOLDER, (_m, key: string) => values[key] ?? '');
      const command = s.command.replace(PLACEHOLDER, (_m, key: string) => `"$${argEnvName(key)}"`);
      const out = await runShell(command, env);
      return out.endsWith('\n') ? out.slice(0, -1) : out;
    }),
  );
  return parts.join('');
}
